# The rte_flow backend's DPDK calls (offload/rte_flow/dpdk/): optional, so a
# machine (or cross build) without libdpdk-dev still builds everything else.
# SNOC_DPDK=AUTO builds it when pkg-config finds libdpdk, ON requires it, OFF
# skips it. The translation and testpmd rendering (offload/rte_flow/*.cpp)
# are always built. Sets SNOC_HAVE_DPDK for tests/ and benchmarks/.
set(SNOC_DPDK AUTO CACHE STRING "Build the rte_flow backend's DPDK calls (AUTO, ON, OFF)")
set_property(CACHE SNOC_DPDK PROPERTY STRINGS AUTO ON OFF)
set(SNOC_HAVE_DPDK OFF CACHE INTERNAL "")
if(SNOC_DPDK STREQUAL "OFF")
  return()
endif()
pkg_check_modules(DPDK IMPORTED_TARGET libdpdk)
if(NOT DPDK_FOUND)
  if(SNOC_DPDK STREQUAL "ON")
    message(FATAL_ERROR "SNOC_DPDK=ON but pkg-config finds no libdpdk (install libdpdk-dev)")
  endif()
  message(STATUS "rte_flow backend: DPDK calls skipped, no libdpdk (scripts/install-deps.sh installs libdpdk-dev)")
  return()
endif()
file(GLOB SNOC_DPDK_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/rte_flow/dpdk/*.cpp)
add_library(snoc_offload_dpdk STATIC ${SNOC_DPDK_SOURCES})
# DPDK's pkg-config flags carry -march and -include rte_config.h: they stay
# on this library and what links it, not on the rest of snoc.
target_link_libraries(snoc_offload_dpdk PUBLIC snoc_offload PkgConfig::DPDK)
target_compile_definitions(snoc_offload_dpdk PUBLIC SNOC_HAVE_DPDK=1)
# rte_flow_info_get and rte_flow_pick_transfer_proxy are still "experimental"
# in DPDK 22.11 (stable since 23.x).
target_compile_definitions(snoc_offload_dpdk PRIVATE ALLOW_EXPERIMENTAL_API)
snoc_warnings(snoc_offload_dpdk)
set(SNOC_HAVE_DPDK ON CACHE INTERNAL "")
message(STATUS "rte_flow backend: DPDK ${DPDK_VERSION}")
