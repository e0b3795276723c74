#include "offload/ports.h"
#include "flow/enum_names.h"

namespace snoc::offload {

std::string_view to_string(PortKind k) {
    static constexpr std::array<std::string_view, 5> kNames{"uplink", "vf-representor", "veth", "tunnel", "local"};
    static_assert(names_cover(kNames, PortKind::Local));
    return name_of(k, kNames);
}

const PortInfo* find_port(const PortDirectory& ports, std::string_view name) {
    auto it = ports.find(name);
    return it == ports.end() ? nullptr : &it->second;
}

}  // namespace snoc::offload
