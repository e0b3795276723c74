// The one table of match fields. Parser, printer, NIC-profile validation,
// capability checks and docs all read it, so they cannot drift apart.
#include "flow/flow.h"
#include "flow/enum_names.h"

#include <stdexcept>

namespace snoc::flow {
namespace {

constexpr std::array<FieldInfo, kFieldCount> kFields = {{
    {Field::EthSrc, "eth_src", "dl_src", FieldKind::Mac, 6, 48, true},
    {Field::EthDst, "eth_dst", "dl_dst", FieldKind::Mac, 6, 48, true},
    {Field::EthType, "eth_type", "dl_type", FieldKind::Uint, 2, 16, false},
    {Field::VlanVid, "vlan_vid", "dl_vlan", FieldKind::Uint, 2, 12, false},
    {Field::VlanPcp, "vlan_pcp", "dl_vlan_pcp", FieldKind::Uint, 1, 3, false},
    {Field::Ipv4Src, "ipv4_src", "nw_src", FieldKind::Ipv4, 4, 32, true},
    {Field::Ipv4Dst, "ipv4_dst", "nw_dst", FieldKind::Ipv4, 4, 32, true},
    {Field::Ipv6Src, "ipv6_src", "ipv6_src", FieldKind::Ipv6, 16, 128, true},
    {Field::Ipv6Dst, "ipv6_dst", "ipv6_dst", FieldKind::Ipv6, 16, 128, true},
    {Field::IpProto, "ip_proto", "nw_proto", FieldKind::Uint, 1, 8, false},
    {Field::IpDscp, "ip_dscp", "ip_dscp", FieldKind::Uint, 1, 6, false},
    {Field::IpEcn, "ip_ecn", "nw_ecn", FieldKind::Uint, 1, 2, false},
    {Field::IpTtl, "ip_ttl", "nw_ttl", FieldKind::Uint, 1, 8, false},
    {Field::TpSrc, "tp_src", "tp_src", FieldKind::Uint, 2, 16, true},
    {Field::TpDst, "tp_dst", "tp_dst", FieldKind::Uint, 2, 16, true},
    {Field::TcpFlags, "tcp_flags", "tcp_flags", FieldKind::TcpFlags, 2, 12, true},
    {Field::IcmpType, "icmp_type", "icmp_type", FieldKind::Uint, 1, 8, false},
    {Field::IcmpCode, "icmp_code", "icmp_code", FieldKind::Uint, 1, 8, false},
    {Field::TunId, "tun_id", "tun_id", FieldKind::Uint, 8, 64, true},
    {Field::TunSrc, "tun_src", "tun_src", FieldKind::Ipv4, 4, 32, true},
    {Field::TunDst, "tun_dst", "tun_dst", FieldKind::Ipv4, 4, 32, true},
    {Field::CtState, "ct_state", "ct_state", FieldKind::CtState, 4, 8, true},
    {Field::CtZone, "ct_zone", "ct_zone", FieldKind::Uint, 2, 16, false},
    {Field::CtMark, "ct_mark", "ct_mark", FieldKind::Uint, 4, 32, true},
}};

// The table is indexed by the enum; make sure nobody reorders one without the other.
constexpr bool table_matches_enum() {
    for (size_t i = 0; i < kFields.size(); ++i) {
        if (static_cast<size_t>(kFields[i].id) != i) return false;
    }
    return true;
}
static_assert(table_matches_enum(), "kFields must list fields in enum order");

constexpr std::array<std::string_view, kActionKindCount> kActionNames = {
    "output", "drop",      "normal", "push_vlan",  "pop_vlan",   "set_vlan_vid", "set_vlan_pcp", "set_field",
    "dec_ttl", "meter",    "ct",     "ct_clear",   "goto_table", "tunnel_encap", "tunnel_decap",
    "set_queue",
};

}  // namespace

const FieldInfo& field_info(Field f) { return kFields[static_cast<size_t>(f)]; }

std::string_view to_string(Field f) { return field_info(f).name; }

std::optional<Field> field_from_name(std::string_view name) {
    for (const auto& info : kFields) {
        if (info.name == name) return info.id;
    }
    return std::nullopt;
}

const std::array<FieldInfo, kFieldCount>& all_fields() { return kFields; }

std::string_view to_string(ActionKind k) { return kActionNames[static_cast<size_t>(k)]; }

std::optional<ActionKind> action_kind_from_name(std::string_view name) {
    for (size_t i = 0; i < kActionNames.size(); ++i) {
        if (kActionNames[i] == name) return static_cast<ActionKind>(i);
    }
    return std::nullopt;
}

ActionKind kind_of(const Action& a) {
    // The variant's alternatives are declared in ActionKind order.
    static_assert(std::variant_size_v<Action> == kActionKindCount);
    return static_cast<ActionKind>(a.index());
}

std::string_view to_string(TunnelType t) {
    static constexpr std::array<std::string_view, 3> kNames{"vxlan", "geneve", "gre"};
    static_assert(names_cover(kNames, TunnelType::Gre));
    return name_of(t, kNames);
}

std::optional<TunnelType> tunnel_type_from_name(std::string_view name) {
    for (auto t : {TunnelType::Vxlan, TunnelType::Geneve, TunnelType::Gre}) {
        if (to_string(t) == name) return t;
    }
    return std::nullopt;
}

}  // namespace snoc::flow
