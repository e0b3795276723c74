// The NIC profiles shipped in nic-profiles/, compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

namespace snoc {

struct EmbeddedFile {
    std::string_view path;  // relative to the source tree, e.g. "nic-profiles/connectx-5.yaml"
    std::string_view text;
};

const std::vector<EmbeddedFile>& builtin_profile_files();

}  // namespace snoc
