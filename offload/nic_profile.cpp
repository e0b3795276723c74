#include "offload/nic_profile.h"

#include <array>

namespace snoc::offload {
namespace {

// Name tables indexed by enum value: each enum's to_string and from_name read
// the same table, so the spelling in YAML, output and docs is one spelling.
constexpr std::array<std::string_view, 3> kBackendNames = {"tc-flower", "rte_flow", "emulated"};
constexpr std::array<std::string_view, 3> kMaskNames = {"exact", "prefix", "arbitrary"};
constexpr std::array<std::string_view, 2> kModeNames = {"legacy", "switchdev"};
constexpr std::array<std::string_view, 3> kModeChangeNames = {"any", "requires_no_vfs", "requires_unbound"};

template <typename E, size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view name) {
    for (size_t i = 0; i < N; ++i) {
        if (names[i] == name) return static_cast<E>(i);
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(Backend b) { return kBackendNames[static_cast<size_t>(b)]; }
std::optional<Backend> backend_from_name(std::string_view n) { return lookup<Backend>(kBackendNames, n); }

std::string_view to_string(MaskSupport m) { return kMaskNames[static_cast<size_t>(m)]; }
std::optional<MaskSupport> mask_support_from_name(std::string_view n) { return lookup<MaskSupport>(kMaskNames, n); }

std::string_view to_string(EswitchMode m) { return kModeNames[static_cast<size_t>(m)]; }
std::optional<EswitchMode> eswitch_mode_from_name(std::string_view n) { return lookup<EswitchMode>(kModeNames, n); }

std::string_view to_string(ModeChangeRule r) { return kModeChangeNames[static_cast<size_t>(r)]; }
std::optional<ModeChangeRule> mode_change_rule_from_name(std::string_view n) {
    return lookup<ModeChangeRule>(kModeChangeNames, n);
}

}  // namespace snoc::offload
