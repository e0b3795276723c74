# snoc's version and git commit, for `snoc --version` and for
# snoc::build_version() / snoc::build_commit() (controller/build_info.h).
#
# Included: snoc_build_info(<var>) adds the target snoc_build_info, which runs
# on every build and sets <var> to the C++ file it keeps up to date (compile it
# into a target that depends on snoc_build_info). The file is rewritten only
# when its text changes, so a new commit, or a tree that became dirty or clean
# again, recompiles one file and relinks without re-running cmake, and an
# unchanged tree rebuilds nothing (Ninja restats the byproduct).
#
# Run as a script, it writes that file:
#   cmake -DSOURCE_DIR=<top of the sources> -DTEMPLATE=<build_info.cpp.in> -DOUT=<file>
#         -DVERSION=<x.y.z> [-DGIT_EXECUTABLE=<git>] -P SnocBuildInfo.cmake
# The commit is `git rev-parse --short HEAD`, with "-dirty" when tracked files
# differ from it; "unknown" without git, or when SOURCE_DIR is not the top of a
# git work tree (a source tarball, even one unpacked inside another repository).

if(CMAKE_SCRIPT_MODE_FILE)
  set(SNOC_BUILD_COMMIT "unknown")
  if(GIT_EXECUTABLE)
    execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --show-toplevel
                    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE top
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0)
      file(REAL_PATH "${top}" top)
      file(REAL_PATH "${SOURCE_DIR}" source)
    endif()
    if(rc EQUAL 0 AND top STREQUAL source)
      execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short HEAD
                      WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE commit
                      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(rc EQUAL 0 AND commit MATCHES "^[0-9a-f]+$")
        set(SNOC_BUILD_COMMIT "${commit}")
        # Tracked files only (untracked ones are not part of the build's
        # sources); --no-optional-locks: never take index.lock from a build.
        execute_process(COMMAND "${GIT_EXECUTABLE}" --no-optional-locks status --porcelain --untracked-files=no
                        WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE changes ERROR_QUIET)
        if(NOT rc EQUAL 0 OR NOT changes STREQUAL "")
          string(APPEND SNOC_BUILD_COMMIT "-dirty")
        endif()
      endif()
    endif()
  endif()
  set(SNOC_BUILD_VERSION "${VERSION}")
  # configure_file leaves OUT untouched when its text would not change.
  configure_file("${TEMPLATE}" "${OUT}" @ONLY)
  return()
endif()

function(snoc_build_info out_var)
  find_package(Git QUIET)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/build_info.cpp")
  add_custom_target(snoc_build_info
    COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${PROJECT_SOURCE_DIR}"
            "-DTEMPLATE=${PROJECT_SOURCE_DIR}/controller/build_info.cpp.in" "-DOUT=${out}"
            "-DVERSION=${PROJECT_VERSION}" "-DGIT_EXECUTABLE=${GIT_EXECUTABLE}"
            -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
    BYPRODUCTS "${out}"
    DEPENDS "${PROJECT_SOURCE_DIR}/controller/build_info.cpp.in"
    COMMENT "Reading the git commit for snoc --version"
    VERBATIM)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
