// What the daemon did to the NICs' rule tables: hardware-rule installs and
// how long they took, failures by reason, table occupancy, repairs. The
// daemon bumps these as it works; the status view and the exporter read them.
//
// Every map is bounded: a NIC or failure reason beyond the bound is counted
// under "_other" and overflows() says so.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "offload/capability.h"
#include "offload/status.h"

namespace snoc::monitor {

// Why the daemon had to put something back.
enum class RepairKind : uint8_t {
    RepresentorVanished,  // a VF representor disappeared (driver reload, VF reset) and was re-created
    OvsRestarted,         // ovs-vswitchd restarted: bridges, ports and flows re-programmed
    TcRuleDeleted,        // one of snoc's tc rules was removed by someone else
    FlowDrift,            // an OpenFlow flow no longer matched the desired one
};
inline constexpr std::array<RepairKind, 4> kRepairKinds = {RepairKind::RepresentorVanished, RepairKind::OvsRestarted,
                                                           RepairKind::TcRuleDeleted, RepairKind::FlowDrift};
std::string_view to_string(RepairKind k);

// Upper bounds in seconds. Fixed, so a histogram means the same across
// restarts and hosts: tc installs take ~0.1-1 ms in software, drivers that
// program firmware take 1-50 ms, anything over a second is a stuck driver.
inline constexpr std::array<double, 12> kInstallLatencyBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                                 0.01,   0.025,   0.05,   0.1,   0.25,   1.0};

struct LatencyHistogram {
    // counts[i]: observations <= kInstallLatencyBounds[i] and above the
    // previous bound (not cumulative); the last slot is "above every bound".
    std::array<uint64_t, kInstallLatencyBounds.size() + 1> counts{};
    double sum_seconds = 0;
    uint64_t count = 0;
    void observe(double seconds);
};

// The label a failure is counted under: the capability reason's name
// ("table-full") when snoc refused the rule, else the errno's symbolic name
// ("EOPNOTSUPP") — never the free-text reason, which would make one label
// value per message.
std::string failure_label(offload::ReasonCode code);
std::string failure_label(const offload::Status& status);

struct NicTable {
    uint64_t rules_in_hw = 0;
    std::optional<uint32_t> capacity;  // the profile's max_rules; unknown when the profile has no figure
    uint64_t installs = 0;
    uint64_t failures = 0;
    std::map<std::string, uint64_t, std::less<>> failures_by_reason;
    std::optional<double> occupancy() const;  // rules_in_hw / capacity; nullopt when unknown or zero
};

class OffloadStats {
public:
    struct Limits {
        size_t max_nics = 64;
        size_t max_reasons_per_nic = 64;
    };
    OffloadStats() : OffloadStats(Limits{}) {}
    explicit OffloadStats(Limits limits) : limits_(limits) {}

    void record_install(std::string_view nic, std::chrono::nanoseconds latency);
    void record_install_failure(std::string_view nic, const std::string& reason_label);
    void set_table(std::string_view nic, uint64_t rules_in_hw, std::optional<uint32_t> capacity);
    void record_repair(RepairKind k) { ++repairs_[static_cast<size_t>(k)]; }

    // Closes an interval of `elapsed`: installs_per_second() is the rate over it.
    void end_interval(std::chrono::nanoseconds elapsed);

    const std::map<std::string, NicTable, std::less<>>& nics() const { return nics_; }
    const LatencyHistogram& install_latency() const { return latency_; }
    uint64_t repairs(RepairKind k) const { return repairs_[static_cast<size_t>(k)]; }
    uint64_t installs() const { return latency_.count; }
    std::optional<double> installs_per_second() const { return install_rate_; }
    uint64_t overflows() const { return overflows_; }

private:
    NicTable& nic(std::string_view name);

    Limits limits_;
    std::map<std::string, NicTable, std::less<>> nics_;
    LatencyHistogram latency_;
    std::array<uint64_t, kRepairKinds.size()> repairs_{};
    uint64_t installs_this_interval_ = 0;
    std::optional<double> install_rate_;
    uint64_t overflows_ = 0;
};

}  // namespace snoc::monitor
