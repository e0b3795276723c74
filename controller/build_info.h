// What this snoc binary is: the project version (project(VERSION) in the top
// CMakeLists.txt) and the git commit it was built from. Generated at build
// time by cmake/SnocBuildInfo.cmake from controller/build_info.cpp.in, so the
// commit follows new commits without re-running cmake.
#pragma once

#include <string>

namespace snoc {

// "0.1.0".
const char* build_version();
// `git rev-parse --short HEAD` ("2d6bba3"), with "-dirty" when tracked files
// differed from that commit; "unknown" when built outside a git work tree.
const char* build_commit();
// The `snoc --version` line without its newline: "snoc 0.1.0 (commit 2d6bba3)".
std::string version_line();

}  // namespace snoc
