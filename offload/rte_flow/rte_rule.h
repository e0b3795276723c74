// One rte_flow rule as snoc builds it, in plain C++: attributes, pattern
// items with spec and mask, actions with their configuration.
//
// It mirrors DPDK's rte_flow_attr / rte_flow_item / rte_flow_action without
// needing DPDK's headers, so the translation (rte_translate.h) and the
// testpmd rendering (rte_testpmd.h) build and are tested everywhere; only
// dpdk/ turns it into real rte_flow structures. Values are in network byte
// order, as rte_flow item specs hold them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"

namespace snoc::offload::rte {

// transfer: the rule runs in the eSwitch (rte_flow_attr.transfer), created
// through the transfer proxy port, matching traffic from a represented port.
// ingress: the rule runs on one port's receive side (rte_flow_attr.ingress),
// for a DPDK application that owns the port (its fate is a queue or RSS).
enum class Mode : uint8_t { Transfer, Ingress };
std::string_view to_string(Mode m);

struct Attr {
    uint32_t group = 0;     // = OpenFlow table
    uint32_t priority = 0;  // 0 = highest; see rte_translate.h for how it is ranked
    Mode mode = Mode::Transfer;
    bool operator==(const Attr&) const = default;
};

enum class ItemType : uint8_t { RepresentedPort, Eth, Vlan, Ipv4, Ipv6, Udp, Tcp, Icmp, Icmp6, Vxlan, Geneve };
std::string_view to_string(ItemType t);  // the testpmd token ("represented_port", "eth", ...)

// How a field's value is written in testpmd syntax.
enum class ValueKind : uint8_t { Mac, Ipv4, Ipv6, Uint };

// One matched header field of an item. `field` is the testpmd token
// ("src", "type", "tci", "vni", "ethdev_port_id"); item_fields() lists
// every one with its width, the one table the renderer and the DPDK
// structure builder both follow.
struct ItemField {
    std::string_view field;
    std::array<uint8_t, 16> spec{};
    std::array<uint8_t, 16> mask{};
    bool operator==(const ItemField&) const = default;
};

struct Item {
    ItemType type = ItemType::Eth;
    std::vector<ItemField> fields;  // empty: the header must be present, any value
    bool operator==(const Item&) const = default;
};

// The static facts of one item field.
struct ItemFieldInfo {
    ItemType item;
    std::string_view field;
    ValueKind kind;
    uint8_t bytes;  // width in network byte order
};
const std::vector<ItemFieldInfo>& item_fields();
const ItemFieldInfo* find_item_field(ItemType item, std::string_view field);

enum class ActionType : uint8_t {
    RepresentedPort,  // to the port a representor stands for (transfer)
    PortId,           // to another DPDK port (ingress mode)
    Queue,
    Rss,
    Mark,
    Count,
    Drop,
    Jump,
    OfPushVlan,
    OfPopVlan,
    OfSetVlanVid,
    OfSetVlanPcp,
    SetMacSrc,
    SetMacDst,
    SetIpv4Src,
    SetIpv4Dst,
    SetIpv6Src,
    SetIpv6Dst,
    SetTpSrc,
    SetTpDst,
    SetTtl,
    DecTtl,
    SetIpv4Dscp,
    SetIpv6Dscp,
    Meter,
    VxlanEncap,
    VxlanDecap,
};
std::string_view to_string(ActionType t);  // the testpmd token

// The outer headers vxlan_encap pushes (testpmd: `set vxlan ...`).
struct VxlanEncapDef {
    uint32_t vni = 0;
    std::array<uint8_t, 4> ip_src{}, ip_dst{};
    uint16_t udp_src = 0, udp_dst = 4789;
    std::array<uint8_t, 6> eth_src{}, eth_dst{};
    bool operator==(const VxlanEncapDef&) const = default;
};

struct Action {
    ActionType type = ActionType::Drop;
    uint64_t number = 0;                 // port id, queue, mark id, group, vid, pcp, ttl, dscp, meter id, tp port (host order)
    std::array<uint8_t, 16> address{};   // set_mac / set_ipv4 / set_ipv6 value (network order)
    std::vector<uint16_t> queues;        // rss
    VxlanEncapDef encap;                 // vxlan_encap
    bool operator==(const Action&) const = default;
};

struct Rule {
    uint16_t port_id = 0;  // the port the rule is created on (transfer: the proxy)
    Attr attr;
    std::vector<Item> pattern;
    std::vector<Action> actions;
    bool operator==(const Rule&) const = default;
};

}  // namespace snoc::offload::rte
