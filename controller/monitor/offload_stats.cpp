#include "controller/monitor/offload_stats.h"
#include "flow/enum_names.h"

#include <cstring>

#include "controller/monitor/traffic_ledger.h"

namespace snoc::monitor {

std::string_view to_string(RepairKind k) {
    static constexpr std::array<std::string_view, 4> kNames{
        "representor-vanished", "ovs-restarted", "tc-rule-deleted", "flow-drift"};
    static_assert(names_cover(kNames, RepairKind::FlowDrift));
    return name_of(k, kNames);
}

void LatencyHistogram::observe(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // NaN or a clock step backwards: count it as instant
    size_t i = 0;
    while (i < kInstallLatencyBounds.size() && seconds > kInstallLatencyBounds[i]) ++i;
    ++counts[i];
    sum_seconds += seconds;
    ++count;
}

std::string failure_label(offload::ReasonCode code) { return std::string(offload::to_string(code)); }

std::string failure_label(const offload::Status& status) {
    if (status.ok()) return "none";
    // glibc's symbolic name; nullptr for numbers it does not know.
    const char* name = strerrorname_np(status.error);
    return name ? name : "errno-" + std::to_string(status.error);
}

std::optional<double> NicTable::occupancy() const {
    if (!capacity || *capacity == 0) return std::nullopt;
    return static_cast<double>(rules_in_hw) / static_cast<double>(*capacity);
}

NicTable& OffloadStats::nic(std::string_view name) {
    auto it = nics_.find(name);
    if (it != nics_.end()) return it->second;
    const size_t named = nics_.size() - (nics_.count(kOtherValue) ? 1 : 0);
    if (named >= limits_.max_nics) {
        ++overflows_;
        return nics_[std::string(kOtherValue)];
    }
    return nics_[std::string(name)];
}

void OffloadStats::record_install(std::string_view nic_name, std::chrono::nanoseconds latency) {
    ++nic(nic_name).installs;
    latency_.observe(std::chrono::duration<double>(latency).count());
    ++installs_this_interval_;
}

void OffloadStats::record_install_failure(std::string_view nic_name, const std::string& reason_label) {
    NicTable& t = nic(nic_name);
    ++t.failures;
    auto it = t.failures_by_reason.find(reason_label);
    if (it == t.failures_by_reason.end()) {
        const size_t named = t.failures_by_reason.size() - (t.failures_by_reason.count(kOtherValue) ? 1 : 0);
        if (named >= limits_.max_reasons_per_nic) {
            ++overflows_;
            it = t.failures_by_reason.try_emplace(std::string(kOtherValue)).first;
        } else {
            it = t.failures_by_reason.try_emplace(reason_label).first;
        }
    }
    ++it->second;
}

void OffloadStats::set_table(std::string_view nic_name, uint64_t rules_in_hw, std::optional<uint32_t> capacity) {
    NicTable& t = nic(nic_name);
    t.rules_in_hw = rules_in_hw;
    t.capacity = capacity;
}

void OffloadStats::end_interval(std::chrono::nanoseconds elapsed) {
    const double s = std::chrono::duration<double>(elapsed).count();
    install_rate_ = s > 0 ? std::optional<double>(static_cast<double>(installs_this_interval_) / s) : std::nullopt;
    installs_this_interval_ = 0;
}

}  // namespace snoc::monitor
