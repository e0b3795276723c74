// Loads NIC profiles (nic-profiles/*.yaml) into offload::NicProfile, with the
// same file:line:column diagnostics as the deployment spec.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/diagnostics.h"
#include "offload/nic_profile.h"

namespace snoc {

using ProfileMap = std::map<std::string, offload::NicProfile, std::less<>>;

// Parses one profile. `file` names it in diagnostics and must end in
// "<name>.yaml" where <name> is the profile's name: key.
std::optional<offload::NicProfile> load_profile(std::string_view text, const std::string& file, Diagnostics& diags);

// The built-in profiles, then every *.yaml in each of `dirs` (a later file
// with the same name replaces an earlier profile). Invalid files are reported
// and skipped; valid ones still load.
// A profile file larger than this is refused before parsing.
inline constexpr size_t kMaxProfileFileBytes = 1u << 20;
ProfileMap load_profiles(const std::vector<std::string>& dirs, Diagnostics& diags);

}  // namespace snoc
