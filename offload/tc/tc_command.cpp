// Renders a TcRule as iproute2's `tc filter add ... flower ...`: the match
// keys row by row of flower_key_table.cpp (the table the netlink encoder
// reads), the actions as action_lowering.cpp lowers them for the encoder,
// each printed by its registry entry (action_kind.h).
#include "offload/tc/tc_command.h"

#include <linux/if_ether.h>

#include <set>
#include <sstream>

#include "flow/flag_names.h"
#include "flow/policy_values.h"
#include "offload/tc/action_lowering.h"
#include "offload/tc/flower_key_table.h"
#include "offload/tc/tc_words.h"

namespace snoc::offload::tc {
namespace {

using flow::Field;

uint64_t value_of(const flow::Match& m, Field f) { return m.get(f).value_uint(flow::field_info(f).bytes); }
uint64_t mask_of(const flow::Match& m, Field f) { return m.get(f).mask_uint(flow::field_info(f).bytes); }

std::string protocol_word(const flow::Match& m) {
    if (has_vlan(m)) return "802.1Q";
    if (!m.has(Field::EthType)) return "all";
    switch (value_of(m, Field::EthType)) {
        case ETH_P_IP: return "ip";
        case ETH_P_IPV6: return "ipv6";
        case ETH_P_ARP: return "arp";
        default: return tc_hex(value_of(m, Field::EthType));
    }
}

std::string ct_flags_word(const flow::Match& m) {
    const uint64_t v = value_of(m, Field::CtState), mk = mask_of(m, Field::CtState);
    std::string out;
    for (const CtFlag& f : flower_ct_flags()) {
        if (mk & f.ovs_bit) out += ((v & f.ovs_bit) ? "+" : "-") + std::string(flow::flag_name(Field::CtState, f.ovs_bit));
    }
    return out;
}

// The value after the key's word.
std::string key_value(const FlowerKey& k, const flow::Match& m) {
    const Field f = k.field;
    switch (k.print) {
        case KeyPrint::Syntax: return flow::syntax::format_value(f, m.get(f));
        case KeyPrint::Number:  // "N" for a full mask, "N/0xMASK" otherwise
            return std::to_string(value_of(m, f)) + (flow::is_exact(f, m.get(f)) ? "" : "/" + tc_hex(mask_of(m, f)));
        case KeyPrint::Decimal: return std::to_string(value_of(m, f));
        case KeyPrint::HexMasked:
            if (k.codec == KeyCodec::Tos) return tc_hex(tos_byte(m).value) + "/" + tc_hex(tos_byte(m).mask);
            return tc_hex(value_of(m, f)) + "/" + tc_hex(mask_of(m, f));
        case KeyPrint::IpProtoWord: {
            // tc reads a numeric ip_proto as hexadecimal (f_flower.c), so "47" would be 0x47.
            const auto name = ip_proto_name(static_cast<uint8_t>(value_of(m, f)));
            return name.empty() ? tc_hex(value_of(m, f)) : std::string(name);
        }
        case KeyPrint::EthTypeWord: {
            const uint64_t t = value_of(m, f);
            return t == ETH_P_IP ? "ip" : t == ETH_P_IPV6 ? "ipv6" : tc_hex(t);
        }
        case KeyPrint::CtFlags: return ct_flags_word(m);
        case KeyPrint::Header: return {};
    }
    return {};
}

void match_keys(const flow::Match& m, std::ostringstream& o) {
    std::set<Field> printed;  // a field with a row per protocol (ports, ICMP) prints once
    for (const FlowerKey& k : flower_keys()) {
        if (k.print == KeyPrint::Header || !key_present(k, m) || (k.ip_proto && !printed.insert(k.field).second)) {
            continue;
        }
        o << " " << k.word << " " << key_value(k, m);
    }
}

// Every action is "action KIND ARGS"; the first carries the owner cookie.
std::string actions(const TcRule& rule, const TranslateContext& ctx) {
    std::ostringstream o;
    bool first = true;
    for (const TcAction& a : lower_actions(rule, ctx)) {
        o << " action " << (a.kind ? a.kind->print(a, ctx) : std::get<NoTcForm>(a.params).comment);
        if (first && rule.cookie) {
            o << " cookie ";
            char buf[3];
            for (char c : kCookieMagic) std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(c)), o << buf;
            for (int b = 7; b >= 0; --b) {
                std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>((rule.cookie >> (8 * b)) & 0xff));
                o << buf;
            }
        }
        first = false;
    }
    return o.str();
}

}  // namespace

std::string tc_command(const TcRule& rule, const TranslateContext& ctx) {
    std::ostringstream o;
    o << "tc filter add dev " << rule.dev << " ingress protocol " << protocol_word(rule.flow.match) << " chain "
      << rule.chain << " pref " << rule.prio << " handle " << tc_hex(rule.handle) << " flower";
    if (rule.skip == SkipPolicy::SkipSw) o << " skip_sw";
    if (rule.skip == SkipPolicy::SkipHw) o << " skip_hw";
    match_keys(rule.flow.match, o);
    o << actions(rule, ctx);
    return o.str();
}

}  // namespace snoc::offload::tc
