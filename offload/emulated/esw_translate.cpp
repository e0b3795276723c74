#include "offload/emulated/esw_translate.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include "flow/policy_syntax.h"

namespace snoc::offload::emulated {

namespace {

using flow::Field;

Status unsupported(std::string why) { return Status::failure(EOPNOTSUPP, "emulated eSwitch: " + std::move(why)); }

// Copies a field's network-order bytes into the key and mask.
void put_bytes(uint8_t* key, uint8_t* mask, const flow::Masked& m, size_t n) {
    std::memcpy(key, m.value.data(), n);
    std::memcpy(mask, m.mask.data(), n);
}

// The tos byte holds DSCP in its upper six bits and ECN in the lower two.
void put_tos_bits(EswEntry& e, uint8_t value, uint8_t mask, unsigned shift) {
    e.key.ip_tos = static_cast<uint8_t>(e.key.ip_tos | (value << shift));
    e.mask.ip_tos = static_cast<uint8_t>(e.mask.ip_tos | (mask << shift));
}

// ICMP type / code sit in the low byte of tp_src / tp_dst, as in OVS.
void put_low_byte(__be16& key, __be16& mask, const flow::Masked& m) {
    key = htons(m.value[0]);
    mask = htons(m.mask[0]);
}

void put_vlan_bits(EswEntry& e, uint16_t value, uint16_t mask) {
    e.key.vlan_tci = static_cast<uint16_t>(e.key.vlan_tci | value | ESW_VLAN_PRESENT);
    e.mask.vlan_tci = static_cast<uint16_t>(e.mask.vlan_tci | mask | ESW_VLAN_PRESENT);
}

Status put_field(Field f, const flow::Masked& m, EswEntry& e) {
    esw_key& k = e.key;
    esw_key& x = e.mask;
    switch (f) {
        case Field::EthSrc: put_bytes(k.eth_src, x.eth_src, m, 6); return Status::success();
        case Field::EthDst: put_bytes(k.eth_dst, x.eth_dst, m, 6); return Status::success();
        case Field::EthType:
            put_bytes(reinterpret_cast<uint8_t*>(&k.eth_type), reinterpret_cast<uint8_t*>(&x.eth_type), m, 2);
            return Status::success();
        case Field::VlanVid:
            put_vlan_bits(e, static_cast<uint16_t>(m.value_uint(2) & ESW_VLAN_VID_MASK),
                          static_cast<uint16_t>(m.mask_uint(2) & ESW_VLAN_VID_MASK));
            return Status::success();
        case Field::VlanPcp:
            put_vlan_bits(e, static_cast<uint16_t>((m.value_uint(1) & 7) << 13),
                          static_cast<uint16_t>((m.mask_uint(1) & 7) << 13));
            return Status::success();
        case Field::Ipv4Src:
            put_bytes(reinterpret_cast<uint8_t*>(&k.ipv4_src), reinterpret_cast<uint8_t*>(&x.ipv4_src), m, 4);
            return Status::success();
        case Field::Ipv4Dst:
            put_bytes(reinterpret_cast<uint8_t*>(&k.ipv4_dst), reinterpret_cast<uint8_t*>(&x.ipv4_dst), m, 4);
            return Status::success();
        case Field::Ipv6Src: put_bytes(k.ipv6_src, x.ipv6_src, m, 16); return Status::success();
        case Field::Ipv6Dst: put_bytes(k.ipv6_dst, x.ipv6_dst, m, 16); return Status::success();
        case Field::IpProto: put_bytes(&k.ip_proto, &x.ip_proto, m, 1); return Status::success();
        case Field::IpDscp:
            put_tos_bits(e, static_cast<uint8_t>(m.value[0] & 0x3f), static_cast<uint8_t>(m.mask[0] & 0x3f), 2);
            return Status::success();
        case Field::IpEcn:
            put_tos_bits(e, static_cast<uint8_t>(m.value[0] & 3), static_cast<uint8_t>(m.mask[0] & 3), 0);
            return Status::success();
        case Field::IpTtl: put_bytes(&k.ip_ttl, &x.ip_ttl, m, 1); return Status::success();
        case Field::TpSrc:
            put_bytes(reinterpret_cast<uint8_t*>(&k.tp_src), reinterpret_cast<uint8_t*>(&x.tp_src), m, 2);
            return Status::success();
        case Field::TpDst:
            put_bytes(reinterpret_cast<uint8_t*>(&k.tp_dst), reinterpret_cast<uint8_t*>(&x.tp_dst), m, 2);
            return Status::success();
        case Field::TcpFlags:
            put_bytes(reinterpret_cast<uint8_t*>(&k.tcp_flags), reinterpret_cast<uint8_t*>(&x.tcp_flags), m, 2);
            return Status::success();
        case Field::IcmpType: put_low_byte(k.tp_src, x.tp_src, m); return Status::success();
        case Field::IcmpCode: put_low_byte(k.tp_dst, x.tp_dst, m); return Status::success();
        case Field::TunId:
        case Field::TunSrc:
        case Field::TunDst:
            return unsupported("cannot match " + std::string(flow::to_string(f)) + ": it has no tunnel ports");
        case Field::CtState:
        case Field::CtZone:
        case Field::CtMark:
            return unsupported("cannot match " + std::string(flow::to_string(f)) + ": it has no connection tracking");
    }
    return unsupported("cannot match field " + std::string(flow::to_string(f)));
}

// Folds the action list into one eSwitch action. OVS semantics: actions run
// in order and an empty list (or no output) drops.
class ActionFolder {
public:
    ActionFolder(const EswPortMap& ports, esw_rule& out) : ports_(ports), out_(out) {}

    Status add(const flow::Action& a) {
        if (done_) {
            return unsupported("cannot run " + std::string(flow::to_string(flow::kind_of(a))) +
                               " after the rule's output: one output per rule, nothing after it");
        }
        if (const auto* o = std::get_if<flow::Output>(&a)) return output(o->port);
        if (std::holds_alternative<flow::Drop>(a)) return finish(ESW_ACT_DROP);
        // NORMAL is OVS's own switching; the eSwitch's way to run it is to hand
        // the packet to OVS through the ingress port's representor.
        if (std::holds_alternative<flow::Normal>(a)) return finish(ESW_ACT_TRAP);
        if (const auto* p = std::get_if<flow::PushVlan>(&a)) {
            if (out_.vlan_op != ESW_VLAN_NONE) return combination("push_vlan");
            out_.vlan_op = ESW_VLAN_PUSH;
            out_.vlan_proto = htons(p->tpid);
            out_.vlan_tci = 0;
            return Status::success();
        }
        if (std::holds_alternative<flow::PopVlan>(a)) {
            if (out_.vlan_op != ESW_VLAN_NONE) return combination("pop_vlan");
            out_.vlan_op = ESW_VLAN_POP;
            return Status::success();
        }
        if (const auto* v = std::get_if<flow::SetVlanVid>(&a)) return set_tci("set_vlan_vid", v->vid & ESW_VLAN_VID_MASK, ESW_VLAN_VID_MASK);
        if (const auto* p = std::get_if<flow::SetVlanPcp>(&a)) return set_tci("set_vlan_pcp", static_cast<uint16_t>((p->pcp & 7) << 13), ESW_VLAN_PCP_MASK);
        return unsupported("cannot run action " + std::string(flow::to_string(flow::kind_of(a))));
    }

    // An action list without output or drop drops, as in OVS.
    void end() {
        if (!done_) out_.action = ESW_ACT_DROP;
    }

private:
    Status output(const std::string& port) {
        auto it = ports_.find(port);
        if (it == ports_.end()) return Status::failure(ENODEV, "emulated eSwitch: output port " + port + " is not one of its ports");
        out_.out_ifindex = it->second;
        return finish(ESW_ACT_FORWARD);
    }
    Status finish(uint8_t action) {
        out_.action = action;
        done_ = true;
        return Status::success();
    }
    Status set_tci(const char* name, uint16_t value, uint16_t mask) {
        if (out_.vlan_op == ESW_VLAN_POP) return combination(name);
        if (out_.vlan_op == ESW_VLAN_NONE) out_.vlan_op = ESW_VLAN_REWRITE;
        out_.vlan_tci = static_cast<uint16_t>((out_.vlan_tci & ~mask) | value);
        out_.vlan_tci_mask = static_cast<uint16_t>(out_.vlan_tci_mask | mask);
        return Status::success();
    }
    static Status combination(const char* name) {
        return unsupported(std::string("cannot run ") + name + " after another VLAN push / pop in the same rule");
    }

    const EswPortMap& ports_;
    esw_rule& out_;
    bool done_ = false;
};

std::string ifname(const EswPortMap& ports, uint32_t ifindex) {
    for (const auto& [name, index] : ports) {
        if (index == ifindex) return name;
    }
    return "ifindex " + std::to_string(ifindex);
}

std::string hex16(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", v & 0xffff);
    return buf;
}

}  // namespace

Status translate(const HwRule& rule, const EswPortMap& ports, EswEntry& out) {
    out = EswEntry{};
    if (rule.table != 0) {
        return unsupported("has one table (table 0); the rule is in table " + std::to_string(rule.table));
    }
    auto port = ports.find(rule.port);
    if (port == ports.end()) return Status::failure(ENODEV, "emulated eSwitch: port " + rule.port + " is not one of its ports");
    const flow::Match& m = rule.flow.match;
    if (m.in_port && *m.in_port != rule.port) {
        return Status::failure(EINVAL, "emulated eSwitch: the rule is on port " + rule.port + " but matches in_port " + *m.in_port);
    }
    out.cookie = rule.cookie;
    out.priority = rule.priority;
    out.key.in_ifindex = port->second;
    out.mask.in_ifindex = ~0u;
    for (Field f : m.present()) {
        if (auto s = put_field(f, m.get(f), out); !s.ok()) return s;
    }
    ActionFolder folder(ports, out.action);
    for (const flow::Action& a : rule.flow.actions) {
        if (auto s = folder.add(a); !s.ok()) return s;
    }
    folder.end();
    return Status::success();
}

std::string describe(const HwRule& rule, const EswPortMap& ports) {
    std::string text = "esw rule prio " + std::to_string(rule.priority) + " in_port " + rule.port;
    flow::Match m = rule.flow.match;
    m.in_port.reset();
    text += " match " + (m.empty() ? std::string("any") : flow::format_match(m));
    EswEntry e;
    if (auto s = translate(rule, ports, e); !s.ok()) return text + " (not installable: " + s.reason + ")";
    text += " action ";
    const esw_rule& a = e.action;
    if (a.vlan_op == ESW_VLAN_PUSH) text += "push_vlan:" + hex16(ntohs(a.vlan_proto)) + ",tci=" + hex16(a.vlan_tci) + " ";
    if (a.vlan_op == ESW_VLAN_POP) text += "pop_vlan ";
    if (a.vlan_op == ESW_VLAN_REWRITE) text += "rewrite_vlan:tci=" + hex16(a.vlan_tci) + "/" + hex16(a.vlan_tci_mask) + " ";
    switch (a.action) {
        case ESW_ACT_FORWARD: text += "forward:" + ifname(ports, a.out_ifindex); break;
        case ESW_ACT_TRAP: text += "trap"; break;
        default: text += "drop"; break;
    }
    return text;
}

}  // namespace snoc::offload::emulated
