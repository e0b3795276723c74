#include "controller/monitor/traffic_ledger.h"
#include "flow/enum_names.h"

namespace snoc::monitor {

std::string_view to_string(Source s) {
    static constexpr std::array<std::string_view, 2> kNames{"datapath", "hw-rule"};
    static_assert(names_cover(kNames, Source::HwRule));
    return name_of(s, kNames);
}

std::string_view to_string(Dimension d) {
    static constexpr std::array<std::string_view, 5> kNames{"nic", "bridge", "port", "workload", "rule"};
    static_assert(names_cover(kNames, Dimension::Rule));
    return name_of(d, kNames);
}

const std::string& label_of(const TrafficLabels& l, Dimension d) {
    switch (d) {
        case Dimension::Nic: return l.nic;
        case Dimension::Bridge: return l.bridge;
        case Dimension::Port: return l.port;
        case Dimension::Workload: return l.workload;
        case Dimension::Rule: return l.rule;
    }
    return l.nic;  // unreachable: every enumerator is handled above
}

Counts PlacementCounts::total() const {
    Counts t;
    for (const auto& c : by) {
        t.packets += c.packets;
        t.bytes += c.bytes;
    }
    return t;
}

std::optional<double> PlacementCounts::hit_rate() const {
    const uint64_t all = total().packets;
    if (all == 0) return std::nullopt;
    return static_cast<double>((*this)[offload::Placement::Hardware].packets) / static_cast<double>(all);
}

namespace {

void add(ScopeTraffic& t, const TrafficSample& s) {
    for (PlacementCounts* pc : {&t.interval, &t.cumulative}) {
        Counts& c = (*pc)[s.placement];
        c.packets += s.packets;
        c.bytes += s.bytes;
    }
}

}  // namespace

void TrafficLedger::add_poll(const std::vector<TrafficSample>& samples) {
    ++polls_;
    overall_.interval = {};
    for (auto& m : by_dim_) {
        for (auto& [name, t] : m) t.interval = {};
    }
    for (const auto& s : samples) {
        add(overall_, s);
        for (Dimension d : kDimensions) {
            const std::string& v = label_of(s.labels, d);
            if (!v.empty()) credit(d, v, s);
        }
    }
}

void TrafficLedger::credit(Dimension d, const std::string& value, const TrafficSample& s) {
    auto& m = by_dim_[static_cast<size_t>(d)];
    auto it = m.find(value);
    if (it == m.end()) {
        // "_other" itself does not count against the bound, so the bound is
        // max_values real names plus one overflow bucket.
        const size_t named = m.size() - (m.count(kOtherValue) ? 1 : 0);
        if (named >= max_values_) {
            ++overflowed_;
            it = m.try_emplace(std::string(kOtherValue)).first;
        } else {
            it = m.try_emplace(value).first;
        }
    }
    add(it->second, s);
}

const ScopeTraffic* TrafficLedger::find(Dimension d, std::string_view value) const {
    const auto& m = by_dim_[static_cast<size_t>(d)];
    auto it = m.find(value);
    return it == m.end() ? nullptr : &it->second;
}

}  // namespace snoc::monitor
