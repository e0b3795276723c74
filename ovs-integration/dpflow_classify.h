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
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "offload/placement.h"
#include "ovs-integration/dpflow_parse.h"
#include "ovs-integration/dpflow_view.h"

namespace snoc::ovs {

offload::Placement classify(const DpFlow& f);
offload::Placement classify(const DpFlowView& f);

// What identifies one flow's counters across polls: dump section + ufid,
// or dump section + key text when the dump has no ufid.
std::string flow_identity(const DpFlow& f);
std::string flow_identity(const DpFlowView& f);

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

    // The same three for the compact records (what DatapathMonitor uses).
    // Templates only so that a braced list (add_poll({})) still picks the
    // DpFlow overloads instead of being ambiguous.
    template <std::same_as<DpFlowView> View>
    void prime(const std::vector<View>& flows) {
        (void)update_views(flows, false, nullptr);
    }
    template <std::same_as<DpFlowView> View>
    PlacementTraffic add_poll(const std::vector<View>& flows) {
        return update_views(flows, true, nullptr);
    }
    template <std::same_as<DpFlowView> View>
    PlacementTraffic add_poll(const std::vector<View>& flows, std::vector<TrafficCounts>& per_flow) {
        per_flow.assign(flows.size(), TrafficCounts{});
        return update_views(flows, true, &per_flow);
    }

    const PlacementTraffic& totals() const { return totals_; }
    size_t tracked() const { return last_.size(); }

private:
    struct Seen {
        TrafficCounts counts;
        size_t missed_polls = 0;
        uint64_t poll = 0;  // the poll that last saw it
    };
    // A flow identity (what flow_identity() spells) kept in parts, so a
    // poll looks flows up with views into its dump instead of building a
    // string per flow; only a flow seen for the first time is copied.
    struct Identity {
        std::string source;
        std::string id;  // the ufid, or the key text when there is none
        bool ufid = false;
        bool operator==(const Identity&) const = default;
    };
    struct IdentityView {
        std::string_view source;
        std::string_view id;
        bool ufid = false;
    };
    struct IdentityHash {
        using is_transparent = void;
        size_t operator()(const IdentityView& v) const;
        size_t operator()(const Identity& k) const { return (*this)(IdentityView{k.source, k.id, k.ufid}); }
    };
    struct IdentityEqual {
        using is_transparent = void;
        static bool same(const IdentityView& a, const IdentityView& b) {
            return a.ufid == b.ufid && a.id == b.id && a.source == b.source;
        }
        static IdentityView view(const Identity& k) { return {k.source, k.id, k.ufid}; }
        bool operator()(const Identity& a, const Identity& b) const { return a == b; }
        bool operator()(const IdentityView& a, const Identity& b) const { return same(a, view(b)); }
        bool operator()(const Identity& a, const IdentityView& b) const { return same(view(a), b); }
    };
    static IdentityView identity_of(const DpFlow& f);
    static IdentityView identity_of(const DpFlowView& f);

    template <typename Flow>
    PlacementTraffic update(const std::vector<Flow>& flows, bool credit, std::vector<TrafficCounts>* per_flow);
    PlacementTraffic update_views(const std::vector<DpFlowView>& flows, bool credit,
                                  std::vector<TrafficCounts>* per_flow);

    size_t forget_after_;
    uint64_t poll_ = 0;
    std::unordered_map<Identity, Seen, IdentityHash, IdentityEqual> last_;
    PlacementTraffic totals_;
};

}  // namespace snoc::ovs
