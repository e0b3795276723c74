// Shared helpers for the unit tests: paths into the source tree and the
// built-in profiles, loaded once.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "controller/profile_loader.h"

namespace snoc::test {

inline std::filesystem::path source_dir() { return SNOC_SOURCE_DIR; }

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A gtest-safe test name from a file name ("bad-values.yaml" -> "bad_values").
inline std::string test_name(const std::filesystem::path& p) {
    std::string name = p.stem().string();
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

// A directory of its own under the temporary directory, removed at the end.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name)
        : path(std::filesystem::temp_directory_path() / ("snoc-test-" + std::to_string(::getpid()) + "-" + name)) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string str() const { return path.string(); }
};

// The built-in profiles; fails the calling test if any of them has an error.
inline const ProfileMap& builtin_profiles() {
    static const ProfileMap profiles = [] {
        Diagnostics d;
        ProfileMap p = load_profiles({}, d);
        for (const auto& x : d.all()) ADD_FAILURE() << format(x);
        return p;
    }();
    return profiles;
}

}  // namespace snoc::test
