// Canonical flow (an HwRule) -> rte_flow rule (rte_rule.h).
//
// The same HwRules the tc backend installs, after the same capability check:
// match fields become pattern items (represented_port, eth, vlan, ipv4 /
// ipv6, tcp / udp / icmp, vxlan / geneve for tunnel matches), actions become
// rte_flow actions. Anything rte_flow cannot say, or snoc does not generate,
// is a failure whose reason names the field or action — never a silently
// narrower rule. docs/rte-flow.md has the table.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "offload/backend.h"
#include "offload/rte_flow/rte_rule.h"
#include "offload/status.h"

namespace snoc::offload::rte {

struct TranslateContext {
    Mode mode = Mode::Transfer;
    // A port name (the HwRule's port, an output port, a tunnel port) -> the
    // DPDK port id of the ethdev it stands for. Tunnel ports map to the uplink.
    std::function<std::optional<uint16_t>(const std::string&)> port_id_of;
    // Transfer rules are created through the eSwitch's proxy port
    // (rte_flow_pick_transfer_proxy); unset: the rule's own port.
    std::function<uint16_t(uint16_t)> transfer_proxy_of;
    // The tunnel type of a port rules are attached to (decap rules); nullopt
    // for a plain port.
    std::function<std::optional<flow::TunnelType>(const std::string&)> tunnel_of;
    // Outer MACs for vxlan_encap towards an outer destination (rte_flow, unlike
    // tc, has no neighbour resolution): {source, next hop}, nullopt if unknown.
    std::function<std::optional<std::pair<std::array<uint8_t, 6>, std::array<uint8_t, 6>>>(
        const std::array<uint8_t, 4>&)>
        encap_macs;
    uint16_t rx_queues = 1;  // ingress mode: RSS spreads over queues 0..rx_queues-1
    bool count = true;       // add COUNT (the port has flow counters)
    bool mark = false;       // ingress mode: MARK packets with the rule's id before the queue / RSS fate
};

// rte_flow priorities are few (a PMD may offer 8 or 4096 levels) where
// OpenFlow has 65536: each group's distinct OpenFlow priorities are ranked,
// the highest becoming 0. Same order as OpenFlow, the fewest levels.
class PriorityRanks {
public:
    explicit PriorityRanks(const std::vector<HwRule>& rules);
    uint32_t rank(uint32_t group, uint16_t openflow_priority) const;

private:
    std::map<std::pair<uint32_t, uint16_t>, uint32_t> ranks_;
};

// The id MARK gives a rule's packets: 32 bits of its owner cookie, never 0.
uint32_t mark_id_for(uint64_t cookie);

// The part of a rule a translation failed on, for reason codes.
enum class Part : uint8_t { Port, Match, Action };
std::string_view to_string(Part p);

// Translates one rule. On failure `out` is unspecified, the status names
// what could not be expressed ("rte_flow: match on ct_state: ...") and
// `failed`, when given, says in which part.
Status translate(const HwRule& rule, uint32_t priority, const TranslateContext& ctx, Rule& out, Part* failed = nullptr);

}  // namespace snoc::offload::rte
