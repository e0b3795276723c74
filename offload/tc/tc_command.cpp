// Renders a TcRule as iproute2's `tc filter add ... flower ...`. Match keys
// come from one table (field -> tc keyword), so every field the netlink
// encoder writes has exactly one spelling here; the few keys whose spelling
// depends on other fields (ports by protocol, ICMP, TOS, conntrack) have a
// small function each, as in flower_keys.cpp.
#include "offload/tc/tc_command.h"

#include <linux/if_ether.h>
#include <linux/tc_act/tc_csum.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <span>
#include <sstream>

#include "offload/net_address.h"
#include "offload/policy_values.h"
#include "offload/tc/flower_actions.h"
#include "offload/tc/pedit.h"

namespace snoc::offload::tc {
namespace {

using flow::Field;
using flow::Masked;

// Fields with a tc keyword and the same notation as the policy syntax.
struct KeyWord {
    Field field;
    const char* tc;
};
constexpr std::array<KeyWord, 9> kKeyWords = {{
    {Field::EthSrc, "src_mac"},
    {Field::EthDst, "dst_mac"},
    {Field::Ipv4Src, "src_ip"},
    {Field::Ipv4Dst, "dst_ip"},
    {Field::Ipv6Src, "src_ip"},
    {Field::Ipv6Dst, "dst_ip"},
    {Field::TunSrc, "enc_src_ip"},
    {Field::TunDst, "enc_dst_ip"},
    {Field::IpTtl, "ip_ttl"},
}};

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

uint64_t value_of(const flow::Match& m, Field f) { return m.get(f).value_uint(flow::field_info(f).bytes); }
uint64_t mask_of(const flow::Match& m, Field f) { return m.get(f).mask_uint(flow::field_info(f).bytes); }

// "N" for a full mask, "N/0xMASK" otherwise.
std::string number(const flow::Match& m, Field f) {
    std::string s = std::to_string(value_of(m, f));
    if (!flow::is_exact(f, m.get(f))) s += "/" + hex(mask_of(m, f));
    return s;
}

std::string protocol_word(const flow::Match& m) {
    if (m.has(Field::VlanVid) || m.has(Field::VlanPcp)) return "802.1Q";
    if (!m.has(Field::EthType)) return "all";
    switch (value_of(m, Field::EthType)) {
        case ETH_P_IP: return "ip";
        case ETH_P_IPV6: return "ipv6";
        case ETH_P_ARP: return "arp";
        default: return hex(value_of(m, Field::EthType));
    }
}

std::string ip_proto_word(uint64_t p) {
    switch (p) {
        case 1: return "icmp";
        case 6: return "tcp";
        case 17: return "udp";
        case 58: return "icmpv6";
        case 132: return "sctp";
        // tc reads a numeric ip_proto as hexadecimal (f_flower.c), so "47" would be 0x47.
        default: return hex(p);
    }
}

void vlan_keys(const flow::Match& m, std::ostringstream& o) {
    if (m.has(Field::VlanVid)) o << " vlan_id " << value_of(m, Field::VlanVid);
    if (m.has(Field::VlanPcp)) o << " vlan_prio " << value_of(m, Field::VlanPcp);
    if ((m.has(Field::VlanVid) || m.has(Field::VlanPcp)) && m.has(Field::EthType)) {
        const uint64_t t = value_of(m, Field::EthType);
        o << " vlan_ethtype " << (t == ETH_P_IP ? "ip" : t == ETH_P_IPV6 ? "ipv6" : hex(t));
    }
}

void l4_keys(const flow::Match& m, std::ostringstream& o) {
    if (m.has(Field::TpSrc)) o << " src_port " << number(m, Field::TpSrc);
    if (m.has(Field::TpDst)) o << " dst_port " << number(m, Field::TpDst);
    if (m.has(Field::TcpFlags)) o << " tcp_flags " << hex(value_of(m, Field::TcpFlags)) << "/" << hex(mask_of(m, Field::TcpFlags));
    // tc spells ICMP and ICMPv6 type / code alike; ip_proto (printed first) tells them apart.
    if (m.has(Field::IcmpType)) o << " type " << value_of(m, Field::IcmpType);
    if (m.has(Field::IcmpCode)) o << " code " << value_of(m, Field::IcmpCode);
}

// DSCP and ECN share the TOS byte in flower.
void tos_key(const flow::Match& m, std::ostringstream& o) {
    if (!m.has(Field::IpDscp) && !m.has(Field::IpEcn)) return;
    uint64_t tos = 0, mask = 0;
    if (m.has(Field::IpDscp)) tos |= value_of(m, Field::IpDscp) << 2, mask |= mask_of(m, Field::IpDscp) << 2;
    if (m.has(Field::IpEcn)) tos |= value_of(m, Field::IpEcn) & 3, mask |= mask_of(m, Field::IpEcn) & 3;
    o << " ip_tos " << hex(tos) << "/" << hex(mask & 0xff);
}

void conntrack_keys(const flow::Match& m, std::ostringstream& o) {
    if (m.has(Field::CtState)) {
        constexpr std::array<std::pair<uint32_t, const char*>, 6> kBits = {{
            {flow::kCtTrk, "trk"}, {flow::kCtNew, "new"}, {flow::kCtEst, "est"},
            {flow::kCtRel, "rel"}, {flow::kCtRpl, "rpl"}, {flow::kCtInv, "inv"},
        }};
        const uint64_t v = value_of(m, Field::CtState), mk = mask_of(m, Field::CtState);
        o << " ct_state ";
        for (auto [bit, name] : kBits) {
            if (mk & bit) o << ((v & bit) ? "+" : "-") << name;
        }
    }
    if (m.has(Field::CtZone)) o << " ct_zone " << value_of(m, Field::CtZone);
    if (m.has(Field::CtMark)) o << " ct_mark " << hex(value_of(m, Field::CtMark)) << "/" << hex(mask_of(m, Field::CtMark));
    if (m.has(Field::TunId)) o << " enc_key_id " << value_of(m, Field::TunId);
}

void match_keys(const flow::Match& m, std::ostringstream& o) {
    vlan_keys(m, o);
    // tc reads ports and ICMP keys by the ip_proto given before them.
    if (m.has(Field::IpProto)) o << " ip_proto " << ip_proto_word(value_of(m, Field::IpProto));
    for (const KeyWord& k : kKeyWords) {
        if (m.has(k.field)) o << " " << k.tc << " " << flow::syntax::format_value(k.field, m.get(k.field));
    }
    tos_key(m, o);
    l4_keys(m, o);
    conntrack_keys(m, o);
}

// The pedit spelling of a rewrite: "eth dst", "ip src", "tcp dport", ...
std::string pedit_target(Field f, const flow::Match& m) {
    const bool v6 = m.has(Field::EthType) && value_of(m, Field::EthType) == ETH_P_IPV6;
    const bool udp = m.has(Field::IpProto) && value_of(m, Field::IpProto) == 17;
    switch (f) {
        case Field::EthSrc: return "eth src";
        case Field::EthDst: return "eth dst";
        case Field::Ipv4Src: return "ip src";
        case Field::Ipv4Dst: return "ip dst";
        case Field::Ipv6Src: return "ip6 src";
        case Field::Ipv6Dst: return "ip6 dst";
        case Field::IpTtl: return v6 ? "ip6 hoplimit" : "ip ttl";
        case Field::IpDscp:
        case Field::IpEcn: return v6 ? "ip6 traffic_class" : "ip tos";
        case Field::TpSrc: return udp ? "udp sport" : "tcp sport";
        case Field::TpDst: return udp ? "udp dport" : "tcp dport";
        default: return std::string(to_string(f));
    }
}

// One rewrite as a pedit munge. pedit sets whole header fields, so DSCP and
// ECN (bits of the TOS byte) and masked rewrites name the bits they change
// with "retain", as the netlink key's mask does.
std::string munge(const flow::SetField& sf, const flow::Match& m) {
    const std::string head = " munge " + pedit_target(sf.field, m) + " set ";
    if (sf.field == Field::IpDscp || sf.field == Field::IpEcn) {
        const unsigned shift = sf.field == Field::IpDscp ? 2 : 0;
        const uint64_t bits = sf.field == Field::IpDscp ? 0xfc : 0x03;
        return head + hex((sf.value.value_uint(1) << shift) & bits) + " retain " +
               hex((sf.value.mask_uint(1) << shift) & bits);
    }
    const size_t bytes = flow::field_info(sf.field).bytes;
    if (flow::field_info(sf.field).kind == flow::FieldKind::Uint && bytes <= 4 && !flow::is_exact(sf.field, sf.value)) {
        return head + std::to_string(sf.value.value_uint(bytes)) + " retain " + hex(sf.value.mask_uint(bytes));
    }
    return head + flow::syntax::format_value(sf.field, sf.value);
}

// The burst police_params() installs, in bytes: the meter's kilobits, else
// 100 ms of traffic, never below eight 2047-byte frames.
uint64_t police_burst_bytes(const MeterRate& m) {
    const uint64_t rate = std::max<uint64_t>(1, m.rate_kbps * 1000 / 8);
    return std::max<uint64_t>(m.burst_kb ? m.burst_kb * 1000 / 8 : rate / 10, 8 * 2047);
}

class ActionPrinter {
public:
    ActionPrinter(const TcRule& rule, const TranslateContext& ctx) : rule_(rule), ctx_(ctx) {}

    std::string print() {
        const auto& acts = rule_.flow.actions;
        if (acts.empty()) emit("drop");
        for (i_ = 0; i_ < acts.size(); ++i_) one(acts[i_], i_ + 1 == acts.size());
        return o_.str();
    }

private:
    // Every action is "action KIND ARGS"; the first carries the owner cookie.
    void emit(const std::string& text) {
        o_ << " action " << text;
        if (first_ && rule_.cookie) {
            o_ << " cookie ";
            char buf[3];
            for (char c : kCookieMagic) std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(c)), o_ << buf;
            for (int b = 7; b >= 0; --b) {
                std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>((rule_.cookie >> (8 * b)) & 0xff));
                o_ << buf;
            }
        }
        first_ = false;
    }

    void one(const flow::Action& a, bool last) {
        const auto& acts = rule_.flow.actions;
        if (const auto* out = std::get_if<flow::Output>(&a)) {
            emit(std::string("mirred egress ") + (last ? "redirect" : "mirror") + " dev " + out->port);
        } else if (const auto* enc = std::get_if<flow::TunnelEncap>(&a)) {
            net::IpAddress src, dst;
            std::copy(enc->src.begin(), enc->src.end(), src.bytes.begin());
            std::copy(enc->dst.begin(), enc->dst.end(), dst.bytes.begin());
            // The encoder always sends a UDP port: the type's own unless the flow sets one.
            const uint16_t port = enc->dst_port ? enc->dst_port : enc->type == flow::TunnelType::Geneve ? 6081 : 4789;
            emit("tunnel_key set src_ip " + net::format_ip(src) + " dst_ip " + net::format_ip(dst) + " id " +
                 std::to_string(enc->id) +
                 (enc->type != flow::TunnelType::Gre ? " dst_port " + std::to_string(port) : ""));
            emit(std::string("mirred egress ") + (last ? "redirect" : "mirror") + " dev " + enc->port);
        } else if (std::holds_alternative<flow::TunnelDecap>(a)) {
            emit("tunnel_key unset");
        } else if (std::holds_alternative<flow::Drop>(a)) {
            emit("drop");
        } else if (const auto* g = std::get_if<flow::GotoTable>(&a)) {
            emit("goto chain " + std::to_string(g->table));
        } else if (const auto* push = std::get_if<flow::PushVlan>(&a)) {
            // As the encoder: the push takes the first id and priority that follow it.
            std::optional<uint16_t> vid;
            std::optional<uint8_t> pcp;
            while (i_ + 1 < acts.size()) {
                if (const auto* v = std::get_if<flow::SetVlanVid>(&acts[i_ + 1]); v && !vid) vid = v->vid, ++i_;
                else if (const auto* p = std::get_if<flow::SetVlanPcp>(&acts[i_ + 1]); p && !pcp) pcp = p->pcp, ++i_;
                else break;
            }
            std::string text = "vlan push";
            if (push->tpid != ETH_P_8021Q) {
                text += " protocol " + (push->tpid == ETH_P_8021AD ? std::string("802.1ad") : hex(push->tpid));
            }
            emit(text + " id " + std::to_string(vid.value_or(0)) + (pcp ? " priority " + std::to_string(*pcp) : ""));
        } else if (const auto* vid = std::get_if<flow::SetVlanVid>(&a)) {
            std::string text = "vlan modify id " + std::to_string(vid->vid);
            if (i_ + 1 < acts.size()) {
                if (const auto* p = std::get_if<flow::SetVlanPcp>(&acts[i_ + 1])) {
                    text += " priority " + std::to_string(p->pcp), ++i_;
                }
            }
            emit(text);
        } else if (std::holds_alternative<flow::SetVlanPcp>(a)) {
            emit("# mod_vlan_pcp without mod_vlan_vid has no tc form");  // tc vlan modify needs an id
        } else if (std::holds_alternative<flow::PopVlan>(a)) {
            emit("vlan pop");
        } else if (is_pedit_action(a)) {
            pedit(acts);
        } else if (const auto* m = std::get_if<flow::Meter>(&a)) {
            auto it = ctx_.meters.find(m->id);
            std::string text = "police";
            if (it != ctx_.meters.end()) {
                // tc reads a burst "kbit" as 128 bytes; the bytes police_params() installs are exact.
                text += " rate " + std::to_string(it->second.rate_kbps) + "kbit burst " +
                        std::to_string(police_burst_bytes(it->second));
            }
            emit(text + " conform-exceed drop/pipe index " + std::to_string(kPoliceIndexBase + m->id));
        } else if (const auto* c = std::get_if<flow::Ct>(&a)) {
            emit(std::string("ct") + (c->commit ? " commit" : "") + (c->zone ? " zone " + std::to_string(c->zone) : ""));
            if (c->table) emit("goto chain " + std::to_string(*c->table));
        } else if (std::holds_alternative<flow::CtClear>(a)) {
            emit("ct clear");
        } else if (std::holds_alternative<flow::Normal>(a)) {
            emit("# NORMAL has no tc form");
        }
    }

    // A run of rewrites is one pedit action, then csum for what they made
    // stale: the same checksums plan_pedit() gives the netlink message.
    void pedit(const std::vector<flow::Action>& acts) {
        const size_t start = i_;
        std::string text = "pedit ex";
        for (; i_ < acts.size() && is_pedit_action(acts[i_]); ++i_) {
            if (std::holds_alternative<flow::DecTtl>(acts[i_])) {
                text += " munge " + pedit_target(Field::IpTtl, rule_.flow.match) + " add 0xff";
                continue;
            }
            text += munge(std::get<flow::SetField>(acts[i_]), rule_.flow.match);
        }
        emit(text + " pipe");
        PeditPlan plan;
        const auto run = std::span(acts).subspan(start, i_ - start);
        --i_;
        if (!plan_pedit(run, rule_.flow.match, plan).ok() || !plan.csum_flags) return;
        std::string csum = "csum";
        if (plan.csum_flags & TCA_CSUM_UPDATE_FLAG_IPV4HDR) csum += " ip4h";
        if (plan.csum_flags & TCA_CSUM_UPDATE_FLAG_TCP) csum += " tcp";
        if (plan.csum_flags & TCA_CSUM_UPDATE_FLAG_UDP) csum += " udp";
        emit(csum + " pipe");
    }

    const TcRule& rule_;
    const TranslateContext& ctx_;
    std::ostringstream o_;
    size_t i_ = 0;
    bool first_ = true;
};

}  // namespace

std::string tc_command(const TcRule& rule, const TranslateContext& ctx) {
    std::ostringstream o;
    o << "tc filter add dev " << rule.dev << " ingress protocol " << protocol_word(rule.flow.match) << " chain "
      << rule.chain << " pref " << rule.prio << " handle " << hex(rule.handle) << " flower";
    if (rule.skip == SkipPolicy::SkipSw) o << " skip_sw";
    if (rule.skip == SkipPolicy::SkipHw) o << " skip_hw";
    match_keys(rule.flow.match, o);
    o << ActionPrinter(rule, ctx).print();
    return o.str();
}

}  // namespace snoc::offload::tc
