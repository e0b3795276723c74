#include "offload/placement.h"

namespace snoc::offload {

std::optional<Placement> placement_from_name(std::string_view name) {
    for (auto p : {Placement::Hardware, Placement::TcSoftware, Placement::Ovs, Placement::Failed}) {
        if (to_string(p) == name) return p;
    }
    // Short forms operators type on the command line.
    if (name == "hw") return Placement::Hardware;
    if (name == "tc") return Placement::TcSoftware;
    return std::nullopt;
}

}  // namespace snoc::offload
