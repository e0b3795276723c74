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
#include <functional>
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
    size_t tracked() const { return entries_.size(); }

private:
    // The identity table: open addressing over a dense array of entries,
    // looked up with views into the dump, so a poll allocates nothing per
    // flow it has seen before and little per new one. A ufid spelled as OVS
    // prints it (36 lower-case hex digits and dashes) is kept as its 16
    // bytes; any other ufid, and the key text of a flow without one, is
    // kept as text. The identity is still exactly what flow_identity()
    // spells: one spelling packs to one 16-byte value and no other spelling
    // is packed.
    enum class IdKind : uint8_t { PackedUfid, TextUfid, KeyText };
    struct IdentityView {
        std::string_view source;
        std::string_view id;  // the ufid, or the key text when there is none
        bool ufid = false;
    };
    // A flow's identity, ready to look up: kind, the packed ufid or the
    // text, the section's index (kNone when never seen) and the hash.
    struct Probe {
        IdKind kind = IdKind::KeyText;
        uint64_t packed[2] = {0, 0};
        std::string_view text;
        std::string_view source;
        uint32_t source_index = 0;
        uint64_t hash = 0;
    };
    struct Entry {
        uint64_t hash = 0;
        uint64_t packed[2] = {0, 0};  // PackedUfid
        TrafficCounts counts;
        uint64_t poll = 0;            // the poll that last saw it
        uint32_t missed_polls = 0;    // saturates (forget_after beyond 2^32 - 1 is "never")
        uint32_t source = 0;          // index into sources_
        uint32_t text = 0;            // index into texts_ (TextUfid, KeyText)
        IdKind kind = IdKind::KeyText;
    };
    struct Source {
        std::string name;
        uint64_t hash = 0;
    };
    static constexpr uint32_t kNone = UINT32_MAX;

    static IdentityView identity_of(const DpFlow& f);
    static IdentityView identity_of(const DpFlowView& f);
    Probe probe_of(const IdentityView& id);
    // Index into entries_ of the probe's identity, or kNone; `slot` is
    // where it is (or would go) in index_.
    uint32_t find(const Probe& p, size_t& slot) const;
    uint32_t insert(const Probe& p, size_t slot);
    void reserve_index(size_t entries);
    void rebuild_index();
    void forget_missing();

    template <typename Flow>
    PlacementTraffic update(const std::vector<Flow>& flows, bool credit, std::vector<TrafficCounts>* per_flow);
    PlacementTraffic update_views(const std::vector<DpFlowView>& flows, bool credit,
                                  std::vector<TrafficCounts>* per_flow);

    size_t forget_after_;
    uint64_t poll_ = 0;
    std::vector<Entry> entries_;
    // Power-of-two size, at most half full: the entry's index in the low
    // 32 bits, the high 32 bits of its hash above (compared before the
    // entry is read); kEmpty = free.
    static constexpr uint64_t kEmpty = UINT64_MAX;
    std::vector<uint64_t> index_;
    struct SourceHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::vector<Source> sources_;  // dump sections with flows tracked ("" for a dump without headers)
    std::unordered_map<std::string, uint32_t, SourceHash, std::equal_to<>> source_ids_;  // name -> sources_ index
    uint32_t last_source_ = kNone; // the section the previous lookup used
    std::vector<std::string> texts_;  // identities kept as text
    PlacementTraffic totals_;
};

}  // namespace snoc::ovs
