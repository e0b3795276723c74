# The emulated eBPF eSwitch (offload/emulated/): needs libbpf and a clang
# with the bpf target. Optional, so a machine (or cross build) without them
# still builds everything else: SNOC_EMULATED=AUTO builds it when both are
# found, ON requires them, OFF skips it. Sets the cache variable
# SNOC_HAVE_EMULATED for tests/ and benchmarks/.
set(SNOC_EMULATED AUTO CACHE STRING "Build the emulated eBPF eSwitch backend (AUTO, ON, OFF)")
set_property(CACHE SNOC_EMULATED PROPERTY STRINGS AUTO ON OFF)
set(SNOC_HAVE_EMULATED OFF CACHE INTERNAL "")
if(SNOC_EMULATED STREQUAL "OFF")
  return()
endif()

pkg_check_modules(LIBBPF IMPORTED_TARGET libbpf>=1.0)
# Programs come from the build machine even when cross-compiling: BPF byte
# code is the same for every little-endian host.
find_program(SNOC_BPF_CLANG NAMES clang clang-14)
# <linux/types.h> needs <asm/types.h> from the target's multiarch directory.
find_path(SNOC_BPF_ASM_INCLUDE asm/types.h
  PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE} NO_DEFAULT_PATH)
if(NOT LIBBPF_FOUND OR NOT SNOC_BPF_CLANG OR NOT SNOC_BPF_ASM_INCLUDE)
  set(why "libbpf (libbpf-dev): ${LIBBPF_FOUND}, clang: ${SNOC_BPF_CLANG}, asm/types.h: ${SNOC_BPF_ASM_INCLUDE}")
  if(SNOC_EMULATED STREQUAL "ON")
    message(FATAL_ERROR "SNOC_EMULATED=ON but the emulated eSwitch cannot be built: ${why}")
  endif()
  message(STATUS "emulated eSwitch backend skipped: ${why} (scripts/install-deps.sh installs them)")
  return()
endif()

set(esw_src ${CMAKE_CURRENT_SOURCE_DIR}/emulated)
set(esw_obj ${CMAKE_CURRENT_BINARY_DIR}/esw.bpf.o)
set(esw_embed ${CMAKE_CURRENT_BINARY_DIR}/esw_object.cpp)
# -g: libbpf needs the object's BTF for its map definitions.
add_custom_command(OUTPUT ${esw_obj}
  COMMAND ${SNOC_BPF_CLANG} -target bpf -O2 -g -Wall -Wextra -Werror
          -I${SNOC_BPF_ASM_INCLUDE} -I${esw_src} -c ${esw_src}/esw.bpf.c -o ${esw_obj}
  DEPENDS ${esw_src}/esw.bpf.c ${esw_src}/esw_maps.h
  COMMENT "Compiling the emulated eSwitch BPF program")
add_custom_command(OUTPUT ${esw_embed}
  COMMAND ${CMAKE_COMMAND} -DIN=${esw_obj} -DOUT=${esw_embed} -DNAMESPACE=snoc::offload::emulated
          -DFUNCTION=esw_bpf_object -DHEADER=offload/emulated/esw_object.h
          -P ${PROJECT_SOURCE_DIR}/cmake/EmbedBinary.cmake
  DEPENDS ${esw_obj} ${PROJECT_SOURCE_DIR}/cmake/EmbedBinary.cmake)

file(GLOB SNOC_EMULATED_SOURCES CONFIGURE_DEPENDS ${esw_src}/*.cpp)
target_sources(snoc_offload PRIVATE ${SNOC_EMULATED_SOURCES} ${esw_embed})
target_link_libraries(snoc_offload PUBLIC PkgConfig::LIBBPF snoc_sys)
target_compile_definitions(snoc_offload PUBLIC SNOC_HAVE_EMULATED=1)
set(SNOC_HAVE_EMULATED ON CACHE INTERNAL "")
