// Where a flow's packets run. The same four words are used by the plan
// (where a rule is expected to run), by monitoring (where it did run) and in
// metrics labels.
#pragma once

#include <cstdint>
#include <string_view>

namespace snoc::offload {

enum class Placement : uint8_t {
    Hardware,    // in the NIC's eSwitch
    TcSoftware,  // in the kernel's tc datapath, not in hardware
    Ovs,         // in OVS's own datapath (kernel module or userspace)
    Failed,      // snoc tried to install it and could not
};

constexpr std::string_view to_string(Placement p) {
    switch (p) {
        case Placement::Hardware: return "hardware";
        case Placement::TcSoftware: return "tc-software";
        case Placement::Ovs: return "ovs";
        case Placement::Failed: return "failed";
    }
    return "unknown";
}

}  // namespace snoc::offload
