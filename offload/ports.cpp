#include "offload/ports.h"

namespace snoc::offload {

std::string_view to_string(PortKind k) {
    switch (k) {
        case PortKind::Uplink: return "uplink";
        case PortKind::VfRepresentor: return "vf-representor";
        case PortKind::Veth: return "veth";
        case PortKind::Tunnel: return "tunnel";
        case PortKind::Local: return "local";
    }
    return "unknown";
}

const PortInfo* find_port(const PortDirectory& ports, std::string_view name) {
    auto it = ports.find(name);
    return it == ports.end() ? nullptr : &it->second;
}

}  // namespace snoc::offload
