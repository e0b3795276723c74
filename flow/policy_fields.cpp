// Field names and protocol shorthands of the policy syntax (see policy_fields.h).
#include "flow/policy_fields.h"

#include <cstdio>

namespace snoc::flow::syntax {
namespace {

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
constexpr uint8_t kSctp = 132;
constexpr uint8_t kIcmp = 1;
constexpr uint8_t kIcmpv6 = 58;
constexpr uint16_t kEthIp = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint16_t kEthArp = 0x0806;

constexpr uint64_t kVlanPresent = 0x1000;
constexpr uint64_t kVlanVidMask = 0x0fff;
constexpr unsigned kVlanPcpShift = 13;
constexpr uint64_t kVlanPcpMask = 0x7;
constexpr uint64_t kMaxVlanVid = 4095;
constexpr uint64_t kDlVlanUntagged = 0xffff;

// Every name ovs-ofctl accepts for a field we model, plus snoc's canonical
// names (what NIC profiles and reasons say can be written in a policy too).
// Exactly one row per field prints: the ovs-ofctl name, except that the DSCP
// bits print as nw_tos because that is what ovs-ofctl prints.
constexpr FieldSyntax kFieldSyntax[] = {
    {"dl_src", Field::EthSrc, Form::Plain, true},
    {"eth_src", Field::EthSrc},
    {"dl_dst", Field::EthDst, Form::Plain, true},
    {"eth_dst", Field::EthDst},
    {"dl_type", Field::EthType, Form::Plain, true},
    {"eth_type", Field::EthType},
    {"dl_vlan", Field::VlanVid, Form::DlVlan, true},
    {"vlan_vid", Field::VlanVid, Form::VlanVid},
    {"vlan_tci", Field::VlanVid, Form::VlanTci, false, true},
    {"dl_vlan_pcp", Field::VlanPcp, Form::Plain, true},
    {"vlan_pcp", Field::VlanPcp},
    {"nw_src", Field::Ipv4Src, Form::Plain, true},
    {"ip_src", Field::Ipv4Src},
    {"ipv4_src", Field::Ipv4Src},
    {"nw_dst", Field::Ipv4Dst, Form::Plain, true},
    {"ip_dst", Field::Ipv4Dst},
    {"ipv4_dst", Field::Ipv4Dst},
    {"ipv6_src", Field::Ipv6Src, Form::Plain, true},
    {"ipv6_dst", Field::Ipv6Dst, Form::Plain, true},
    {"nw_proto", Field::IpProto, Form::Plain, true},
    {"ip_proto", Field::IpProto},
    {"nw_tos", Field::IpDscp, Form::Tos, true},
    {"ip_dscp", Field::IpDscp},
    {"nw_ecn", Field::IpEcn, Form::Plain, true},
    {"ip_ecn", Field::IpEcn},
    {"nw_ttl", Field::IpTtl, Form::Plain, true},
    {"ip_ttl", Field::IpTtl},
    {"tp_src", Field::TpSrc, Form::Plain, true},
    {"tcp_src", Field::TpSrc, Form::Plain, false, false, kTcp},
    {"udp_src", Field::TpSrc, Form::Plain, false, false, kUdp},
    {"sctp_src", Field::TpSrc, Form::Plain, false, false, kSctp},
    {"tp_dst", Field::TpDst, Form::Plain, true},
    {"tcp_dst", Field::TpDst, Form::Plain, false, false, kTcp},
    {"udp_dst", Field::TpDst, Form::Plain, false, false, kUdp},
    {"sctp_dst", Field::TpDst, Form::Plain, false, false, kSctp},
    {"tcp_flags", Field::TcpFlags, Form::Plain, true},
    // ovs-ofctl prints icmp_type for ICMPv6 as well and accepts it back.
    {"icmp_type", Field::IcmpType, Form::Plain, true},
    {"icmpv6_type", Field::IcmpType, Form::Plain, false, false, kIcmpv6},
    {"icmp_code", Field::IcmpCode, Form::Plain, true},
    {"icmpv6_code", Field::IcmpCode, Form::Plain, false, false, kIcmpv6},
    {"tun_id", Field::TunId, Form::Plain, true},
    {"tunnel_id", Field::TunId},
    {"tun_src", Field::TunSrc, Form::Plain, true},
    {"tun_dst", Field::TunDst, Form::Plain, true},
    {"ct_state", Field::CtState, Form::Plain, true},
    {"ct_zone", Field::CtZone, Form::Plain, true},
    {"ct_mark", Field::CtMark, Form::Plain, true},
};

constexpr bool one_printing_row_per_field() {
    for (size_t f = 0; f < kFieldCount; ++f) {
        int printing = 0;
        for (const auto& s : kFieldSyntax) {
            if (static_cast<size_t>(s.field) == f && s.prints) ++printing;
        }
        if (printing != 1) return false;
    }
    return true;
}
static_assert(one_printing_row_per_field(), "each field needs exactly one printing name");

constexpr Shorthand kShorthands[] = {
    {"ip", kEthIp, std::nullopt},      {"ipv6", kEthIpv6, std::nullopt}, {"arp", kEthArp, std::nullopt},
    {"tcp", kEthIp, kTcp},             {"udp", kEthIp, kUdp},            {"sctp", kEthIp, kSctp},
    {"icmp", kEthIp, kIcmp},           {"tcp6", kEthIpv6, kTcp},         {"udp6", kEthIpv6, kUdp},
    {"sctp6", kEthIpv6, kSctp},        {"icmp6", kEthIpv6, kIcmpv6},
};

std::string str(std::string_view s) { return std::string(s); }

std::string range_error(std::string_view name, uint64_t max, std::string_view got) {
    return str(name) + " must be 0.." + std::to_string(max) + ", got " + quoted(got);
}

// nw_tos / mod_nw_tos: the TOS byte; the ECN bits belong to nw_ecn.
Result<uint64_t> parse_tos(std::string_view value, std::string_view name) {
    if (value.find('/') != std::string_view::npos) return no_mask(name, value);
    const auto tos = parse_number(value, 255, name);
    if (!tos) return tos;
    if (*tos & 0x3) {
        return Fail{str(name) + " must have its two low (ECN) bits clear, got " + quoted(value) +
                    "; match or set ECN with nw_ecn"};
    }
    return *tos >> 2;
}

// dl_vlan / mod_vlan_vid: a bare VLAN id.
Result<uint64_t> parse_dl_vlan(std::string_view value, std::string_view name) {
    if (value.find('/') != std::string_view::npos) return no_mask(name, value);
    const auto vid = parse_number(value, UINT16_MAX, name);
    if (!vid) return vid;
    if (*vid == kDlVlanUntagged) {
        return Fail{"matching untagged frames is not supported (" + str(name) + "=0xffff)"};
    }
    if (*vid > kMaxVlanVid) return Fail{range_error(name, kMaxVlanVid, value)};
    return vid;
}

// OXM vlan_vid: 0x1000 | id. The present bit is optional when setting; in a
// match its absence means "untagged", which snoc does not support.
Result<uint64_t> parse_oxm_vlan_vid(std::string_view value, std::string_view name, bool in_match) {
    if (value.find('/') != std::string_view::npos) return no_mask(name, value);
    const auto v = parse_number(value, kVlanPresent | kVlanVidMask, name);
    if (!v) return v;
    if (in_match && !(*v & kVlanPresent)) {
        return Fail{"matching untagged frames is not supported: " + str(name) + "=" + str(value) +
                    " lacks the 0x1000 (tag present) bit; write " + str(name) + "=" +
                    hex(kVlanPresent | *v) + " or dl_vlan=" + std::to_string(*v)};
    }
    return *v & kVlanVidMask;
}

// vlan_tci=V[/M]: split into VLAN id and PCP, refusing what the model cannot
// say (untagged frames, "any tagged frame").
Result<std::vector<FieldValue>> parse_vlan_tci(std::string_view value, std::string_view name) {
    const size_t slash = value.find('/');
    const std::string_view v_text = value.substr(0, slash);
    const auto v = parse_number(v_text, UINT16_MAX, name);
    if (!v) return located(v.fail(), v_text);
    uint64_t mask = UINT16_MAX;
    if (slash != std::string_view::npos) {
        const std::string_view m_text = value.substr(slash + 1);
        const auto m = parse_number(m_text, UINT16_MAX, "the mask of " + str(name));
        if (!m) return located(m.fail(), m_text);
        mask = *m;
    }
    const uint64_t tci = *v & mask;
    const uint64_t vid_mask = mask & kVlanVidMask;
    const uint64_t pcp_mask = (mask >> kVlanPcpShift) & kVlanPcpMask;
    std::vector<FieldValue> out;
    if (mask == 0) return out;  // matches every frame: nothing to store
    if ((mask & kVlanPresent) && !(tci & kVlanPresent)) {
        return Fail{"matching untagged frames is not supported (" + str(name) + "=" + str(value) +
                    " has the 0x1000 tag-present bit in the mask but not in the value)"};
    }
    if (!(mask & kVlanPresent) && (tci & ~kVlanPresent) == 0) {
        return Fail{str(name) + "=" + str(value) +
                    " also matches untagged frames, which is not supported; set the 0x1000 bit in value and mask"};
    }
    if (vid_mask == 0 && pcp_mask == 0) {
        return Fail{str(name) + "=" + str(value) +
                    " matches any tagged frame, which snoc cannot express; match a VLAN id (dl_vlan=N) or PCP"};
    }
    if (vid_mask) out.push_back({Field::VlanVid, Masked::from_uint(tci & kVlanVidMask, vid_mask, 2)});
    if (pcp_mask) {
        out.push_back({Field::VlanPcp, Masked::from_uint((tci >> kVlanPcpShift) & kVlanPcpMask, pcp_mask, 1)});
    }
    return out;
}

// A set_field value is stored like a match value: within the field's bits,
// value pre-masked.
Masked canonical(Field f, Masked m) {
    const Masked full = full_mask(f);
    for (size_t i = 0; i < m.mask.size(); ++i) {
        m.mask[i] &= full.mask[i];
        m.value[i] &= m.mask[i];
    }
    return m;
}

bool mask_is_zero(const Masked& m) {
    for (auto b : m.mask) {
        if (b) return false;
    }
    return true;
}

Result<Action> to_set_action(Field f, const Masked& m, std::string_view name, std::string_view value) {
    if (mask_is_zero(m)) return Fail{"set_field with an all-zero mask changes nothing (" + str(name) + "=" +
                                     str(value) + ")"};
    if (f == Field::VlanVid) return Action{SetVlanVid{static_cast<uint16_t>(m.value_uint(2))}};
    if (f == Field::VlanPcp) return Action{SetVlanPcp{static_cast<uint8_t>(m.value_uint(1))}};
    return Action{SetField{f, m}};
}

}  // namespace

std::span<const FieldSyntax> field_syntaxes() { return kFieldSyntax; }

const FieldSyntax* find_field_syntax(std::string_view name) {
    for (const auto& s : kFieldSyntax) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

const FieldSyntax& printed_syntax(Field f) {
    for (const auto& s : kFieldSyntax) {
        if (s.field == f && s.prints) return s;
    }
    return kFieldSyntax[0];  // unreachable: the static_assert above guarantees a row
}

bool is_writable(Field f) {
    switch (f) {
        case Field::EthType:
        case Field::IpProto:
        case Field::TcpFlags:
        case Field::CtState:
        case Field::CtZone:
        case Field::CtMark: return false;
        default: return true;
    }
}

Result<std::vector<FieldValue>> parse_match_term(const FieldSyntax& s, std::string_view value) {
    auto exact = [&](Field f, uint64_t v) {
        return std::vector<FieldValue>{{f, exact_value(f, v)}};
    };
    switch (s.form) {
        case Form::Plain: {
            const auto m = parse_value(s.field, value, s.name, field_info(s.field).ofctl_maskable);
            if (!m) return m.fail();
            return std::vector<FieldValue>{{s.field, *m}};
        }
        case Form::Tos: {
            const auto dscp = parse_tos(value, s.name);
            if (!dscp) return dscp.fail();
            return exact(Field::IpDscp, *dscp);
        }
        case Form::DlVlan: {
            const auto vid = parse_dl_vlan(value, s.name);
            if (!vid) return vid.fail();
            return exact(Field::VlanVid, *vid);
        }
        case Form::VlanVid: {
            const auto vid = parse_oxm_vlan_vid(value, s.name, true);
            if (!vid) return vid.fail();
            return exact(Field::VlanVid, *vid);
        }
        case Form::VlanTci: return parse_vlan_tci(value, s.name);
    }
    return Fail{"internal error: unknown form of " + str(s.name)};
}

Result<Action> parse_set_value(const FieldSyntax& s, std::string_view value, std::string_view name, bool allow_mask) {
    switch (s.form) {
        case Form::Plain: {
            const bool maskable = allow_mask && field_info(s.field).ofctl_maskable;
            const auto m = parse_value(s.field, value, name, maskable);
            if (!m) return m.fail();
            return to_set_action(s.field, canonical(s.field, *m), name, value);
        }
        case Form::Tos: {
            const auto dscp = parse_tos(value, name);
            if (!dscp) return dscp.fail();
            return Action{SetField{Field::IpDscp, exact_value(Field::IpDscp, *dscp)}};
        }
        case Form::DlVlan:
        case Form::VlanVid: {
            if (value.find('/') != std::string_view::npos) return no_mask(name, value);
            const auto vid = s.form == Form::DlVlan ? parse_number(value, kMaxVlanVid, name)
                                                    : parse_oxm_vlan_vid(value, name, false);
            if (!vid) return vid.fail();
            return Action{SetVlanVid{static_cast<uint16_t>(*vid)}};
        }
        case Form::VlanTci: break;
    }
    return Fail{str(s.name) + " can only be matched, not set; use mod_vlan_vid:N or mod_vlan_pcp:N"};
}

std::string format_term_value(const FieldSyntax& s, const Masked& m) {
    const auto& info = field_info(s.field);
    switch (s.form) {
        case Form::Tos: {
            std::string out = std::to_string(m.value_uint(1) << 2);
            if (!is_exact(s.field, m)) out += "/" + hex(m.mask_uint(1) << 2);  // not parseable, but not lossy
            return out;
        }
        case Form::DlVlan:
        case Form::VlanVid:
            if (!is_exact(s.field, m)) return format_value(s.field, m);
            return s.form == Form::DlVlan ? std::to_string(m.value_uint(info.bytes))
                                          : hex(kVlanPresent | m.value_uint(info.bytes));
        case Form::Plain:
        case Form::VlanTci: break;
    }
    return format_value(s.field, m);
}

std::string format_vlan_tci(const std::optional<Masked>& vid, const std::optional<Masked>& pcp) {
    uint64_t value = kVlanPresent;
    uint64_t mask = kVlanPresent;
    if (vid) {
        value |= vid->value_uint(2) & kVlanVidMask;
        mask |= vid->mask_uint(2) & kVlanVidMask;
    }
    if (pcp) {
        value |= (pcp->value_uint(1) & kVlanPcpMask) << kVlanPcpShift;
        mask |= (pcp->mask_uint(1) & kVlanPcpMask) << kVlanPcpShift;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "vlan_tci=0x%04x/0x%04x", static_cast<unsigned>(value),
                  static_cast<unsigned>(mask));
    return buf;
}

std::string format_term(Field f, const Masked& m) {
    // dl_vlan and dl_vlan_pcp take no mask; only vlan_tci can carry one.
    if (f == Field::VlanVid && !is_exact(f, m)) return format_vlan_tci(m, std::nullopt);
    if (f == Field::VlanPcp && !is_exact(f, m)) return format_vlan_tci(std::nullopt, m);
    const auto& s = printed_syntax(f);
    return str(s.name) + "=" + format_term_value(s, m);
}

std::span<const Shorthand> shorthands() { return kShorthands; }

const Shorthand* find_shorthand(std::string_view name) {
    for (const auto& s : kShorthands) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

const Shorthand* shorthand_for(uint16_t eth_type, std::optional<uint8_t> proto) {
    for (const auto& s : kShorthands) {
        if (s.eth_type == eth_type && s.proto == proto) return &s;
    }
    return nullptr;
}

}  // namespace snoc::flow::syntax
