// From one of snoc's tc rules' counter deltas to ledger samples.
//
// tc counts bytes without the 14-byte Ethernet header: at tc ingress the
// kernel has already pulled the MAC header off the skb, and drivers report
// offloaded stats in the same convention so `tc -s` stays consistent. OVS's
// datapath flows count whole frames. Adding 14 bytes per packet to tc's
// figures makes the two add up; a VLAN tag (4 more bytes) is not restored
// (tc does not say which packets had one), so tagged traffic is still under-
// counted by 4 bytes per packet. See docs/metrics.md.
#pragma once

#include <cstdint>
#include <vector>

#include "controller/monitor/counter_deltas.h"
#include "controller/monitor/traffic_ledger.h"
#include "offload/provider.h"

namespace snoc::monitor {

inline constexpr uint64_t kEthernetHeaderBytes = 14;

// tc's byte count with the Ethernet header of every packet added back
// (saturating: a corrupt reading never wraps round to a small number).
uint64_t tc_bytes_with_l2(uint64_t bytes, uint64_t packets);

// Slots of the CounterSet that CounterDeltas keeps for an HwRuleState.
enum class RuleSlot : uint8_t { Packets = 0, Bytes = 1, HwPackets = 2, HwBytes = 3 };
CounterSet rule_counters(uint64_t packets, uint64_t bytes, uint64_t hw_packets, uint64_t hw_bytes);

// A rule's byte count as whole frames, whichever way its backend counted
// (its provider says: offload/provider.h): counts from the network header get
// the Ethernet header added back, whole frames are used as they are.
uint64_t frame_bytes(uint64_t bytes, uint64_t packets, offload::ByteCounting counted);

// Appends the Hardware part (hw_*) and the TcSoftware part (the rest) of one
// rule's delta as Source::HwRule samples, bytes corrected; parts with no
// packets and no bytes are left out. hw_* larger than the totals (the two are
// read at slightly different moments) is clamped, never negative.
void append_rule_samples(const TrafficLabels& labels, const CounterSet& delta, std::vector<TrafficSample>& out,
                         offload::ByteCounting counted = offload::ByteCounting::FromNetworkHeader);

}  // namespace snoc::monitor
