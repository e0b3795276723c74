// Where a flow's packets run. The same four words are used by the plan
// (where a rule is expected to run), by monitoring (where it did run) and in
// metrics labels.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "flow/enum_names.h"

namespace snoc::offload {

enum class Placement : uint8_t {
    Hardware,    // in the NIC's eSwitch
    TcSoftware,  // in the kernel's tc datapath, not in hardware
    Ovs,         // in OVS's own datapath (kernel module or userspace)
    Failed,      // snoc tried to install it and could not
};

inline constexpr std::array<std::string_view, 4> kPlacementNames{"hardware", "tc-software", "ovs", "failed"};
static_assert(names_cover(kPlacementNames, Placement::Failed));

constexpr std::string_view to_string(Placement p) { return name_of(p, kPlacementNames); }

}  // namespace snoc::offload
