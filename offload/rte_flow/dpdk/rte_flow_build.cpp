#include "offload/rte_flow/dpdk/rte_flow_build.h"

#include <rte_byteorder.h>

#include <cstddef>
#include <cstring>
#include <optional>

namespace snoc::offload::rte {

namespace {

rte_flow_item_type item_type(ItemType t) {
    switch (t) {
        case ItemType::RepresentedPort: return RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT;
        case ItemType::Eth: return RTE_FLOW_ITEM_TYPE_ETH;
        case ItemType::Vlan: return RTE_FLOW_ITEM_TYPE_VLAN;
        case ItemType::Ipv4: return RTE_FLOW_ITEM_TYPE_IPV4;
        case ItemType::Ipv6: return RTE_FLOW_ITEM_TYPE_IPV6;
        case ItemType::Udp: return RTE_FLOW_ITEM_TYPE_UDP;
        case ItemType::Tcp: return RTE_FLOW_ITEM_TYPE_TCP;
        case ItemType::Icmp: return RTE_FLOW_ITEM_TYPE_ICMP;
        case ItemType::Icmp6: return RTE_FLOW_ITEM_TYPE_ICMP6;
        case ItemType::Vxlan: return RTE_FLOW_ITEM_TYPE_VXLAN;
        case ItemType::Geneve: return RTE_FLOW_ITEM_TYPE_GENEVE;
    }
    return RTE_FLOW_ITEM_TYPE_VOID;
}

size_t item_size(ItemType t) {
    switch (t) {
        case ItemType::RepresentedPort: return sizeof(rte_flow_item_ethdev);
        case ItemType::Eth: return sizeof(rte_flow_item_eth);
        case ItemType::Vlan: return sizeof(rte_flow_item_vlan);
        case ItemType::Ipv4: return sizeof(rte_flow_item_ipv4);
        case ItemType::Ipv6: return sizeof(rte_flow_item_ipv6);
        case ItemType::Udp: return sizeof(rte_flow_item_udp);
        case ItemType::Tcp: return sizeof(rte_flow_item_tcp);
        case ItemType::Icmp: return sizeof(rte_flow_item_icmp);
        case ItemType::Icmp6: return sizeof(rte_flow_item_icmp6);
        case ItemType::Vxlan: return sizeof(rte_flow_item_vxlan);
        case ItemType::Geneve: return sizeof(rte_flow_item_geneve);
    }
    return 0;
}

// Where an item field lives in its rte_flow structure. Network-order bytes
// are copied as they are, except the two that DPDK keeps otherwise: the
// ethdev port id is in host order, and IPv6's traffic class sits in bits
// 20-27 of the big-endian vtc_flow word.
enum class Placing : uint8_t { Bytes, HostU16, Ipv6TrafficClass };
struct Slot {
    size_t offset;
    Placing placing = Placing::Bytes;
};

std::optional<Slot> field_slot(ItemType item, std::string_view f) {
    using P = Placing;
    switch (item) {
        case ItemType::RepresentedPort:
            if (f == "ethdev_port_id") return Slot{offsetof(rte_flow_item_ethdev, port_id), P::HostU16};
            break;
        case ItemType::Eth:
            if (f == "dst") return Slot{offsetof(rte_flow_item_eth, hdr.dst_addr)};
            if (f == "src") return Slot{offsetof(rte_flow_item_eth, hdr.src_addr)};
            if (f == "type") return Slot{offsetof(rte_flow_item_eth, hdr.ether_type)};
            break;
        case ItemType::Vlan:
            if (f == "tci") return Slot{offsetof(rte_flow_item_vlan, hdr.vlan_tci)};
            if (f == "inner_type") return Slot{offsetof(rte_flow_item_vlan, hdr.eth_proto)};
            break;
        case ItemType::Ipv4:
            if (f == "tos") return Slot{offsetof(rte_flow_item_ipv4, hdr.type_of_service)};
            if (f == "ttl") return Slot{offsetof(rte_flow_item_ipv4, hdr.time_to_live)};
            if (f == "proto") return Slot{offsetof(rte_flow_item_ipv4, hdr.next_proto_id)};
            if (f == "src") return Slot{offsetof(rte_flow_item_ipv4, hdr.src_addr)};
            if (f == "dst") return Slot{offsetof(rte_flow_item_ipv4, hdr.dst_addr)};
            break;
        case ItemType::Ipv6:
            if (f == "tc") return Slot{offsetof(rte_flow_item_ipv6, hdr.vtc_flow), P::Ipv6TrafficClass};
            if (f == "proto") return Slot{offsetof(rte_flow_item_ipv6, hdr.proto)};
            if (f == "hop") return Slot{offsetof(rte_flow_item_ipv6, hdr.hop_limits)};
            if (f == "src") return Slot{offsetof(rte_flow_item_ipv6, hdr.src_addr)};
            if (f == "dst") return Slot{offsetof(rte_flow_item_ipv6, hdr.dst_addr)};
            break;
        case ItemType::Udp:
            if (f == "src") return Slot{offsetof(rte_flow_item_udp, hdr.src_port)};
            if (f == "dst") return Slot{offsetof(rte_flow_item_udp, hdr.dst_port)};
            break;
        case ItemType::Tcp:
            if (f == "src") return Slot{offsetof(rte_flow_item_tcp, hdr.src_port)};
            if (f == "dst") return Slot{offsetof(rte_flow_item_tcp, hdr.dst_port)};
            if (f == "flags") return Slot{offsetof(rte_flow_item_tcp, hdr.tcp_flags)};
            break;
        case ItemType::Icmp:
            if (f == "type") return Slot{offsetof(rte_flow_item_icmp, hdr.icmp_type)};
            if (f == "code") return Slot{offsetof(rte_flow_item_icmp, hdr.icmp_code)};
            break;
        case ItemType::Icmp6:
            if (f == "type") return Slot{offsetof(rte_flow_item_icmp6, type)};
            if (f == "code") return Slot{offsetof(rte_flow_item_icmp6, code)};
            break;
        case ItemType::Vxlan:
            if (f == "vni") return Slot{offsetof(rte_flow_item_vxlan, vni)};
            break;
        case ItemType::Geneve:
            if (f == "vni") return Slot{offsetof(rte_flow_item_geneve, vni)};
            break;
    }
    return std::nullopt;
}

void place(uint8_t* base, const Slot& slot, const std::array<uint8_t, 16>& bytes, size_t width) {
    switch (slot.placing) {
        case Placing::Bytes: std::memcpy(base + slot.offset, bytes.data(), width); return;
        case Placing::HostU16: {
            const uint16_t v = static_cast<uint16_t>(bytes[0] << 8 | bytes[1]);
            std::memcpy(base + slot.offset, &v, sizeof v);
            return;
        }
        case Placing::Ipv6TrafficClass: {
            uint32_t word = 0;
            std::memcpy(&word, base + slot.offset, sizeof word);
            word = rte_be_to_cpu_32(word) | static_cast<uint32_t>(bytes[0]) << 20;
            word = rte_cpu_to_be_32(word);
            std::memcpy(base + slot.offset, &word, sizeof word);
            return;
        }
    }
}

}  // namespace

void* BuiltRule::store(size_t bytes) {
    storage_.push_back(std::make_unique<uint8_t[]>(bytes));  // value-initialized: zeroed
    return storage_.back().get();
}

BuiltRule::BuiltRule(const Rule& rule) {
    attr_.group = rule.attr.group;
    attr_.priority = rule.attr.priority;
    attr_.ingress = rule.attr.mode == Mode::Ingress;
    attr_.transfer = rule.attr.mode == Mode::Transfer;

    for (const Item& item : rule.pattern) {
        rte_flow_item it{};
        it.type = item_type(item.type);
        if (!item.fields.empty()) {
            const size_t size = item_size(item.type);
            auto* spec = static_cast<uint8_t*>(store(size));
            auto* mask = static_cast<uint8_t*>(store(size));
            for (const ItemField& f : item.fields) {
                const ItemFieldInfo* info = find_item_field(item.type, f.field);
                const auto slot = field_slot(item.type, f.field);
                if (info == nullptr || !slot) continue;  // every_item_field_placed() proves this never happens
                place(spec, *slot, f.spec, info->bytes);
                place(mask, *slot, f.mask, info->bytes);
            }
            it.spec = spec;
            it.mask = mask;
        }
        items_.push_back(it);
    }
    items_.push_back(rte_flow_item{RTE_FLOW_ITEM_TYPE_END, nullptr, nullptr, nullptr});

    for (const Action& a : rule.actions) {
        rte_flow_action act{};
        const auto conf = [&](auto value) {
            auto* p = static_cast<decltype(value)*>(store(sizeof value));
            *p = value;
            act.conf = p;
        };
        switch (a.type) {
            case ActionType::RepresentedPort: {
                act.type = RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT;
                rte_flow_action_ethdev c{};
                c.port_id = static_cast<uint16_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::PortId: {
                act.type = RTE_FLOW_ACTION_TYPE_PORT_ID;
                rte_flow_action_port_id c{};
                c.id = static_cast<uint32_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::Queue: {
                act.type = RTE_FLOW_ACTION_TYPE_QUEUE;
                rte_flow_action_queue c{};
                c.index = static_cast<uint16_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::Rss: {
                act.type = RTE_FLOW_ACTION_TYPE_RSS;
                auto* queues = static_cast<uint16_t*>(store(sizeof(uint16_t) * (a.queues.size() + 1)));
                std::memcpy(queues, a.queues.data(), sizeof(uint16_t) * a.queues.size());
                rte_flow_action_rss c{};
                c.func = RTE_ETH_HASH_FUNCTION_DEFAULT;
                c.queue_num = static_cast<uint32_t>(a.queues.size());
                c.queue = queues;
                conf(c);
                break;
            }
            case ActionType::Mark: {
                act.type = RTE_FLOW_ACTION_TYPE_MARK;
                rte_flow_action_mark c{};
                c.id = static_cast<uint32_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::Count: {
                act.type = RTE_FLOW_ACTION_TYPE_COUNT;
                conf(rte_flow_action_count{});
                break;
            }
            case ActionType::Drop: act.type = RTE_FLOW_ACTION_TYPE_DROP; break;
            case ActionType::Jump: {
                act.type = RTE_FLOW_ACTION_TYPE_JUMP;
                rte_flow_action_jump c{};
                c.group = static_cast<uint32_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::OfPushVlan: {
                act.type = RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN;
                rte_flow_action_of_push_vlan c{};
                c.ethertype = rte_cpu_to_be_16(static_cast<uint16_t>(a.number));
                conf(c);
                break;
            }
            case ActionType::OfPopVlan: act.type = RTE_FLOW_ACTION_TYPE_OF_POP_VLAN; break;
            case ActionType::OfSetVlanVid: {
                act.type = RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID;
                rte_flow_action_of_set_vlan_vid c{};
                c.vlan_vid = rte_cpu_to_be_16(static_cast<uint16_t>(a.number));
                conf(c);
                break;
            }
            case ActionType::OfSetVlanPcp: {
                act.type = RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP;
                rte_flow_action_of_set_vlan_pcp c{};
                c.vlan_pcp = static_cast<uint8_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::SetMacSrc:
            case ActionType::SetMacDst: {
                act.type = a.type == ActionType::SetMacSrc ? RTE_FLOW_ACTION_TYPE_SET_MAC_SRC : RTE_FLOW_ACTION_TYPE_SET_MAC_DST;
                rte_flow_action_set_mac c{};
                std::memcpy(c.mac_addr, a.address.data(), sizeof c.mac_addr);
                conf(c);
                break;
            }
            case ActionType::SetIpv4Src:
            case ActionType::SetIpv4Dst: {
                act.type = a.type == ActionType::SetIpv4Src ? RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC : RTE_FLOW_ACTION_TYPE_SET_IPV4_DST;
                rte_flow_action_set_ipv4 c{};
                std::memcpy(&c.ipv4_addr, a.address.data(), sizeof c.ipv4_addr);
                conf(c);
                break;
            }
            case ActionType::SetIpv6Src:
            case ActionType::SetIpv6Dst: {
                act.type = a.type == ActionType::SetIpv6Src ? RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC : RTE_FLOW_ACTION_TYPE_SET_IPV6_DST;
                rte_flow_action_set_ipv6 c{};
                std::memcpy(c.ipv6_addr, a.address.data(), sizeof c.ipv6_addr);
                conf(c);
                break;
            }
            case ActionType::SetTpSrc:
            case ActionType::SetTpDst: {
                act.type = a.type == ActionType::SetTpSrc ? RTE_FLOW_ACTION_TYPE_SET_TP_SRC : RTE_FLOW_ACTION_TYPE_SET_TP_DST;
                rte_flow_action_set_tp c{};
                c.port = rte_cpu_to_be_16(static_cast<uint16_t>(a.number));
                conf(c);
                break;
            }
            case ActionType::SetTtl: {
                act.type = RTE_FLOW_ACTION_TYPE_SET_TTL;
                rte_flow_action_set_ttl c{};
                c.ttl_value = static_cast<uint8_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::DecTtl: act.type = RTE_FLOW_ACTION_TYPE_DEC_TTL; break;
            case ActionType::SetIpv4Dscp:
            case ActionType::SetIpv6Dscp: {
                act.type = a.type == ActionType::SetIpv4Dscp ? RTE_FLOW_ACTION_TYPE_SET_IPV4_DSCP : RTE_FLOW_ACTION_TYPE_SET_IPV6_DSCP;
                rte_flow_action_set_dscp c{};
                c.dscp = static_cast<uint8_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::Meter: {
                act.type = RTE_FLOW_ACTION_TYPE_METER;
                rte_flow_action_meter c{};
                c.mtr_id = static_cast<uint32_t>(a.number);
                conf(c);
                break;
            }
            case ActionType::VxlanEncap: {
                act.type = RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP;
                const VxlanEncapDef& e = a.encap;
                auto* eth = static_cast<rte_flow_item_eth*>(store(sizeof(rte_flow_item_eth)));
                std::memcpy(eth->hdr.dst_addr.addr_bytes, e.eth_dst.data(), 6);
                std::memcpy(eth->hdr.src_addr.addr_bytes, e.eth_src.data(), 6);
                eth->hdr.ether_type = rte_cpu_to_be_16(0x0800);
                auto* ip = static_cast<rte_flow_item_ipv4*>(store(sizeof(rte_flow_item_ipv4)));
                ip->hdr.version_ihl = 0x45;
                ip->hdr.time_to_live = 64;
                ip->hdr.next_proto_id = 17;
                // rte_ipv4_hdr is packed: copy through locals, never through member addresses.
                rte_be32_t src = 0, dst = 0;
                std::memcpy(&src, e.ip_src.data(), 4);
                std::memcpy(&dst, e.ip_dst.data(), 4);
                ip->hdr.src_addr = src;
                ip->hdr.dst_addr = dst;
                auto* udp = static_cast<rte_flow_item_udp*>(store(sizeof(rte_flow_item_udp)));
                udp->hdr.src_port = rte_cpu_to_be_16(e.udp_src);
                udp->hdr.dst_port = rte_cpu_to_be_16(e.udp_dst);
                auto* vx = static_cast<rte_flow_item_vxlan*>(store(sizeof(rte_flow_item_vxlan)));
                vx->flags = 0x08;
                vx->vni[0] = static_cast<uint8_t>(e.vni >> 16);
                vx->vni[1] = static_cast<uint8_t>(e.vni >> 8);
                vx->vni[2] = static_cast<uint8_t>(e.vni);
                auto* def = static_cast<rte_flow_item*>(store(sizeof(rte_flow_item) * 5));
                def[0] = {RTE_FLOW_ITEM_TYPE_ETH, eth, nullptr, nullptr};
                def[1] = {RTE_FLOW_ITEM_TYPE_IPV4, ip, nullptr, nullptr};
                def[2] = {RTE_FLOW_ITEM_TYPE_UDP, udp, nullptr, nullptr};
                def[3] = {RTE_FLOW_ITEM_TYPE_VXLAN, vx, nullptr, nullptr};
                def[4] = {RTE_FLOW_ITEM_TYPE_END, nullptr, nullptr, nullptr};
                rte_flow_action_vxlan_encap c{};
                c.definition = def;
                conf(c);
                break;
            }
            case ActionType::VxlanDecap: act.type = RTE_FLOW_ACTION_TYPE_VXLAN_DECAP; break;
        }
        actions_.push_back(act);
    }
    actions_.push_back(rte_flow_action{RTE_FLOW_ACTION_TYPE_END, nullptr});
}

int BuiltRule::item_index(const void* cause) const {
    for (size_t i = 0; i < items_.size(); ++i) {
        if (cause == &items_[i] || (cause != nullptr && (cause == items_[i].spec || cause == items_[i].mask))) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int BuiltRule::action_index(const void* cause) const {
    for (size_t i = 0; i < actions_.size(); ++i) {
        if (cause == &actions_[i] || (cause != nullptr && cause == actions_[i].conf)) return static_cast<int>(i);
    }
    return -1;
}

bool every_item_field_placed() {
    for (const auto& f : item_fields()) {
        if (!field_slot(f.item, f.field)) return false;
    }
    return true;
}

}  // namespace snoc::offload::rte
