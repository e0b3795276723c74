// snoc's rte_flow translation of OVS megaflows against the rules OVS-DPDK
// itself made of them (tests/vm/ovs-dpdk.sh runs both on the same flows).
//
// Each megaflow of a `dpctl/dump-flows -m` dump goes through what snoc uses
// for policy flows: its key as a canonical Match (dpflow_parse), its actions
// as canonical actions (dpflow_actions), rte_translate in transfer mode,
// render_testpmd. Each `flow create ... transfer` line OVS logged is read
// back (testpmd_flow.h). Then both sides get the normalisation below and
// every OVS rule must equal the rule snoc made of one megaflow, and every
// megaflow snoc translates must be among OVS's rules.
//
// Normalisation — differences by design, each with its reason
// (docs/rte-flow.md, "Cross-check with OVS-DPDK"):
//  - ports: OVS creates a transfer rule on the in_port's own ethdev with no
//    port item; snoc creates it on the transfer proxy with a
//    represented_port item. The item is dropped and its id becomes the
//    rule's port. OVS's `port_id original 0 id N` output is snoc's
//    `represented_port ethdev_port_id N`.
//  - fragments: OVS adds `fragment_offset is 0` (IPv4) and `has_frag_ext is
//    0` (IPv6) for the megaflow's frag=no; snoc's canonical match has no
//    fragment field (OpenFlow policy matches no fragment state). Dropped.
//  - VLAN presence: OVS writes `has_vlan is 0` beside an IP eth.type, and
//    `type is 0x8100 has_vlan is 1` before a vlan item; snoc writes eth.type
//    alone (rte_flow's eth.type is the outermost EtherType or TPID, so a
//    tagged packet cannot match an IP type) and the vlan item alone (it
//    implies a tag; OpenFlow's dl_vlan fixes no TPID, so snoc fixes none).
//  - masked values: OVS keeps the packet's bits under a mask ("spec 7 mask
//    0xf000"), snoc clears them ("spec 0 mask 0xf000"): the same match.
//    Both sides' specs are ANDed with their masks.
//  - COUNT: both add it (snoc when the port has counters); dropped, so the
//    order of count among the actions does not matter.
//  - priority: megaflows never overlap; OVS uses 0 for all, snoc ranks
//    OpenFlow priorities. Not compared.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "testpmd_flow.h"

namespace snoc::testpmd {

struct Megaflow {
    std::string key;                   // the dump line, as printed
    std::string in_port;               // as printed ("dp0")
    std::optional<FlowLine> snoc;      // snoc's rule, normalised; nullopt when refused
    std::string snoc_text;             // snoc's rendering as snoc prints it, or why it refused
    bool matched = false;              // an OVS rule equals it
};

struct OvsRule {
    std::string text;                  // the log line from "flow create"
    FlowLine flow;                     // normalised
    std::optional<size_t> megaflow;    // index of the equal megaflow
};

struct CrossCheck {
    std::vector<Megaflow> megaflows;
    std::vector<OvsRule> ovs;          // distinct transfer rules OVS logged
    std::vector<std::string> errors;   // lines neither side could read
    // Every OVS rule matched and every translated megaflow matched.
    bool agree() const;
    // A report: one block per OVS rule and per unmatched megaflow; for an
    // unmatched one the nearest rule of the other side and the fields that
    // differ.
    std::string report() const;
};

// `ports`: OVS port name -> DPDK port id (OVS's dpdk port numbering).
CrossCheck cross_check(std::string_view dump, std::string_view ovs_log,
                       const std::map<std::string, uint16_t>& ports);

// The normalisations above, exposed for tests.
void normalise_ovs(FlowLine& f);
void normalise_snoc(FlowLine& f);

// Field-level differences between two rules ("ipv4.dst: 10.0.0.1 vs -").
std::vector<std::string> differences(const FlowLine& a, const FlowLine& b);

}  // namespace snoc::testpmd
