// Loads and validates a deployment spec. All problems are reported (not only
// the first), each with file:line:column, the YAML path and what was
// expected. A spec with errors is never returned, so nothing downstream can
// act on half-valid input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "controller/diagnostics.h"
#include "controller/profile_loader.h"
#include "controller/spec.h"

namespace snoc::spec {

// Parses `text` (named `file` in diagnostics) against the given profiles.
// Returns the spec only when there are no errors; warnings may accompany it.
std::optional<Spec> load_spec(std::string_view text, const std::string& file, const ProfileMap& profiles,
                              Diagnostics& diags);

// Reads the file and calls load_spec.
// A spec file larger than this is refused before parsing (docs/spec-reference.md, "Limits").
inline constexpr size_t kMaxSpecFileBytes = 4u << 20;
std::optional<Spec> load_spec_file(const std::string& path, const ProfileMap& profiles, Diagnostics& diags);

// The profiles (built-in, then each of `profile_dirs`) and the spec file, as
// every command loads them. The spec is nullopt when either has an error: a
// broken profile override must not leave the built-in one silently in its
// place. `profiles` holds every profile that did load.
std::optional<Spec> load_spec_and_profiles(const std::string& path, const std::vector<std::string>& profile_dirs,
                                           ProfileMap& profiles, Diagnostics& diags);

}  // namespace snoc::spec
