#include "offload/rte_flow/rte_rule.h"
#include "flow/enum_names.h"

#include <array>

namespace snoc::offload::rte {

std::string_view to_string(Mode m) { return m == Mode::Transfer ? "transfer" : "ingress"; }

std::string_view to_string(ItemType t) {
    static constexpr std::array<std::string_view, 11> kNames{
        "represented_port", "eth", "vlan", "ipv4", "ipv6", "udp", "tcp", "icmp", "icmp6", "vxlan", "geneve"};
    static_assert(names_cover(kNames, ItemType::Geneve));
    return name_of(t, kNames);
}

std::string_view to_string(ActionType t) {
    static constexpr std::array<std::string_view, static_cast<size_t>(ActionType::VxlanDecap) + 1> names = {
        "represented_port", "port_id",      "queue",        "rss",          "mark",        "count",
        "drop",             "jump",         "of_push_vlan", "of_pop_vlan",  "of_set_vlan_vid",
        "of_set_vlan_pcp",  "set_mac_src",  "set_mac_dst",  "set_ipv4_src", "set_ipv4_dst",
        "set_ipv6_src",     "set_ipv6_dst", "set_tp_src",   "set_tp_dst",   "set_ttl",     "dec_ttl",
        "set_ipv4_dscp",    "set_ipv6_dscp", "meter",       "vxlan_encap",  "vxlan_decap",
    };
    const auto i = static_cast<size_t>(t);
    return i < names.size() ? names[i] : "?";
}

const std::vector<ItemFieldInfo>& item_fields() {
    // testpmd's field tokens (app/test-pmd/cmdline_flow.c, DPDK 22.11).
    static const std::vector<ItemFieldInfo> fields = {
        {ItemType::RepresentedPort, "ethdev_port_id", ValueKind::Uint, 2},
        {ItemType::Eth, "dst", ValueKind::Mac, 6},
        {ItemType::Eth, "src", ValueKind::Mac, 6},
        {ItemType::Eth, "type", ValueKind::Uint, 2},
        {ItemType::Vlan, "tci", ValueKind::Uint, 2},
        {ItemType::Vlan, "inner_type", ValueKind::Uint, 2},
        {ItemType::Ipv4, "tos", ValueKind::Uint, 1},
        {ItemType::Ipv4, "ttl", ValueKind::Uint, 1},
        {ItemType::Ipv4, "proto", ValueKind::Uint, 1},
        {ItemType::Ipv4, "src", ValueKind::Ipv4, 4},
        {ItemType::Ipv4, "dst", ValueKind::Ipv4, 4},
        {ItemType::Ipv6, "tc", ValueKind::Uint, 1},
        {ItemType::Ipv6, "proto", ValueKind::Uint, 1},
        {ItemType::Ipv6, "hop", ValueKind::Uint, 1},
        {ItemType::Ipv6, "src", ValueKind::Ipv6, 16},
        {ItemType::Ipv6, "dst", ValueKind::Ipv6, 16},
        {ItemType::Udp, "src", ValueKind::Uint, 2},
        {ItemType::Udp, "dst", ValueKind::Uint, 2},
        {ItemType::Tcp, "src", ValueKind::Uint, 2},
        {ItemType::Tcp, "dst", ValueKind::Uint, 2},
        {ItemType::Tcp, "flags", ValueKind::Uint, 1},
        {ItemType::Icmp, "type", ValueKind::Uint, 1},
        {ItemType::Icmp, "code", ValueKind::Uint, 1},
        {ItemType::Icmp6, "type", ValueKind::Uint, 1},
        {ItemType::Icmp6, "code", ValueKind::Uint, 1},
        {ItemType::Vxlan, "vni", ValueKind::Uint, 3},
        {ItemType::Geneve, "vni", ValueKind::Uint, 3},
    };
    return fields;
}

const ItemFieldInfo* find_item_field(ItemType item, std::string_view field) {
    for (const auto& f : item_fields()) {
        if (f.item == item && f.field == field) return &f;
    }
    return nullptr;
}

}  // namespace snoc::offload::rte
