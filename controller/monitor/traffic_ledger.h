// Where traffic ran, per NIC, bridge, port, workload and policy rule: the
// packets and bytes of the last poll interval and since the daemon started,
// split by placement, and the offload hit rate derived from them.
//
// Input: each poll, a list of samples — deltas the caller already computed
// (PlacementCounters for datapath flows, CounterDeltas for snoc's rules).
//
// Double counting is the caller's to avoid, by giving each packet to exactly
// one sample:
//   - snoc's own hardware / tc rules: one Source::HwRule sample per rule, split
//     in two — hw_packets as Hardware, packets - hw_packets as TcSoftware
//     (a tc rule that fell back to software counts everything as TcSoftware).
//   - OVS's datapath flows: one Source::Datapath sample per flow, placed by
//     ovs::classify() (OVS's own tc offloads are Hardware only when in_hw).
// The two are disjoint: a packet matched by a snoc rule at ingress is
// forwarded (or dropped) by that rule and never reaches OVS. Do not add a
// sample for a datapath flow that *is* one of snoc's rules seen through OVS.
// Byte counts from tc must be corrected first (tc_bytes.h).
//
// Hit rate = Hardware packets / packets of every placement (Failed included:
// traffic of a rule that failed to install ran somewhere slower). It is
// undefined when no packet was counted: hit_rate() returns nullopt, and the
// exporter leaves that gauge sample out instead of exporting NaN or 0
// (0 would claim "nothing offloaded", NaN breaks avg() in Grafana).
//
// Bounds: at most `max_values` distinct values per dimension. A value beyond
// that is credited to the reserved value "_other" and overflowed_samples()
// counts it, so totals stay right and the overflow is visible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/monitor/traffic_labels.h"
#include "offload/placement.h"

namespace snoc::monitor {

struct TrafficSample {
    TrafficLabels labels;
    offload::Placement placement = offload::Placement::Ovs;
    uint64_t packets = 0;  // since the previous poll
    uint64_t bytes = 0;    // since the previous poll, L2 header included
    Source source = Source::Datapath;
};

enum class Dimension : uint8_t { Nic, Bridge, Port, Workload, Rule };
inline constexpr std::array<Dimension, 5> kDimensions = {Dimension::Nic, Dimension::Bridge, Dimension::Port,
                                                         Dimension::Workload, Dimension::Rule};
std::string_view to_string(Dimension d);  // "nic", "bridge", "port", "workload", "rule"
// The sample's value for a dimension ("" when it has none).
const std::string& label_of(const TrafficLabels& l, Dimension d);

inline constexpr std::string_view kOtherValue = "_other";
inline constexpr size_t kPlacements = 4;  // offload::Placement's values
inline constexpr std::array<offload::Placement, kPlacements> kAllPlacements = {
    offload::Placement::Hardware, offload::Placement::TcSoftware, offload::Placement::Ovs, offload::Placement::Failed};

struct Counts {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    bool operator==(const Counts&) const = default;
};

// Counts per placement, indexed by offload::Placement.
struct PlacementCounts {
    std::array<Counts, kPlacements> by{};
    Counts& operator[](offload::Placement p) { return by[static_cast<size_t>(p)]; }
    const Counts& operator[](offload::Placement p) const { return by[static_cast<size_t>(p)]; }
    Counts total() const;
    // Hardware packets / all packets; nullopt when there were none.
    std::optional<double> hit_rate() const;
    bool operator==(const PlacementCounts&) const = default;
};

struct ScopeTraffic {
    PlacementCounts interval;    // the last poll interval
    PlacementCounts cumulative;  // since the ledger was created
};

class TrafficLedger {
public:
    explicit TrafficLedger(size_t max_values = 1024) : max_values_(max_values) {}

    // One poll: clears every interval total, then credits the samples.
    void add_poll(const std::vector<TrafficSample>& samples);

    // Every value seen in a dimension, sorted by name ("_other" included
    // once the bound was hit).
    const std::map<std::string, ScopeTraffic, std::less<>>& scopes(Dimension d) const {
        return by_dim_[static_cast<size_t>(d)];
    }
    const ScopeTraffic* find(Dimension d, std::string_view value) const;
    const ScopeTraffic& overall() const { return overall_; }
    uint64_t polls() const { return polls_; }
    uint64_t overflowed_samples() const { return overflowed_; }
    size_t max_values() const { return max_values_; }

private:
    void credit(Dimension d, const std::string& value, const TrafficSample& s);

    size_t max_values_;
    uint64_t polls_ = 0;
    uint64_t overflowed_ = 0;
    std::array<std::map<std::string, ScopeTraffic, std::less<>>, kDimensions.size()> by_dim_;
    ScopeTraffic overall_;
};

}  // namespace snoc::monitor
