#include "ovs-integration/dpflow_actions.h"

#include <array>
#include <cstdint>
#include <optional>

#include "flow/net_address.h"
#include "flow/number_text.h"
#include "ovs-integration/dpflow_parse.h"

namespace snoc::ovs {
namespace {

using flow::Field;
using Untranslated = DpActionsTranslation::Untranslated;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Top-level comma split; brackets that do not balance leave one item, which
// then fails its converter and is reported.
std::vector<std::string_view> split_actions(std::string_view s) {
    std::vector<std::string_view> out;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '(' || c == '{' || c == '[') ++depth;
        else if (c == ')' || c == '}' || c == ']') --depth;
        else if (c == ',' && depth == 0) {
            out.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    out.push_back(trim(s.substr(start)));
    std::vector<std::string_view> items;
    for (auto item : out) {
        if (!item.empty()) items.push_back(item);
    }
    return items;
}

// "name=value" inside an action body, at any depth: "vni=0x2a" in
// tnl_push's header(...). `after` narrows the search to text after a marker
// ("ipv4(" for the outer addresses).
std::optional<std::string_view> attr(std::string_view body, std::string_view name, std::string_view after = "") {
    if (!after.empty()) {
        const size_t at = body.find(after);
        if (at == std::string_view::npos) return std::nullopt;
        body = body.substr(at + after.size());
    }
    size_t pos = 0;
    while ((pos = body.find(name, pos)) != std::string_view::npos) {
        const bool starts = pos == 0 || body[pos - 1] == '(' || body[pos - 1] == ',';
        const size_t eq = pos + name.size();
        if (starts && eq < body.size() && body[eq] == '=') {
            const size_t end = body.find_first_of(",)", eq + 1);
            return body.substr(eq + 1, end == std::string_view::npos ? std::string_view::npos : end - eq - 1);
        }
        pos = eq;
    }
    return std::nullopt;
}

std::optional<uint64_t> number(std::optional<std::string_view> s) {
    if (!s) return std::nullopt;
    return parse_uint_dec_or_hex(s->substr(0, s->find('/')));
}

std::optional<std::array<uint8_t, 4>> ipv4(std::optional<std::string_view> s) {
    if (!s) return std::nullopt;
    const auto ip = net::parse_ipv4(s->substr(0, s->find('/')));
    if (!ip || ip->v6) return std::nullopt;
    return std::array<uint8_t, 4>{ip->bytes[0], ip->bytes[1], ip->bytes[2], ip->bytes[3]};
}

// What one converter sees and builds.
struct Ctx {
    const DpPortMap& ports;
    std::string_view datapath;
    DpActionsTranslation& out;
    // set(tunnel(...)) waits for the output that sends it (the tunnel vport).
    std::optional<flow::TunnelEncap> pending_encap;

    void untranslated(std::string_view text, std::string why) {
        out.untranslated.push_back({std::string(text), std::move(why)});
    }
};

std::optional<flow::TunnelType> tunnel_type_of(std::string_view dp_or_ovs_name, const DpPortMap& ports,
                                               std::string_view datapath, std::optional<uint64_t> udp_port) {
    if (const DpPort* p = ports.find(dp_or_ovs_name, datapath)) {
        if (auto t = flow::tunnel_type_from_name(p->type)) return t;
    }
    if (dp_or_ovs_name.starts_with("vxlan_sys")) return flow::TunnelType::Vxlan;
    if (dp_or_ovs_name.starts_with("genev_sys")) return flow::TunnelType::Geneve;
    if (dp_or_ovs_name.starts_with("gre_sys")) return flow::TunnelType::Gre;
    if (udp_port == 4789) return flow::TunnelType::Vxlan;
    if (udp_port == 6081) return flow::TunnelType::Geneve;
    return std::nullopt;
}

void output(Ctx& c, std::string_view printed, std::string_view whole) {
    const std::string port = c.ports.resolve(printed, c.datapath);
    if (!c.pending_encap) {
        c.out.actions.push_back(flow::Output{port});
        return;
    }
    flow::TunnelEncap e = *c.pending_encap;
    c.pending_encap.reset();
    const auto type = tunnel_type_of(printed, c.ports, c.datapath, e.dst_port);
    if (!type) {
        c.untranslated(whole, "set(tunnel(...)) is sent through '" + port +
                                  "', which is not a known tunnel port, so the encapsulation type is unknown");
        return;
    }
    e.type = *type;
    e.port = port;
    c.out.actions.push_back(e);
}

// --- Converters, one per datapath action -----------------------------------

void conv_push_vlan(Ctx& c, std::string_view body, std::string_view whole) {
    const auto vid = number(attr(body, "vid"));
    const auto pcp = number(attr(body, "pcp"));
    const auto tpid = number(attr(body, "tpid"));
    if (!vid || *vid > 0xfff || (pcp && *pcp > 7) || (tpid && *tpid > 0xffff)) {
        c.untranslated(whole, "push_vlan without a readable vid");
        return;
    }
    c.out.actions.push_back(flow::PushVlan{static_cast<uint16_t>(tpid.value_or(0x8100))});
    c.out.actions.push_back(flow::SetVlanVid{static_cast<uint16_t>(*vid)});
    if (pcp && *pcp != 0) c.out.actions.push_back(flow::SetVlanPcp{static_cast<uint8_t>(*pcp)});
}

void conv_pop_vlan(Ctx& c, std::string_view, std::string_view) { c.out.actions.push_back(flow::PopVlan{}); }

void conv_ct_clear(Ctx& c, std::string_view, std::string_view) { c.out.actions.push_back(flow::CtClear{}); }

void conv_drop(Ctx& c, std::string_view, std::string_view) { c.out.actions.push_back(flow::Drop{}); }

void conv_meter(Ctx& c, std::string_view body, std::string_view whole) {
    const auto id = number(trim(body));
    if (!id || *id > UINT32_MAX) {
        c.untranslated(whole, "meter without a readable id");
        return;
    }
    c.out.actions.push_back(flow::Meter{static_cast<uint32_t>(*id)});
}

// ct(commit,zone=5,mark=0x1/0xff,nat(src=...)): conntrack; NAT has no
// canonical form and is reported on its own.
void conv_ct(Ctx& c, std::string_view body, std::string_view whole) {
    flow::Ct ct;
    for (auto item : split_actions(body)) {
        if (item == "commit" || item == "force_commit") ct.commit = true;
        else if (item.starts_with("zone=")) {
            const auto z = number(item.substr(5));
            if (!z || *z > 0xffff) {
                c.untranslated(whole, "ct zone is not a number");
                return;
            }
            ct.zone = static_cast<uint16_t>(*z);
        } else if (item.starts_with("nat")) {
            c.untranslated(item, "connection-tracking NAT has no canonical form; snoc cannot check it against the NIC");
        } else if (!item.starts_with("helper=") && !item.starts_with("timeout=")) {
            // mark= / labels= set on commit: part of ct, not separately checked.
            if (!item.starts_with("mark=") && !item.starts_with("label=")) {
                c.untranslated(item, "ct option with no canonical form");
            }
        } else {
            c.untranslated(item, "ct helpers and timeout policies have no canonical form");
        }
    }
    c.out.actions.push_back(ct);
}

// recirc(N): the packet goes round again with recirc_id N. After ct(...) it
// is ct(table=...)'s second half; alone (bond hashing), a jump to a later
// pass. The id is OVS's, not a table number: 1 marks "a later table".
void conv_recirc(Ctx& c, std::string_view, std::string_view) {
    if (!c.out.actions.empty()) {
        if (auto* ct = std::get_if<flow::Ct>(&c.out.actions.back())) {
            ct->table = 1;
            return;
        }
    }
    c.out.actions.push_back(flow::GotoTable{1});
}

// set(tunnel(tun_id=0x2a,src=...,dst=...,ttl=64,tp_dst=4789,flags(df|key))):
// the kernel datapath's encapsulation, completed by the next output.
void conv_set_tunnel(Ctx& c, std::string_view inner, std::string_view whole) {
    flow::TunnelEncap e;
    const auto dst = ipv4(attr(inner, "dst"));
    if (!dst) {
        c.untranslated(whole, "tunnel without an IPv4 destination (IPv6 underlays have no canonical form)");
        return;
    }
    e.dst = *dst;
    if (const auto src = ipv4(attr(inner, "src"))) e.src = *src;
    e.id = number(attr(inner, "tun_id")).value_or(0);
    const auto port = number(attr(inner, "tp_dst"));
    e.dst_port = static_cast<uint16_t>(port.value_or(0) & 0xffff);
    c.pending_encap = e;
}

// set(eth(...)) / set(ipv4(...)) / masked sets: each field written is a
// set_field of the canonical field; the key parser reads the body.
void conv_set(Ctx& c, std::string_view body, std::string_view whole) {
    body = trim(body);
    if (body.starts_with("tunnel(")) {
        conv_set_tunnel(c, body, whole);
        return;
    }
    DpFlow written;
    if (auto err = parse_dpflow_key(body, written)) {
        c.untranslated(whole, "unreadable set(...): " + *err);
        return;
    }
    for (const std::string& u : written.unmapped_keys) {
        c.untranslated("set(" + u + ")", "rewrites a field the canonical model has no name for");
    }
    if (written.match.in_port) c.untranslated(whole, "set(in_port) has no canonical form");
    for (Field f : written.match.present()) {
        c.out.actions.push_back(flow::SetField{f, written.match.get(f)});
    }
}

// tnl_push(tnl_port(4),header(size=50,type=4,eth(...),ipv4(src=...,dst=...,...),
// udp(src=0,dst=4789,...),vxlan(flags=0x8000000,vni=0x2a)),out_port(2)):
// the userspace datapath's encapsulation, header built in advance.
void conv_tnl_push(Ctx& c, std::string_view body, std::string_view whole) {
    flow::TunnelEncap e;
    const auto dst = ipv4(attr(body, "dst", "ipv4("));
    if (!dst) {
        c.untranslated(whole, "tnl_push without an IPv4 outer header (IPv6 underlays have no canonical form)");
        return;
    }
    e.dst = *dst;
    if (const auto src = ipv4(attr(body, "src", "ipv4("))) e.src = *src;
    const auto udp_dst = number(attr(body, "dst", "udp("));
    e.dst_port = static_cast<uint16_t>(udp_dst.value_or(0) & 0xffff);
    if (body.find("vxlan(") != std::string_view::npos) e.type = flow::TunnelType::Vxlan;
    else if (body.find("geneve(") != std::string_view::npos) e.type = flow::TunnelType::Geneve;
    else if (body.find("gre(") != std::string_view::npos) e.type = flow::TunnelType::Gre;
    else {
        c.untranslated(whole, "tnl_push of a header type with no canonical tunnel (not VXLAN, Geneve or GRE)");
        return;
    }
    e.id = number(attr(body, "vni")).value_or(number(attr(body, "key")).value_or(0));
    // odp-util prints the VNI already shifted down (vni=0x2a), GRE's key as is.
    const size_t tp = body.find("tnl_port(");
    if (tp != std::string_view::npos) {
        const std::string_view rest = body.substr(tp + 9);
        e.port = c.ports.resolve(rest.substr(0, rest.find(')')), c.datapath);
    }
    c.out.actions.push_back(e);
}

void conv_tnl_pop(Ctx& c, std::string_view, std::string_view) { c.out.actions.push_back(flow::TunnelDecap{}); }

using Converter = void (*)(Ctx&, std::string_view body, std::string_view whole);

struct ActionRule {
    std::string_view name;
    Converter convert;  // nullptr: known, but no canonical form (`why` says so)
    std::string_view why;
};

// Every action lib/odp-util.c prints (OVS 3.1). Bare port numbers and names
// are outputs and handled before the table.
constexpr std::array<ActionRule, 29> kActions = {{
    {"drop", conv_drop, ""},
    {"push_vlan", conv_push_vlan, ""},
    {"pop_vlan", conv_pop_vlan, ""},
    {"set", conv_set, ""},
    {"ct", conv_ct, ""},
    {"ct_clear", conv_ct_clear, ""},
    {"recirc", conv_recirc, ""},
    {"meter", conv_meter, ""},
    {"tnl_push", conv_tnl_push, ""},
    {"tnl_pop", conv_tnl_pop, ""},
    {"userspace", nullptr, "sends packets to ovs-vswitchd (controller, sFlow/IPFIX or slow-path processing)"},
    {"sample", nullptr, "sampling (sFlow / IPFIX) has no canonical form"},
    {"clone", nullptr, "clone(...) runs nested actions on a copy; no canonical form"},
    {"trunc", nullptr, "packet truncation has no canonical form"},
    {"hash", nullptr, "datapath hashing (bonds, select groups) has no canonical form"},
    {"check_pkt_len", nullptr, "check_pkt_len has no canonical form"},
    {"push_mpls", nullptr, "MPLS has no canonical form"},
    {"pop_mpls", nullptr, "MPLS has no canonical form"},
    {"add_mpls", nullptr, "MPLS has no canonical form"},
    {"push_eth", nullptr, "push_eth (L3 tunnels) has no canonical form"},
    {"pop_eth", nullptr, "pop_eth (L3 tunnels) has no canonical form"},
    {"push_nsh", nullptr, "NSH has no canonical form"},
    {"pop_nsh", nullptr, "NSH has no canonical form"},
    {"lb_output", nullptr, "balance-tcp bond output has no canonical form"},
    {"dec_ttl", nullptr, "datapath dec_ttl with its own exception actions has no canonical form"},
    {"psample", nullptr, "psample has no canonical form"},
    {"tnl_port", nullptr, "tunnel port option outside tnl_push"},
    {"set_field", nullptr, "unexpected set_field in datapath actions"},
    {"ct_commit", nullptr, "unexpected ct_commit in datapath actions"},
}};

bool is_port_name(std::string_view s) {
    if (s.empty() || s.find_first_of("()=/{}[] ") != std::string_view::npos) return false;
    return true;
}

}  // namespace

DpActionsTranslation translate_dp_actions(std::string_view actions, const DpPortMap& ports, std::string_view datapath) {
    DpActionsTranslation out;
    Ctx c{ports, datapath, out, std::nullopt};
    for (std::string_view item : split_actions(trim(actions))) {
        // format_odp_actions' spelling of an action list with no action in
        // it (bytes it could not read follow as ",***N leftover bytes***
        // (...)", reported as any unknown action is). No action is a drop.
        if (item == "<empty>") continue;
        const size_t open = item.find('(');
        const std::string_view name = open == std::string_view::npos ? item : item.substr(0, open);
        const ActionRule* rule = nullptr;
        for (const ActionRule& r : kActions) {
            if (r.name == name) rule = &r;
        }
        if (!rule) {
            if (open == std::string_view::npos && is_port_name(item)) {
                output(c, item, item);
            } else {
                c.untranslated(item, "datapath action '" + std::string(name) + "' is not known to snoc");
            }
            continue;
        }
        if (!rule->convert) {
            c.untranslated(item, std::string(rule->why));
            continue;
        }
        std::string_view body;
        if (open != std::string_view::npos) {
            if (item.back() != ')') {
                c.untranslated(item, "unbalanced brackets");
                continue;
            }
            body = item.substr(open + 1, item.size() - open - 2);
        }
        rule->convert(c, body, item);
    }
    if (c.pending_encap) c.untranslated("set(tunnel(...))", "tunnel metadata set but never sent through a tunnel port");
    return out;
}

}  // namespace snoc::ovs
