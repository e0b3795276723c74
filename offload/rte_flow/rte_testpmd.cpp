#include "offload/rte_flow/rte_testpmd.h"

#include <cstdio>

#include "flow/net_address.h"

namespace snoc::offload::rte {

namespace {

bool all_ones(const std::array<uint8_t, 16>& m, size_t bytes) {
    for (size_t i = 0; i < bytes; ++i) {
        if (m[i] != 0xff) return false;
    }
    return true;
}

uint64_t uint_of(const std::array<uint8_t, 16>& b, size_t bytes) {
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | b[i];
    return v;
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string mac_text(const uint8_t* b) {
    net::Mac m{};
    std::copy(b, b + 6, m.begin());
    return net::format_mac(m);
}

std::string ip_text(const uint8_t* b, bool v6) {
    net::IpAddress a;
    a.v6 = v6;
    std::copy(b, b + (v6 ? 16 : 4), a.bytes.begin());
    return net::format_ip(a);
}

// Type-like fields read best in hex, counts and ports in decimal.
bool prints_hex(ItemType item, std::string_view field) {
    return (item == ItemType::Eth && field == "type") || field == "inner_type" || field == "tci" || field == "flags" || field == "tos" ||
           field == "tc";
}

std::string value_text(const ItemFieldInfo& info, const std::array<uint8_t, 16>& b) {
    switch (info.kind) {
        case ValueKind::Mac: return mac_text(b.data());
        case ValueKind::Ipv4: return ip_text(b.data(), false);
        case ValueKind::Ipv6: return ip_text(b.data(), true);
        case ValueKind::Uint: break;
    }
    const uint64_t v = uint_of(b, info.bytes);
    return prints_hex(info.item, info.field) ? hex(v) : std::to_string(v);
}

std::string item_text(const Item& item) {
    std::string out(to_string(item.type));
    for (const auto& f : item.fields) {
        const ItemFieldInfo* info = find_item_field(item.type, f.field);
        if (info == nullptr) continue;  // rte_translate only makes fields of the table
        const std::string name(f.field);
        if (all_ones(f.mask, info->bytes)) {
            out += " " + name + " is " + value_text(*info, f.spec);
        } else {
            out += " " + name + " spec " + value_text(*info, f.spec) + " " + name + " mask " + value_text(*info, f.mask);
        }
    }
    return out;
}

std::string action_text(const Action& a) {
    std::string out(to_string(a.type));
    const std::string n = std::to_string(a.number);
    switch (a.type) {
        case ActionType::RepresentedPort: return out + " ethdev_port_id " + n;
        case ActionType::PortId: return out + " id " + n;
        case ActionType::Queue: return out + " index " + n;
        case ActionType::Rss:
            out += " queues";
            for (uint16_t q : a.queues) out += " " + std::to_string(q);
            return out + " end";
        case ActionType::Mark: return out + " id " + n;
        case ActionType::Jump: return out + " group " + n;
        case ActionType::OfPushVlan: return out + " ethertype " + hex(a.number);
        case ActionType::OfSetVlanVid: return out + " vlan_vid " + n;
        case ActionType::OfSetVlanPcp: return out + " vlan_pcp " + n;
        case ActionType::SetMacSrc:
        case ActionType::SetMacDst: return out + " mac_addr " + mac_text(a.address.data());
        case ActionType::SetIpv4Src:
        case ActionType::SetIpv4Dst: return out + " ipv4_addr " + ip_text(a.address.data(), false);
        case ActionType::SetIpv6Src:
        case ActionType::SetIpv6Dst: return out + " ipv6_addr " + ip_text(a.address.data(), true);
        case ActionType::SetTpSrc:
        case ActionType::SetTpDst: return out + " port " + n;
        case ActionType::SetTtl: return out + " ttl_value " + n;
        case ActionType::SetIpv4Dscp:
        case ActionType::SetIpv6Dscp: return out + " dscp_value " + n;
        case ActionType::Meter: return out + " mtr_id " + n;
        case ActionType::Count:
        case ActionType::Drop:
        case ActionType::OfPopVlan:
        case ActionType::DecTtl:
        case ActionType::VxlanEncap:
        case ActionType::VxlanDecap: return out;
    }
    return out;
}

std::string set_vxlan_line(const VxlanEncapDef& e) {
    return "set vxlan ip-version ipv4 vni " + std::to_string(e.vni) + " udp-src " + std::to_string(e.udp_src) +
           " udp-dst " + std::to_string(e.udp_dst) + " ip-src " + ip_text(e.ip_src.data(), false) + " ip-dst " +
           ip_text(e.ip_dst.data(), false) + " eth-src " + mac_text(e.eth_src.data()) + " eth-dst " +
           mac_text(e.eth_dst.data());
}

}  // namespace

std::string render_testpmd(const Rule& rule, std::string_view verb) {
    std::string out;
    for (const auto& a : rule.actions) {
        if (a.type == ActionType::VxlanEncap) out += set_vxlan_line(a.encap) + "\n";
    }
    out += "flow " + std::string(verb) + " " + std::to_string(rule.port_id);
    if (rule.attr.group != 0) out += " group " + std::to_string(rule.attr.group);
    out += " priority " + std::to_string(rule.attr.priority) + " " + std::string(to_string(rule.attr.mode)) + " pattern";
    for (const auto& item : rule.pattern) out += " " + item_text(item) + " /";
    out += " end actions";
    for (const auto& a : rule.actions) out += " " + action_text(a) + " /";
    out += " end";
    return out;
}

}  // namespace snoc::offload::rte
