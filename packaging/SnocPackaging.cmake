# Install rules beyond the binary and its data, and the Debian package (CPack's
# DEB generator). Included at the end of the top CMakeLists.txt. The same rules
# serve `cmake --install` and `cpack`, native and cross (docs/packaging.md):
#
#   <prefix>/bin/snoc                                  (controller/CMakeLists.txt)
#   <prefix>/share/snoc/nic-profiles/, examples/       (top CMakeLists.txt)
#   <prefix>/share/man/man8/snoc.8.gz                  docs/cli.md via packaging/md2man.py
#   <prefix>/share/bash-completion/completions/snoc    packaging/bash-completion/snoc
#   <prefix>/share/doc/snoc/copyright, changelog.gz    (a native package: docs/packaging.md)
#   /etc/snoc/edge.yaml                                configs/minimal.yaml with a header;
#                                                      never overwritten by `cmake --install`
#   /lib/systemd/system/snoc.service                   configs/systemd/snoc.service, ExecStart
#                                                      pointing at <prefix>/bin/snoc (with a
#                                                      prefix other than /usr: <prefix>/lib/systemd/system)
#
# `cpack` in a built build dir (scripts/package.sh does it and checks the result)
# makes snoc_<version>_<arch>.deb: /usr prefix, files stripped, Depends from
# dpkg-shlibdeps plus iproute2, Recommends openvswitch-switch, the conffile and
# the maintainer scripts in packaging/deb/.

include(GNUInstallDirs)

set(SNOC_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(SNOC_PACKAGING_OUT ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${SNOC_PACKAGING_OUT})

# --- Release metadata: the top entry of packaging/changelog -----------------
# Its version must be the project's (add an entry when project(VERSION) changes);
# its date dates the man page; its trailer names the package's Maintainer.
file(STRINGS ${SNOC_PACKAGING_DIR}/changelog _snoc_changelog)
list(GET _snoc_changelog 0 _snoc_cl_head)
if(NOT _snoc_cl_head MATCHES "^snoc \\(([^)]+)\\) ")
  message(FATAL_ERROR "packaging/changelog: the first line must be 'snoc (VERSION) DIST; urgency=...'")
endif()
set(SNOC_DEB_VERSION ${CMAKE_MATCH_1})
if(NOT SNOC_DEB_VERSION STREQUAL PROJECT_VERSION AND NOT SNOC_DEB_VERSION MATCHES "^${PROJECT_VERSION}-[0-9]")
  message(FATAL_ERROR "packaging/changelog's top entry is ${SNOC_DEB_VERSION}, the project is ${PROJECT_VERSION}: "
                      "add a changelog entry for ${PROJECT_VERSION}")
endif()
set(_snoc_cl_trailer "")
foreach(_line IN LISTS _snoc_changelog)
  if(_line MATCHES "^ -- (.+ <[^>]+>)  [A-Z][a-z][a-z], ([0-9][0-9]) ([A-Z][a-z][a-z]) ([0-9][0-9][0-9][0-9]) ")
    set(_snoc_cl_trailer ${CMAKE_MATCH_1})
    set(_day ${CMAKE_MATCH_2})
    set(_mon ${CMAKE_MATCH_3})
    set(_year ${CMAKE_MATCH_4})
    break()
  endif()
endforeach()
if(NOT _snoc_cl_trailer)
  message(FATAL_ERROR "packaging/changelog: no ' -- Name <email>  Day, DD Mon YYYY HH:MM:SS +ZZZZ' line")
endif()
set(_months Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)
list(FIND _months ${_mon} _mon_index)
math(EXPR _mon_number "${_mon_index} + 1")
if(_mon_number LESS 10)
  set(_mon_number 0${_mon_number})
endif()
set(SNOC_RELEASE_DATE ${_year}-${_mon_number}-${_day})
# -DSNOC_PACKAGE_MAINTAINER="Name <mail>" overrides the changelog's.
if(NOT SNOC_PACKAGE_MAINTAINER)
  set(SNOC_PACKAGE_MAINTAINER "${_snoc_cl_trailer}")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SNOC_PACKAGING_DIR}/changelog)

# --- Files generated at build time: snoc(8) and changelog.gz -----------------
# The package's version has no Debian revision (snoc_0.1.0_amd64.deb): it is a
# native package, whose one changelog is /usr/share/doc/snoc/changelog.gz
# (Debian policy 12.7; lintian: wrong-name-for-changelog-of-native-package).
find_package(Python3 COMPONENTS Interpreter)
find_program(SNOC_GZIP gzip)
if(NOT SNOC_GZIP)
  message(FATAL_ERROR "gzip not found (needed for the man page and the changelog)")
endif()
set(SNOC_CLI_MD ${PROJECT_SOURCE_DIR}/docs/cli.md)
if(SNOC_DEB_VERSION MATCHES "-")
  set(SNOC_CHANGELOG_NAME changelog.Debian)
else()
  set(SNOC_CHANGELOG_NAME changelog)
endif()
set(_snoc_generated ${SNOC_PACKAGING_OUT}/${SNOC_CHANGELOG_NAME}.gz)
add_custom_command(
  OUTPUT ${SNOC_PACKAGING_OUT}/${SNOC_CHANGELOG_NAME}.gz
  COMMAND ${CMAKE_COMMAND} -E copy ${SNOC_PACKAGING_DIR}/changelog ${SNOC_PACKAGING_OUT}/${SNOC_CHANGELOG_NAME}
  COMMAND ${SNOC_GZIP} -9nf ${SNOC_PACKAGING_OUT}/${SNOC_CHANGELOG_NAME}
  DEPENDS ${SNOC_PACKAGING_DIR}/changelog
  COMMENT "${SNOC_CHANGELOG_NAME}.gz"
  VERBATIM)
if(Python3_Interpreter_FOUND AND EXISTS ${SNOC_CLI_MD})
  # gzip -n: no name or time stamp in the header, so the page is reproducible.
  add_custom_command(
    OUTPUT ${SNOC_PACKAGING_OUT}/snoc.8.gz
    COMMAND ${Python3_EXECUTABLE} ${SNOC_PACKAGING_DIR}/md2man.py --date ${SNOC_RELEASE_DATE}
            --source "snoc ${PROJECT_VERSION}" ${SNOC_CLI_MD} -o ${SNOC_PACKAGING_OUT}/snoc.8
    COMMAND ${SNOC_GZIP} -9nf ${SNOC_PACKAGING_OUT}/snoc.8
    DEPENDS ${SNOC_PACKAGING_DIR}/md2man.py ${SNOC_CLI_MD} ${SNOC_PACKAGING_DIR}/changelog
    COMMENT "snoc(8) from docs/cli.md"
    VERBATIM)
  list(APPEND _snoc_generated ${SNOC_PACKAGING_OUT}/snoc.8.gz)
  install(FILES ${SNOC_PACKAGING_OUT}/snoc.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
else()
  message(WARNING "snoc(8) is not built: it needs python3 and docs/cli.md "
                  "(python3: ${Python3_EXECUTABLE}). scripts/package.sh refuses a package without it.")
  if(NOT EXISTS ${SNOC_CLI_MD})
    # Configure again once docs/cli.md appears (adding a file changes the directory's mtime).
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs)
  endif()
endif()
add_custom_target(snoc_package_files ALL DEPENDS ${_snoc_generated})

# --- /etc/snoc/edge.yaml: configs/minimal.yaml under a header for operators --
# minimal.yaml: one real NIC, two workloads; it validates without hardware.
# Its own leading comment (which talks about the source tree) is replaced.
file(READ ${PROJECT_SOURCE_DIR}/configs/minimal.yaml _snoc_example)
string(REGEX REPLACE "^(#[^\n]*\n)+" "" SNOC_EDGE_EXAMPLE_BODY "${_snoc_example}")
configure_file(${SNOC_PACKAGING_DIR}/edge.yaml.in ${SNOC_PACKAGING_OUT}/edge.yaml @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/configs/minimal.yaml)

# --- Install rules -----------------------------------------------------------
install(FILES ${SNOC_PACKAGING_DIR}/bash-completion/snoc
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${SNOC_PACKAGING_DIR}/copyright ${SNOC_PACKAGING_OUT}/${SNOC_CHANGELOG_NAME}.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# None needed today; lintian reads a package's overrides from this path.
if(EXISTS ${SNOC_PACKAGING_DIR}/lintian-overrides)
  install(FILES ${SNOC_PACKAGING_DIR}/lintian-overrides
          DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME snoc)
endif()

# CPACK_STRIP_FILES (cmake --install --strip) runs plain CMAKE_STRIP on snoc
# (aarch64-linux-gnu-strip in the cross build); like dh_strip, also drop the
# .comment section (compiler version strings). Runs after controller/'s
# install(TARGETS snoc) (CMP0082: install rules run in declaration order).
string(CONFIGURE [[
  if(CMAKE_INSTALL_DO_STRIP)
    set(_snoc_exe "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/@CMAKE_INSTALL_BINDIR@/snoc")
    execute_process(COMMAND "@CMAKE_STRIP@" --remove-section=.comment --remove-section=.note "${_snoc_exe}"
                    RESULT_VARIABLE _snoc_rc)
    if(NOT _snoc_rc EQUAL 0)
      message(FATAL_ERROR "@CMAKE_STRIP@ --remove-section=.comment ${_snoc_exe} failed: ${_snoc_rc}")
    endif()
  endif()
]] _snoc_strip_code @ONLY)
if(CMAKE_STRIP)
  install(CODE "${_snoc_strip_code}")
endif()

set(SNOC_SYSTEMD_UNITDIR "" CACHE PATH
    "Directory for snoc.service (empty: /lib/systemd/system with the /usr prefix, as Debian 12 wants; else <prefix>/lib/systemd/system)")
# The systemd unit and /etc/snoc/edge.yaml depend on the prefix the install
# runs with (cpack installs with /usr, whatever the build was configured with),
# so they are installed by code that runs at install time. file(INSTALL)
# honours DESTDIR (cpack's staging directory).
set(_snoc_unit_src ${PROJECT_SOURCE_DIR}/configs/systemd/snoc.service)
string(CONFIGURE [[
  # snoc.service, its ExecStartPre/ExecStart naming the installed snoc
  set(_snoc_bindir "@CMAKE_INSTALL_BINDIR@")
  if(NOT IS_ABSOLUTE "${_snoc_bindir}")
    set(_snoc_bindir "${CMAKE_INSTALL_PREFIX}/${_snoc_bindir}")
  endif()
  set(_snoc_unitdir "@SNOC_SYSTEMD_UNITDIR@")
  if(NOT _snoc_unitdir)
    if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
      set(_snoc_unitdir /lib/systemd/system)
    else()
      set(_snoc_unitdir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
    endif()
  endif()
  file(READ "@_snoc_unit_src@" _snoc_unit)
  string(REPLACE "/usr/bin/snoc " "${_snoc_bindir}/snoc " _snoc_unit "${_snoc_unit}")
  file(WRITE "@SNOC_PACKAGING_OUT@/unit/snoc.service" "${_snoc_unit}")
  file(INSTALL DESTINATION "${_snoc_unitdir}" TYPE FILE FILES "@SNOC_PACKAGING_OUT@/unit/snoc.service")

  # /etc/snoc/edge.yaml: the operator's spec once edited; never overwritten
  # (in a package it is a conffile, and dpkg keeps the operator's version).
  if(EXISTS "$ENV{DESTDIR}/etc/snoc/edge.yaml")
    message(STATUS "Keeping: $ENV{DESTDIR}/etc/snoc/edge.yaml")
  else()
    file(INSTALL DESTINATION /etc/snoc TYPE FILE FILES "@SNOC_PACKAGING_OUT@/edge.yaml")
  endif()
]] _snoc_install_code @ONLY)
install(CODE "${_snoc_install_code}")

# --- Tests (ctest) -----------------------------------------------------------
if(SNOC_BUILD_TESTS)
  if(Python3_Interpreter_FOUND)
    add_test(NAME packaging.md2man COMMAND ${Python3_EXECUTABLE} ${SNOC_PACKAGING_DIR}/tests/test_md2man.py)
    if(EXISTS ${SNOC_CLI_MD})
      add_test(NAME packaging.md2man_cli_md
               COMMAND ${Python3_EXECUTABLE} ${SNOC_PACKAGING_DIR}/tests/test_md2man.py --check ${SNOC_CLI_MD})
    endif()
  endif()
  # The real binary lists profile names only where it runs (not when cross-compiling).
  add_test(NAME packaging.bash_completion
           COMMAND bash ${SNOC_PACKAGING_DIR}/tests/test-bash-completion.sh
                   $<$<NOT:$<BOOL:${CMAKE_CROSSCOMPILING}>>:$<TARGET_FILE:snoc>>)
  # The spec installed as /etc/snoc/edge.yaml must validate (under qemu when cross-compiling).
  add_test(NAME packaging.edge_yaml COMMAND snoc validate ${SNOC_PACKAGING_OUT}/edge.yaml)
endif()

# --- CPack: the Debian package -----------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME snoc)
set(CPACK_PACKAGE_VERSION ${SNOC_DEB_VERSION})
set(CPACK_PACKAGE_VENDOR "The snoc authors")
set(CPACK_PACKAGE_CONTACT "${SNOC_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SmartNIC offload controller for Open vSwitch and SR-IOV")
set(CPACK_PACKAGE_DESCRIPTION
"snoc configures the SmartNICs of an edge server from one YAML file: SR-IOV
virtual functions, switchdev mode and representors, the Open vSwitch bridge
with its ports and policy flows, and the rules the NIC can run in hardware
(tc-flower, or rte_flow for DPDK data planes), decided per rule by NIC
profiles with cited sources.

As a daemon (snoc.service) it keeps that state applied, repairs drift, and
reports where each flow runs - in hardware, in tc software or in OVS - and
why a flow was not offloaded, with offload hit rates for Prometheus.
Validating and planning a spec need neither a SmartNIC nor Open vSwitch.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SNOC_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: the shared libraries' packages (dpkg-shlibdeps), and iproute2 for
# the `ip` snoc runs. Recommends: Open vSwitch, for `ovs-ofctl` and the OVS
# daemons apply and run talk to; validate, plan and profiles work without it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "iproute2")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "openvswitch-switch")
# The conffile, and maintainer scripts as dh_installsystemd --no-enable
# --no-start makes them: the unit is never enabled or started by the package;
# daemon-reload, try-restart on upgrade, stop on removal, state purged.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${SNOC_PACKAGING_DIR}/deb/conffiles ${SNOC_PACKAGING_DIR}/deb/postinst
                                       ${SNOC_PACKAGING_DIR}/deb/prerm ${SNOC_PACKAGING_DIR}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
if(CMAKE_CROSSCOMPILING)
  # dpkg --print-architecture (CPack's default) names the build host's.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|amd64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
  else()
    message(WARNING "No Debian architecture known for ${CMAKE_SYSTEM_PROCESSOR}: "
                    "set CPACK_DEBIAN_PACKAGE_ARCHITECTURE for cpack")
  endif()
endif()
# Read by cpack: runs dpkg-shlibdeps for the package's architecture.
set(CPACK_PROJECT_CONFIG_FILE ${SNOC_PACKAGING_DIR}/CPackProjectConfig.cmake)
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
