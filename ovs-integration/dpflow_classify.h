// Where each datapath flow ran, and how many packets/bytes ran where between
// two polls of `dpctl/dump-flows -m`.
//
// Classification (offload::Placement):
//   offloaded:yes (or no dp field but offloaded)  -> Hardware
//   dp:tc, not offloaded                          -> TcSoftware
//   dp:ovs / dp:dpdk / no dp field / partial      -> Ovs
// offloaded:partial is Ovs: the NIC only tags packets, OVS still runs the
// actions in software, so the packets are not forwarded by hardware.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "offload/placement.h"
#include "ovs-integration/dpflow_parse.h"

namespace snoc::ovs {

offload::Placement classify(const DpFlow& f);

// What identifies one flow's counters across polls: dump section + ufid,
// or dump section + key text when the dump has no ufid.
std::string flow_identity(const DpFlow& f);

struct TrafficCounts {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    bool operator==(const TrafficCounts&) const = default;
};

// Counts per placement (Failed is never filled: a datapath flow always ran somewhere).
struct PlacementTraffic {
    std::array<TrafficCounts, 4> by_placement{};
    TrafficCounts& operator[](offload::Placement p) { return by_placement[static_cast<size_t>(p)]; }
    const TrafficCounts& operator[](offload::Placement p) const { return by_placement[static_cast<size_t>(p)]; }
    bool operator==(const PlacementTraffic&) const = default;
};

// Accumulates per-placement packet/byte deltas over successive polls.
//
// Rule, per flow identity in a poll:
//   - never seen (or forgotten): its whole counter is new traffic (a new
//     flow starts at zero, so everything it counted happened since it was
//     created);
//   - seen before, counters >= last: the difference is new traffic;
//   - seen before, packets or bytes went down: the flow was deleted and
//     re-created (same ufid: OVS derives the ufid from the key) between
//     polls, so the new counter is counted in full and the old flow's
//     unpolled tail is lost (unobservable);
//   - delta goes to the flow's placement in *this* poll (a flow that moved
//     from tc software to hardware is credited where it now runs).
// A flow missing from a poll keeps its last counters for `forget_after`
// polls. Dumps are not atomic, so a flow can be missed once under churn; when
// it shows up again with a counter that did not go down, only the difference
// counts, instead of its whole history a second time. Its counts up to the
// last poll that saw it were already credited and are never subtracted.
// Ambiguity left: a flow re-created in the gap that already exceeded the old
// counter is taken as continued, under-counting by the old value.
class PlacementCounters {
public:
    explicit PlacementCounters(size_t forget_after = 3) : forget_after_(forget_after) {}

    // Records a poll without crediting anything: the baseline for flows
    // that existed before monitoring started.
    void prime(const std::vector<DpFlow>& flows);
    // Credits one poll and returns what it added.
    PlacementTraffic add_poll(const std::vector<DpFlow>& flows);
    // The same, also writing what each flow added (per_flow[i] for
    // flows[i]; zero for a repeated identity), for per-flow rates.
    PlacementTraffic add_poll(const std::vector<DpFlow>& flows, std::vector<TrafficCounts>& per_flow);

    const PlacementTraffic& totals() const { return totals_; }
    size_t tracked() const { return last_.size(); }

private:
    struct Seen {
        TrafficCounts counts;
        size_t missed_polls = 0;
        uint64_t poll = 0;  // the poll that last saw it
    };
    PlacementTraffic update(const std::vector<DpFlow>& flows, bool credit, std::vector<TrafficCounts>* per_flow);

    size_t forget_after_;
    uint64_t poll_ = 0;
    std::unordered_map<std::string, Seen> last_;
    PlacementTraffic totals_;
};

}  // namespace snoc::ovs
