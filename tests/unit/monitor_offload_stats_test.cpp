// OffloadStats and PollHealth: installs, latency buckets, failures by reason, tables, bounds.
#include <gtest/gtest.h>

#include <cerrno>
#include <numeric>

#include "controller/monitor/offload_stats.h"
#include "controller/monitor/poll_health.h"

namespace snoc::monitor {
namespace {

using namespace std::chrono_literals;

TEST(MonitorOffloadStats, InstallsLatencyAndRate) {
    OffloadStats s;
    s.record_install("nic0", 300us);   // <= 0.0005
    s.record_install("nic0", 500us);   // == 0.0005: the bucket's upper bound is inclusive
    s.record_install("nic1", 2s);      // above every bound
    s.end_interval(2s);
    EXPECT_EQ(s.installs(), 3u);
    EXPECT_DOUBLE_EQ(*s.installs_per_second(), 1.5);
    const LatencyHistogram& h = s.install_latency();
    EXPECT_EQ(h.count, 3u);
    EXPECT_NEAR(h.sum_seconds, 2.0008, 1e-9);
    EXPECT_EQ(h.counts[2], 2u);  // kInstallLatencyBounds[2] == 0.0005
    EXPECT_EQ(h.counts.back(), 1u);
    EXPECT_EQ(std::accumulate(h.counts.begin(), h.counts.end(), uint64_t{0}), h.count);
    EXPECT_EQ(s.nics().at("nic0").installs, 2u);
    s.end_interval(1s);  // nothing installed since
    EXPECT_DOUBLE_EQ(*s.installs_per_second(), 0.0);
    s.end_interval(0s);
    EXPECT_FALSE(s.installs_per_second().has_value());
}

TEST(MonitorOffloadStats, FailureLabelsAreBounded) {
    EXPECT_EQ(failure_label(offload::ReasonCode::TableFull), "table-full");
    EXPECT_EQ(failure_label(offload::Status::failure(EOPNOTSUPP, "driver said no")), "EOPNOTSUPP");
    EXPECT_EQ(failure_label(offload::Status::failure(ENOSPC, "")), "ENOSPC");
    EXPECT_EQ(failure_label(offload::Status::failure(99999, "?")), "errno-99999");

    OffloadStats s(OffloadStats::Limits{.max_nics = 1, .max_reasons_per_nic = 2});
    s.record_install_failure("nic0", "EOPNOTSUPP");
    s.record_install_failure("nic0", "EOPNOTSUPP");
    s.record_install_failure("nic0", "ENOSPC");
    s.record_install_failure("nic0", "EINVAL");  // third reason: _other
    s.record_install_failure("nic1", "EINVAL");  // second NIC: _other
    const NicTable& t = s.nics().at("nic0");
    EXPECT_EQ(t.failures, 4u);
    EXPECT_EQ(t.failures_by_reason.at("EOPNOTSUPP"), 2u);
    EXPECT_EQ(t.failures_by_reason.at("_other"), 1u);
    EXPECT_EQ(s.nics().count("nic1"), 0u);
    EXPECT_EQ(s.nics().at("_other").failures, 1u);
    EXPECT_EQ(s.overflows(), 2u);
}

TEST(MonitorOffloadStats, TableOccupancyNeedsAKnownCapacity) {
    OffloadStats s;
    s.set_table("nic0", 750, 1000u);
    s.set_table("nic1", 12, std::nullopt);
    s.set_table("nic2", 3, 0u);
    EXPECT_DOUBLE_EQ(*s.nics().at("nic0").occupancy(), 0.75);
    EXPECT_FALSE(s.nics().at("nic1").occupancy().has_value());
    EXPECT_FALSE(s.nics().at("nic2").occupancy().has_value());
}

TEST(MonitorOffloadStats, RepairsByKind) {
    OffloadStats s;
    s.record_repair(RepairKind::TcRuleDeleted);
    s.record_repair(RepairKind::TcRuleDeleted);
    s.record_repair(RepairKind::OvsRestarted);
    EXPECT_EQ(s.repairs(RepairKind::TcRuleDeleted), 2u);
    EXPECT_EQ(s.repairs(RepairKind::OvsRestarted), 1u);
    EXPECT_EQ(s.repairs(RepairKind::FlowDrift), 0u);
    for (RepairKind k : kRepairKinds) EXPECT_NE(to_string(k), "unknown");
}

TEST(MonitorPollHealth, KeepsTheNewestErrorsOnly) {
    PollHealth h(2);
    const auto t0 = std::chrono::system_clock::time_point{} + 1000s;
    EXPECT_FALSE(h.last_poll().has_value());
    h.record_poll(t0, 15ms);
    h.record_error(t0, "first");
    h.record_error(t0 + 1s, "second");
    h.record_error(t0 + 2s, "third");
    EXPECT_EQ(h.errors(), 3u);
    ASSERT_EQ(h.recent_errors().size(), 2u);
    EXPECT_EQ(h.recent_errors().front().what, "second");
    EXPECT_EQ(h.recent_errors().back().what, "third");
    EXPECT_EQ(*h.last_poll(), t0);
    EXPECT_EQ(h.last_duration(), 15ms);
    EXPECT_EQ(h.polls(), 1u);
}

}  // namespace
}  // namespace snoc::monitor
