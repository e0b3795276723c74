#include "offload/rte_flow/rte_translate.h"
#include "flow/enum_names.h"

#include <cerrno>
#include <cstring>
#include <set>
#include <variant>

namespace snoc::offload::rte {

using flow::Field;
using flow::Masked;

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmp6 = 58;

Status unsupported(const std::string& what) { return Status::failure(EOPNOTSUPP, "rte_flow: " + what); }

// Copies `bytes` bytes of a canonical value and mask into an item field.
ItemField field_from(std::string_view name, const Masked& m, size_t bytes) {
    ItemField f;
    f.field = name;
    std::memcpy(f.spec.data(), m.value.data(), bytes);
    std::memcpy(f.mask.data(), m.mask.data(), bytes);
    return f;
}

ItemField uint_field(std::string_view name, uint64_t value, uint64_t mask, size_t bytes) {
    ItemField f;
    f.field = name;
    for (size_t i = 0; i < bytes; ++i) {
        f.spec[bytes - 1 - i] = static_cast<uint8_t>(value >> (8 * i));
        f.mask[bytes - 1 - i] = static_cast<uint8_t>(mask >> (8 * i));
    }
    return f;
}

uint64_t value_of(const flow::Match& m, Field f) { return m.get(f).value_uint(flow::field_info(f).bytes); }
uint64_t mask_of(const flow::Match& m, Field f) { return m.get(f).mask_uint(flow::field_info(f).bytes); }

// Moves one canonical field into an item if the match has it.
void take(const flow::Match& m, Field f, std::string_view name, Item& item) {
    if (m.has(f)) item.fields.push_back(field_from(name, m.get(f), flow::field_info(f).bytes));
}

class Translator {
public:
    Translator(const HwRule& rule, const TranslateContext& ctx, Rule& out) : rule_(rule), m_(rule.flow.match), ctx_(ctx), out_(out) {}

    Part part = Part::Port;  // where run() stopped

    Status run(uint32_t priority) {
        out_ = Rule{};
        out_.attr.group = rule_.table;
        out_.attr.priority = priority;
        out_.attr.mode = ctx_.mode;
        const auto port = ctx_.port_id_of ? ctx_.port_id_of(rule_.port) : std::nullopt;
        if (!port) return Status::failure(ENODEV, "rte_flow: port " + rule_.port + " is not a DPDK port of this NIC");
        in_port_ = *port;
        out_.port_id = ctx_.mode == Mode::Transfer && ctx_.transfer_proxy_of ? ctx_.transfer_proxy_of(*port) : *port;
        part = Part::Match;
        if (Status s = unsupported_matches(); !s.ok()) return s;
        if (Status s = pattern(); !s.ok()) return s;
        part = Part::Action;
        return actions();
    }

private:
    Status unsupported_matches() const {
        for (Field f : {Field::CtState, Field::CtZone, Field::CtMark}) {
            if (m_.has(f)) {
                return unsupported("match on " + std::string(flow::to_string(f)) +
                                   ": snoc does not generate the conntrack item (connection state lives in the application)");
            }
        }
        if (m_.has(Field::TcpFlags) && (mask_of(m_, Field::TcpFlags) & ~0xffULL) != 0) {
            return unsupported("match on tcp_flags beyond the 8 flag bits of the TCP header (ns) has no rte_flow field");
        }
        return Status::success();
    }

    Status pattern() {
        if (ctx_.mode == Mode::Transfer) {
            out_.pattern.push_back(Item{ItemType::RepresentedPort, {uint_field("ethdev_port_id", in_port_, 0xffff, 2)}});
        }
        if (Status s = tunnel_items(); !s.ok()) return s;
        Item eth{ItemType::Eth, {}};
        take(m_, Field::EthDst, "dst", eth);
        take(m_, Field::EthSrc, "src", eth);
        const bool vlan = m_.has(Field::VlanVid) || m_.has(Field::VlanPcp);
        if (!vlan && m_.has(Field::EthType)) take(m_, Field::EthType, "type", eth);
        out_.pattern.push_back(std::move(eth));
        if (vlan) {
            uint64_t tci = 0, tci_mask = 0;
            if (m_.has(Field::VlanVid)) tci |= value_of(m_, Field::VlanVid), tci_mask |= mask_of(m_, Field::VlanVid);
            if (m_.has(Field::VlanPcp)) tci |= value_of(m_, Field::VlanPcp) << 13, tci_mask |= mask_of(m_, Field::VlanPcp) << 13;
            Item v{ItemType::Vlan, {uint_field("tci", tci, tci_mask, 2)}};
            take(m_, Field::EthType, "inner_type", v);
            out_.pattern.push_back(std::move(v));
        }
        if (!m_.has(Field::EthType)) return Status::success();
        const auto eth_type = static_cast<uint16_t>(value_of(m_, Field::EthType));
        if (eth_type == kEthIpv4) {
            Item ip{ItemType::Ipv4, {}};
            add_tos(ip, "tos");
            take(m_, Field::IpTtl, "ttl", ip);
            take(m_, Field::IpProto, "proto", ip);
            take(m_, Field::Ipv4Src, "src", ip);
            take(m_, Field::Ipv4Dst, "dst", ip);
            out_.pattern.push_back(std::move(ip));
        } else if (eth_type == kEthIpv6) {
            Item ip{ItemType::Ipv6, {}};
            add_tos(ip, "tc");
            take(m_, Field::IpProto, "proto", ip);
            take(m_, Field::IpTtl, "hop", ip);
            take(m_, Field::Ipv6Src, "src", ip);
            take(m_, Field::Ipv6Dst, "dst", ip);
            out_.pattern.push_back(std::move(ip));
        } else {
            return Status::success();  // eth type alone (ARP, LLDP, ...): nothing above L2 is matched
        }
        return l4_item(eth_type == kEthIpv6);
    }

    // DSCP and ECN share the TOS / traffic class byte.
    void add_tos(Item& ip, std::string_view name) const {
        if (!m_.has(Field::IpDscp) && !m_.has(Field::IpEcn)) return;
        uint64_t v = 0, mask = 0;
        if (m_.has(Field::IpDscp)) v |= value_of(m_, Field::IpDscp) << 2, mask |= mask_of(m_, Field::IpDscp) << 2;
        if (m_.has(Field::IpEcn)) v |= value_of(m_, Field::IpEcn), mask |= mask_of(m_, Field::IpEcn);
        ip.fields.push_back(uint_field(name, v, mask, 1));
    }

    Status l4_item(bool v6) {
        const bool ports = m_.has(Field::TpSrc) || m_.has(Field::TpDst);
        const bool icmp = m_.has(Field::IcmpType) || m_.has(Field::IcmpCode);
        if (!ports && !icmp && !m_.has(Field::TcpFlags)) return Status::success();
        if (!m_.has(Field::IpProto)) return unsupported("layer-4 match without ip_proto");
        const auto proto = static_cast<uint8_t>(value_of(m_, Field::IpProto));
        if (proto == kProtoTcp || proto == kProtoUdp) {
            Item l4{proto == kProtoTcp ? ItemType::Tcp : ItemType::Udp, {}};
            take(m_, Field::TpSrc, "src", l4);
            take(m_, Field::TpDst, "dst", l4);
            // OVS's 12-bit flags: the low 8 are the TCP header's flags byte
            // (the ns bit was refused in unsupported_matches()).
            if (proto == kProtoTcp && m_.has(Field::TcpFlags)) {
                l4.fields.push_back(uint_field("flags", value_of(m_, Field::TcpFlags) & 0xff, mask_of(m_, Field::TcpFlags) & 0xff, 1));
            }
            out_.pattern.push_back(std::move(l4));
            return Status::success();
        }
        if (proto == (v6 ? kProtoIcmp6 : kProtoIcmp)) {
            Item l4{v6 ? ItemType::Icmp6 : ItemType::Icmp, {}};
            take(m_, Field::IcmpType, "type", l4);
            take(m_, Field::IcmpCode, "code", l4);
            out_.pattern.push_back(std::move(l4));
            return Status::success();
        }
        return unsupported("layer-4 match for ip_proto " + std::to_string(proto) + ": snoc generates tcp, udp, icmp and icmp6 items only");
    }

    // A rule on a tunnel port matches the outer headers first.
    Status tunnel_items() {
        tunnel_ = ctx_.tunnel_of ? ctx_.tunnel_of(rule_.port) : std::nullopt;
        const bool tun_match = m_.has(Field::TunId) || m_.has(Field::TunSrc) || m_.has(Field::TunDst);
        if (!tunnel_) {
            if (tun_match) return unsupported("tun_* match on port " + rule_.port + ", which is not a tunnel port");
            return Status::success();
        }
        if (*tunnel_ == flow::TunnelType::Gre) return unsupported("GRE tunnel match: snoc generates vxlan and geneve items only");
        out_.pattern.push_back(Item{ItemType::Eth, {}});
        Item ip{ItemType::Ipv4, {}};
        take(m_, Field::TunSrc, "src", ip);
        take(m_, Field::TunDst, "dst", ip);
        out_.pattern.push_back(std::move(ip));
        const uint16_t udp_port = *tunnel_ == flow::TunnelType::Vxlan ? 4789 : 6081;
        out_.pattern.push_back(Item{ItemType::Udp, {uint_field("dst", udp_port, 0xffff, 2)}});
        Item tun{*tunnel_ == flow::TunnelType::Vxlan ? ItemType::Vxlan : ItemType::Geneve, {}};
        if (m_.has(Field::TunId)) {
            const uint64_t mask = mask_of(m_, Field::TunId);
            if ((value_of(m_, Field::TunId) & ~0xffffffULL) != 0) return unsupported("tun_id above 24 bits: a VNI has 24");
            tun.fields.push_back(uint_field("vni", value_of(m_, Field::TunId), mask & 0xffffff, 3));
        }
        out_.pattern.push_back(std::move(tun));
        return Status::success();
    }

    Status actions() {
        if (ctx_.count) push(ActionType::Count);
        if (rule_.flow.actions.empty()) {
            push(ActionType::Drop);
            return Status::success();
        }
        for (const auto& a : rule_.flow.actions) {
            if (Status s = std::visit([this](const auto& x) { return action(x); }, a); !s.ok()) return s;
        }
        return Status::success();
    }

    Action& push(ActionType t, uint64_t number = 0) {
        out_.actions.push_back(Action{t, number, {}, {}, {}});
        return out_.actions.back();
    }

    Status action(const flow::Output& o) {
        if (ctx_.mode == Mode::Ingress && o.port == rule_.port) {
            // Back to the application that receives on this port.
            if (ctx_.mark) push(ActionType::Mark, mark_id_for(rule_.cookie));
            if (queue_) {
                push(ActionType::Queue, *queue_);
            } else {
                Action& rss = push(ActionType::Rss);
                for (uint16_t q = 0; q < std::max<uint16_t>(ctx_.rx_queues, 1); ++q) rss.queues.push_back(q);
            }
            return Status::success();
        }
        const auto id = ctx_.port_id_of ? ctx_.port_id_of(o.port) : std::nullopt;
        if (!id) return Status::failure(ENODEV, "rte_flow: output port " + o.port + " is not a DPDK port of this NIC");
        push(ctx_.mode == Mode::Transfer ? ActionType::RepresentedPort : ActionType::PortId, *id);
        return Status::success();
    }
    Status action(const flow::SetQueue& q) {
        if (ctx_.mode != Mode::Ingress) return unsupported("set_queue in a transfer rule: queues belong to a receiving application (ingress mode)");
        queue_ = q.queue;
        return Status::success();
    }
    Status action(const flow::Drop&) {
        push(ActionType::Drop);
        return Status::success();
    }
    Status action(const flow::Normal&) { return unsupported("NORMAL (MAC learning) runs in OVS, not in a NIC table"); }
    Status action(const flow::PushVlan& p) {
        push(ActionType::OfPushVlan, p.tpid);
        return Status::success();
    }
    Status action(const flow::PopVlan&) {
        push(ActionType::OfPopVlan);
        return Status::success();
    }
    Status action(const flow::SetVlanVid& v) {
        push(ActionType::OfSetVlanVid, v.vid);
        return Status::success();
    }
    Status action(const flow::SetVlanPcp& p) {
        push(ActionType::OfSetVlanPcp, p.pcp);
        return Status::success();
    }
    Status action(const flow::SetField& s) {
        const auto& info = flow::field_info(s.field);
        if (!flow::is_exact(s.field, s.value)) {
            return unsupported("set_field on part of " + std::string(info.name) + " (rte_flow set actions rewrite whole fields)");
        }
        const auto with_address = [&](ActionType t) {
            Action& a = push(t);
            std::memcpy(a.address.data(), s.value.value.data(), info.bytes);
            return Status::success();
        };
        const uint64_t v = s.value.value_uint(info.bytes);
        const bool v6 = m_.has(Field::EthType) && value_of(m_, Field::EthType) == kEthIpv6;
        switch (s.field) {
            case Field::EthSrc: return with_address(ActionType::SetMacSrc);
            case Field::EthDst: return with_address(ActionType::SetMacDst);
            case Field::Ipv4Src: return with_address(ActionType::SetIpv4Src);
            case Field::Ipv4Dst: return with_address(ActionType::SetIpv4Dst);
            case Field::Ipv6Src: return with_address(ActionType::SetIpv6Src);
            case Field::Ipv6Dst: return with_address(ActionType::SetIpv6Dst);
            case Field::TpSrc: push(ActionType::SetTpSrc, v); return Status::success();
            case Field::TpDst: push(ActionType::SetTpDst, v); return Status::success();
            case Field::IpTtl: push(ActionType::SetTtl, v); return Status::success();
            case Field::IpDscp: push(v6 ? ActionType::SetIpv6Dscp : ActionType::SetIpv4Dscp, v); return Status::success();
            default: return unsupported("set_field on " + std::string(info.name) + " has no rte_flow set action");
        }
    }
    Status action(const flow::DecTtl&) {
        push(ActionType::DecTtl);
        return Status::success();
    }
    Status action(const flow::Meter& m) {
        push(ActionType::Meter, m.id);
        return Status::success();
    }
    Status action(const flow::Ct&) { return unsupported("ct: snoc does not generate the conntrack action"); }
    Status action(const flow::CtClear&) { return unsupported("ct_clear: snoc does not generate the conntrack action"); }
    Status action(const flow::GotoTable& g) {
        push(ActionType::Jump, g.table);
        return Status::success();
    }
    Status action(const flow::TunnelEncap& e) {
        if (e.type != flow::TunnelType::Vxlan) {
            return unsupported(std::string(flow::to_string(e.type)) + " encap: rte_flow has vxlan_encap; other tunnels need raw_encap, which snoc does not generate");
        }
        const auto macs = ctx_.encap_macs ? ctx_.encap_macs(e.dst) : std::nullopt;
        if (!macs) {
            return Status::failure(EHOSTUNREACH, "rte_flow: vxlan_encap needs the outer MAC addresses towards " +
                                                     std::to_string(e.dst[0]) + "." + std::to_string(e.dst[1]) + "." +
                                                     std::to_string(e.dst[2]) + "." + std::to_string(e.dst[3]) +
                                                     " and no neighbour entry is known");
        }
        Action& a = push(ActionType::VxlanEncap);
        a.encap.vni = static_cast<uint32_t>(e.id & 0xffffff);
        a.encap.ip_src = e.src;
        a.encap.ip_dst = e.dst;
        a.encap.udp_dst = e.dst_port ? e.dst_port : 4789;
        a.encap.eth_src = macs->first;
        a.encap.eth_dst = macs->second;
        const auto uplink = ctx_.port_id_of ? ctx_.port_id_of(e.port) : std::nullopt;
        if (!uplink) return Status::failure(ENODEV, "rte_flow: tunnel port " + e.port + " has no DPDK uplink");
        push(ctx_.mode == Mode::Transfer ? ActionType::RepresentedPort : ActionType::PortId, *uplink);
        return Status::success();
    }
    Status action(const flow::TunnelDecap&) {
        if (tunnel_ != flow::TunnelType::Vxlan) {
            return unsupported("decap of a " + std::string(tunnel_ ? flow::to_string(*tunnel_) : "non-tunnel") +
                               " port: rte_flow has vxlan_decap; other tunnels need raw_decap, which snoc does not generate");
        }
        push(ActionType::VxlanDecap);
        return Status::success();
    }

    const HwRule& rule_;
    const flow::Match& m_;
    const TranslateContext& ctx_;
    Rule& out_;
    uint16_t in_port_ = 0;
    std::optional<flow::TunnelType> tunnel_;
    std::optional<uint32_t> queue_;
};

}  // namespace

PriorityRanks::PriorityRanks(const std::vector<HwRule>& rules) {
    std::map<uint32_t, std::set<uint16_t, std::greater<>>> by_group;
    for (const auto& r : rules) by_group[r.table].insert(r.priority);
    for (const auto& [group, prios] : by_group) {
        uint32_t rank = 0;
        for (uint16_t p : prios) ranks_[{group, p}] = rank++;
    }
}

uint32_t PriorityRanks::rank(uint32_t group, uint16_t openflow_priority) const {
    auto it = ranks_.find({group, openflow_priority});
    if (it != ranks_.end()) return it->second;
    // Not among the ranked rules: place it after every ranked level of its group.
    uint32_t n = 0;
    for (const auto& [key, r] : ranks_) {
        if (key.first == group) n = std::max(n, r + 1);
    }
    return n;
}

uint32_t mark_id_for(uint64_t cookie) {
    const uint32_t id = static_cast<uint32_t>(cookie) ^ static_cast<uint32_t>(cookie >> 32);
    return id ? id : 1;
}

std::string_view to_string(Part p) {
    static constexpr std::array<std::string_view, 3> kNames{"port", "match", "action"};
    static_assert(names_cover(kNames, Part::Action));
    return name_of(p, kNames);
}

Status translate(const HwRule& rule, uint32_t priority, const TranslateContext& ctx, Rule& out, Part* failed) {
    Translator t(rule, ctx, out);
    Status s = t.run(priority);
    if (!s.ok() && failed != nullptr) *failed = t.part;
    return s;
}

}  // namespace snoc::offload::rte
