# Read by cpack before each generator runs (CPACK_PROJECT_CONFIG_FILE, set in
# packaging/SnocPackaging.cmake).
#
# A cross build's package (CPACK_DEBIAN_PACKAGE_ARCHITECTURE set, e.g. arm64
# from build-arm64): dpkg-shlibdeps must resolve the binary's libraries in
# /usr/lib/<triplet> of that architecture and read them with <triplet>-objdump,
# which it does when DEB_HOST_ARCH names it. cpack's child processes inherit
# this environment.
if(CPACK_GENERATOR STREQUAL "DEB" AND CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
  set(ENV{DEB_HOST_ARCH} "${CPACK_DEBIAN_PACKAGE_ARCHITECTURE}")
endif()
