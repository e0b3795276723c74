#include "controller/nic/nic_state.h"
#include "flow/enum_names.h"

namespace snoc::nic {

std::string_view to_string(PortFlavour f) {
    static constexpr std::array<std::string_view, 5> kNames{"physical", "pcipf", "pcivf", "pcisf", "other"};
    static_assert(names_cover(kNames, PortFlavour::Other));
    return name_of(f, kNames);
}

const DevlinkPort* NicState::vf_port(uint16_t vf) const {
    for (const auto& p : ports) {
        if (p.flavour == PortFlavour::PciVf && p.vf == vf) return &p;
    }
    return nullptr;
}

const DevlinkPort* NicState::uplink_port() const {
    for (const auto& p : ports) {
        if (p.flavour == PortFlavour::Physical) return &p;
    }
    return nullptr;
}

const VfLink* NicState::vf_link(uint32_t vf) const {
    for (const auto& l : vf_links) {
        if (l.vf == vf) return &l;
    }
    return nullptr;
}

const NetdevState* NicState::netdev(int ifindex) const {
    for (const auto& n : netdevs) {
        if (n.ifindex == ifindex && ifindex != 0) return &n;
    }
    return nullptr;
}

}  // namespace snoc::nic
