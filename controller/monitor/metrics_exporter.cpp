#include "controller/monitor/metrics_exporter.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>

namespace snoc::monitor {

namespace {

using offload::Placement;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// A software flow the daemon has no reason for (an OVS flow OVS did not
// offload and did not say why): counted, so the reasons still add up.
constexpr std::string_view kUnexplained = "unexplained";

Family<Counter>& counter(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
Family<Gauge>& gauge(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

// Raises a counter to the model's cumulative total; never lowers it (a
// Prometheus counter that goes down reads as a reset).
void sync(Counter& c, uint64_t total) {
    const double v = static_cast<double>(total);
    if (v > c.Value()) c.Increment(v - c.Value());
}

std::string str(std::string_view s) { return std::string(s); }

}  // namespace

struct MetricsExporter::Families {
    explicit Families(prometheus::Registry& r)
        : packets(counter(r, "snoc_packets_total", "Packets by where they ran (placement), NIC, ingress port and workload.")),
          bytes(counter(r, "snoc_bytes_total", "Bytes (Ethernet header included) by placement, NIC, ingress port and workload.")),
          rule_packets(counter(r, "snoc_rule_packets_total", "Packets of each policy rule by placement.")),
          rule_bytes(counter(r, "snoc_rule_bytes_total", "Bytes of each policy rule by placement.")),
          hit_ratio(gauge(r, "snoc_offload_hit_ratio",
                          "Packets that ran in hardware / all packets over the last poll interval, per scope "
                          "(nic, bridge, port, workload, rule, all). Absent when the scope had no packets.")),
          cumulative_hit_ratio(gauge(r, "snoc_offload_cumulative_hit_ratio",
                                     "Packets that ran in hardware / all packets since the daemon started, per scope.")),
          table_rules(gauge(r, "snoc_hw_table_rules", "snoc rules in each NIC's hardware table.")),
          table_capacity(gauge(r, "snoc_hw_table_capacity_rules",
                               "Rule capacity of each NIC's hardware table from its profile; absent when unknown.")),
          installs(counter(r, "snoc_hw_rule_installs_total", "Hardware rules installed, per NIC.")),
          install_failures(counter(r, "snoc_hw_rule_install_failures_total",
                                   "Hardware rule installs that failed, per NIC and reason (capability reason or errno name).")),
          install_duration(prometheus::BuildHistogram()
                               .Name("snoc_hw_rule_install_duration_seconds")
                               .Help("Time to install one hardware rule.")
                               .Register(r)),
          flows(gauge(r, "snoc_flows", "Flows known after the last poll, by placement.")),
          not_offloaded(gauge(r, "snoc_flows_not_offloaded",
                              "Flows not in hardware, by reason (a flow with two reasons counts under both).")),
          repairs(counter(r, "snoc_repairs_total", "Repairs the daemon made, by kind.")),
          poll_duration(gauge(r, "snoc_poll_duration_seconds", "Duration of the last poll.")),
          last_poll(gauge(r, "snoc_last_poll_timestamp_seconds", "Unix time the last poll finished.")),
          polls(counter(r, "snoc_polls_total", "Polls of OVS and the offload backends.")),
          poll_errors(counter(r, "snoc_poll_errors_total", "Errors met while polling.")),
          reload_failures(counter(r, "snoc_config_reload_failures_total", "Spec reloads that failed (the old spec stays in force).")),
          port_drops(counter(r, "snoc_port_dropped_packets_total",
                             "Packets lost on an uplink or representor, by direction: rx = the interface's receive "
                             "drops plus those of OVS's packet socket on the port (misses OVS did not read in time), "
                             "tx = the interface's transmit drops.")),
          overflows(counter(r, "snoc_monitor_overflows_total",
                            "Samples credited to \"_other\" because a bounded table was full, by table.")) {}

    Family<Counter>& packets;
    Family<Counter>& bytes;
    Family<Counter>& rule_packets;
    Family<Counter>& rule_bytes;
    Family<Gauge>& hit_ratio;
    Family<Gauge>& cumulative_hit_ratio;
    Family<Gauge>& table_rules;
    Family<Gauge>& table_capacity;
    Family<Counter>& installs;
    Family<Counter>& install_failures;
    Family<Histogram>& install_duration;
    Histogram* install_histogram = nullptr;  // its one series, added by the constructor
    Family<Gauge>& flows;
    Family<Gauge>& not_offloaded;
    Family<Counter>& repairs;
    Family<Gauge>& poll_duration;
    Family<Gauge>& last_poll;
    Family<Counter>& polls;
    Family<Counter>& poll_errors;
    Family<Counter>& reload_failures;
    Family<Counter>& port_drops;
    Family<Counter>& overflows;

    // Label sets each family holds, for the bound and for removal.
    std::set<LabelMap> known_traffic, known_rules, known_ratio, known_cumulative_ratio, known_nics,
        known_failures, known_port_drops;
};

MetricsExporter::MetricsExporter(size_t max_series_per_family)
    : max_series_(max_series_per_family),
      registry_(std::make_shared<prometheus::Registry>()),
      f_(std::make_unique<Families>(*registry_)) {
    prometheus::Histogram::BucketBoundaries bounds(kInstallLatencyBounds.begin(), kInstallLatencyBounds.end());
    f_->install_histogram = &f_->install_duration.Add({}, bounds);
}

MetricsExporter::~MetricsExporter() = default;

template <typename T>
T& MetricsExporter::series(Family<T>& family, std::set<LabelMap>& known, LabelMap labels) {
    if (!known.count(labels) && known.size() >= max_series_) {
        ++overflows_;
        // Closed-set labels keep their value: the overflow series still says
        // where the traffic ran; only the open-ended names collapse.
        for (auto& [k, v] : labels) {
            if (k != "placement" && k != "scope" && k != "direction") v = str(kOtherValue);
        }
    }
    known.insert(labels);
    return family.Add(labels);
}

void MetricsExporter::update(const PollUpdate& u) {
    update_traffic(u);
    update_hit_ratios(u);
    update_offload(u);
    update_flows(u);
    update_health(u);
    update_port_drops(u);
    sync(f_->overflows.Add({{"what", "ledger"}}), u.ledger.overflowed_samples());
    sync(f_->overflows.Add({{"what", "offload"}}), u.offload.overflows());
    sync(f_->overflows.Add({{"what", "exporter"}}), overflows_);
}

void MetricsExporter::update_traffic(const PollUpdate& u) {
    for (const auto& s : u.samples) {
        if (s.packets == 0 && s.bytes == 0) continue;
        const LabelMap labels = {{"placement", str(to_string(s.placement))},
                                 {"nic", s.labels.nic},
                                 {"port", s.labels.port},
                                 {"workload", s.labels.workload}};
        series(f_->packets, f_->known_traffic, labels).Increment(static_cast<double>(s.packets));
        series(f_->bytes, f_->known_traffic, labels).Increment(static_cast<double>(s.bytes));
        if (s.labels.rule.empty()) continue;
        const LabelMap rule = {{"rule", s.labels.rule}, {"placement", str(to_string(s.placement))}};
        series(f_->rule_packets, f_->known_rules, rule).Increment(static_cast<double>(s.packets));
        series(f_->rule_bytes, f_->known_rules, rule).Increment(static_cast<double>(s.bytes));
    }
}

void MetricsExporter::update_hit_ratios(const PollUpdate& u) {
    auto set_or_remove = [this](Family<Gauge>& family, std::set<LabelMap>& known, const LabelMap& labels,
                                std::optional<double> ratio) {
        if (ratio) {
            series(family, known, labels).Set(*ratio);
        } else if (known.erase(labels)) {
            family.Remove(&family.Add(labels));
        }
    };
    auto one = [&](const std::string& scope, const std::string& name, const ScopeTraffic& t) {
        const LabelMap labels = {{"scope", scope}, {"name", name}};
        set_or_remove(f_->hit_ratio, f_->known_ratio, labels, t.interval.hit_rate());
        set_or_remove(f_->cumulative_hit_ratio, f_->known_cumulative_ratio, labels, t.cumulative.hit_rate());
    };
    one("all", "all", u.ledger.overall());
    for (Dimension d : kDimensions) {
        for (const auto& [name, t] : u.ledger.scopes(d)) one(str(to_string(d)), name, t);
    }
}

void MetricsExporter::update_offload(const PollUpdate& u) {
    for (const auto& [nic, t] : u.offload.nics()) {
        const LabelMap labels = {{"nic", nic}};
        series(f_->table_rules, f_->known_nics, labels).Set(static_cast<double>(t.rules_in_hw));
        if (t.capacity) f_->table_capacity.Add(labels).Set(static_cast<double>(*t.capacity));
        sync(f_->installs.Add(labels), t.installs);
        for (const auto& [reason, n] : t.failures_by_reason) {
            sync(series(f_->install_failures, f_->known_failures, {{"nic", nic}, {"reason", reason}}), n);
        }
    }
    for (RepairKind k : kRepairKinds) sync(f_->repairs.Add({{"kind", str(to_string(k))}}), u.offload.repairs(k));

    // The histogram gets what was observed since the last update.
    const LatencyHistogram& now = u.offload.install_latency();
    if (now.count > exported_latency_.count) {
        std::vector<double> increments(now.counts.size());
        for (size_t i = 0; i < now.counts.size(); ++i) {
            increments[i] = static_cast<double>(now.counts[i] - exported_latency_.counts[i]);
        }
        f_->install_histogram->ObserveMultiple(increments, now.sum_seconds - exported_latency_.sum_seconds);
        exported_latency_ = now;
    }
}

void MetricsExporter::update_flows(const PollUpdate& u) {
    std::array<uint64_t, kPlacements> by_placement{};
    std::map<std::string, uint64_t> by_reason;
    for (uint8_t c = 0; c <= static_cast<uint8_t>(offload::ReasonCode::Quirk); ++c) {
        by_reason[str(to_string(static_cast<offload::ReasonCode>(c)))] = 0;
    }
    by_reason[str(kUnexplained)] = 0;
    for (const auto& fl : u.flows) {
        ++by_placement[static_cast<size_t>(fl.placement)];
        if (fl.placement == Placement::Hardware) continue;
        if (fl.reasons.empty()) ++by_reason[str(kUnexplained)];
        std::set<offload::ReasonCode> codes;
        for (const auto& r : fl.reasons) codes.insert(r.code);
        for (auto c : codes) ++by_reason[str(to_string(c))];
    }
    for (Placement p : kAllPlacements) {
        f_->flows.Add({{"placement", str(to_string(p))}}).Set(static_cast<double>(by_placement[static_cast<size_t>(p)]));
    }
    for (const auto& [reason, n] : by_reason) f_->not_offloaded.Add({{"reason", reason}}).Set(static_cast<double>(n));
}

void MetricsExporter::update_port_drops(const PollUpdate& u) {
    if (u.drops == nullptr) return;
    for (const auto& [port, t] : u.drops->totals()) {
        for (DropDirection d : {DropDirection::Rx, DropDirection::Tx}) {
            const LabelMap labels = {{"nic", t.labels.nic},
                                     {"port", port},
                                     {"workload", t.labels.workload},
                                     {"direction", str(to_string(d))}};
            sync(series(f_->port_drops, f_->known_port_drops, labels), d == DropDirection::Rx ? t.rx : t.tx);
        }
    }
}

void MetricsExporter::update_health(const PollUpdate& u) {
    const PollHealth& h = u.health;
    f_->poll_duration.Add({}).Set(std::chrono::duration<double>(h.last_duration()).count());
    if (h.last_poll()) {
        f_->last_poll.Add({}).Set(std::chrono::duration<double>(h.last_poll()->time_since_epoch()).count());
    }
    sync(f_->polls.Add({}), h.polls());
    sync(f_->poll_errors.Add({}), h.errors());
    sync(f_->reload_failures.Add({}), h.config_reload_failures());
}

}  // namespace snoc::monitor
