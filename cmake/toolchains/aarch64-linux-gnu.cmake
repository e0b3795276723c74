# Cross-compile snoc for 64-bit Arm Linux (aarch64) on a Debian 12 amd64 host.
#
#   bash scripts/install-arm64-deps.sh      # cross g++, qemu-user-static, arm64 libs
#   cmake -S . -B build-arm64 -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
#   cmake --build build-arm64 && ctest --test-dir build-arm64   # tests run under qemu
#
# Uses Debian's multiarch layout: the compiler is crossbuild-essential-arm64's
# aarch64-linux-gnu-g++ (its sysroot is /, so it finds /usr/include and
# /usr/lib/aarch64-linux-gnu by itself); the libraries are the :arm64 packages
# in /usr/lib/aarch64-linux-gnu (CMake config packages in .../cmake, pkg-config
# files in .../pkgconfig); header-only packages (CLI11, nlohmann_json) are found
# in /usr/share/cmake as usual. See docs/arm64.md.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SNOC_CROSS_TRIPLET aarch64-linux-gnu)

# Compilers: Debian's cross g++ (crossbuild-essential-arm64). Overridable with
# -DCMAKE_CXX_COMPILER=... (e.g. a versioned aarch64-linux-gnu-g++-12).
if(NOT CMAKE_C_COMPILER)
  set(CMAKE_C_COMPILER ${SNOC_CROSS_TRIPLET}-gcc)
endif()
if(NOT CMAKE_CXX_COMPILER)
  set(CMAKE_CXX_COMPILER ${SNOC_CROSS_TRIPLET}-g++)
endif()

# Multiarch: find_library/find_package look in <prefix>/lib/aarch64-linux-gnu
# (never in .../x86_64-linux-gnu), and find_package in
# /usr/lib/aarch64-linux-gnu/cmake/<pkg>. CMake would infer this from the
# compiler, but only after the first try_compile; be explicit.
set(CMAKE_LIBRARY_ARCHITECTURE ${SNOC_CROSS_TRIPLET})

# The cross libc/libstdc++ (libc6-dev-arm64-cross) live in /usr/aarch64-linux-gnu;
# search there first, then the host root with its multiarch arm64 dirs.
# Programs (pkg-config, protoc, python...) always come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${SNOC_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config: only the arm64 .pc files (and arch-independent ones). The host's
# pkgconf binary is fine; what matters is the search path. Setting ENV here
# applies to every configure run (the toolchain file is read each time).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${SNOC_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
# Let pkgconf drop -L/-I flags for the target's default search dirs.
set(ENV{PKG_CONFIG_SYSTEM_LIBRARY_PATH} "/usr/lib/${SNOC_CROSS_TRIPLET}:/lib/${SNOC_CROSS_TRIPLET}")
set(ENV{PKG_CONFIG_SYSTEM_INCLUDE_PATH} "/usr/include")
if(NOT PKG_CONFIG_EXECUTABLE)
  if(EXISTS /usr/bin/${SNOC_CROSS_TRIPLET}-pkg-config)
    set(PKG_CONFIG_EXECUTABLE /usr/bin/${SNOC_CROSS_TRIPLET}-pkg-config CACHE FILEPATH "pkg-config for ${SNOC_CROSS_TRIPLET}")
  else()
    set(PKG_CONFIG_EXECUTABLE /usr/bin/pkg-config CACHE FILEPATH "pkg-config (PKG_CONFIG_LIBDIR points at ${SNOC_CROSS_TRIPLET})")
  endif()
endif()

# Run target binaries (ctest, gtest_discover_tests, try_run) under qemu user
# emulation. With libc6:arm64 installed (scripts/install-arm64-deps.sh does),
# the dynamic loader /lib/ld-linux-aarch64.so.1 and the multiarch libs in
# /lib/aarch64-linux-gnu are where the binaries expect them, so qemu needs no
# -L prefix; passing `-L /usr/aarch64-linux-gnu` would then load the cross
# toolchain's older ld.so/libc instead. Without libc6:arm64 we fall back to it.
set(SNOC_QEMU_CPU "cortex-a72" CACHE STRING
  "CPU model qemu emulates for tests (cortex-a72 = plain ARMv8.0-A baseline; 'max' = all extensions; empty = qemu default)")
find_program(SNOC_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64
  DOC "qemu user-mode emulator used to run aarch64 test binaries")
if(SNOC_QEMU_AARCH64)
  set(_snoc_emulator ${SNOC_QEMU_AARCH64})
  if(SNOC_QEMU_CPU)
    list(APPEND _snoc_emulator -cpu ${SNOC_QEMU_CPU})
  endif()
  if(NOT EXISTS /lib/ld-linux-aarch64.so.1 AND EXISTS /usr/${SNOC_CROSS_TRIPLET}/lib/ld-linux-aarch64.so.1)
    list(APPEND _snoc_emulator -L /usr/${SNOC_CROSS_TRIPLET})
  endif()
  set(CMAKE_CROSSCOMPILING_EMULATOR "${_snoc_emulator}")
  unset(_snoc_emulator)
endif()
