// The Prometheus families snoc exports, and the copy of the monitoring
// model into them once per poll. Every metric, label and bound is described
// in docs/metrics.md; this header is the contract with the daemon.
//
// Per poll, after the ledger, offload stats and poll health are updated:
//     exporter.update(PollUpdate{...});
// Counters only ever go up: traffic counters are fed this poll's deltas,
// the daemon's own counters (installs, failures, repairs, polls) are synced
// to the model's cumulative totals. Gauges are set. A hit-ratio sample whose
// scope had no packets is removed rather than set to NaN (see traffic_ledger.h).
//
// Cardinality: labels come from the spec (NICs, ports, workloads, rules) and
// closed enums (placement, reason, repair kind). Each family holds at most
// `max_series_per_family` series; beyond that a sample is credited to a
// series whose open-ended label values (nic, port, workload, rule, name,
// reason) are "_other" — placement and scope keep theirs, so the overflow
// adds at most one series per placement / scope — and
// snoc_monitor_overflows_total{what="exporter"} counts it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "controller/monitor/flow_view.h"
#include "controller/monitor/offload_stats.h"
#include "controller/monitor/poll_health.h"
#include "controller/monitor/port_drops.h"
#include "controller/monitor/traffic_ledger.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace snoc::monitor {

struct PollUpdate {
    const std::vector<TrafficSample>& samples;  // this poll's deltas, as given to the ledger
    const TrafficLedger& ledger;
    const OffloadStats& offload;
    const PollHealth& health;
    const std::vector<FlowRecord>& flows;  // every flow known after this poll
    const PortDropTotals* drops = nullptr;  // drops of uplinks and representors (interface and OVS socket), when read
};

class MetricsExporter {
public:
    // 8192: above the ledger's worst case (5 dimensions x (1024 + "_other")
    // hit-ratio scopes), so only a misbehaving caller reaches the bound.
    explicit MetricsExporter(size_t max_series_per_family = 8192);
    ~MetricsExporter();
    MetricsExporter(const MetricsExporter&) = delete;
    MetricsExporter& operator=(const MetricsExporter&) = delete;

    // What HttpEndpoint serves.
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

    void update(const PollUpdate& u);

    uint64_t overflows() const { return overflows_; }

private:
    struct Families;
    using LabelMap = std::map<std::string, std::string>;

    template <typename T>
    T& series(prometheus::Family<T>& family, std::set<LabelMap>& known, LabelMap labels);
    void update_traffic(const PollUpdate& u);
    void update_hit_ratios(const PollUpdate& u);
    void update_offload(const PollUpdate& u);
    void update_flows(const PollUpdate& u);
    void update_health(const PollUpdate& u);
    void update_port_drops(const PollUpdate& u);

    size_t max_series_;
    std::shared_ptr<prometheus::Registry> registry_;
    std::unique_ptr<Families> f_;
    uint64_t overflows_ = 0;
    LatencyHistogram exported_latency_;  // what the histogram family already holds
};

}  // namespace snoc::monitor
