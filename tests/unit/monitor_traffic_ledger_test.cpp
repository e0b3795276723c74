// TrafficLedger: per-dimension totals, interval vs cumulative hit rates, bounds;
// and the tc sample helpers (the 14-byte correction, the hw / software split).
#include <gtest/gtest.h>

#include <cmath>

#include "controller/monitor/tc_samples.h"
#include "controller/monitor/traffic_ledger.h"

namespace snoc::monitor {
namespace {

using offload::Placement;

TrafficSample sample(std::string nic, std::string port, std::string workload, std::string rule, Placement p,
                     uint64_t packets, uint64_t bytes = 0) {
    return TrafficSample{.labels = {.nic = std::move(nic),
                                    .bridge = "br0",
                                    .port = std::move(port),
                                    .workload = std::move(workload),
                                    .rule = std::move(rule)},
                         .placement = p,
                         .packets = packets,
                         .bytes = bytes,
                         .source = Source::Datapath};
}

TEST(MonitorTrafficLedger, TotalsPerDimensionAndPlacement) {
    TrafficLedger l;
    l.add_poll({sample("nic0", "p0vf0", "web", "allow-http", Placement::Hardware, 30, 3000),
                sample("nic0", "p0vf1", "db", "", Placement::Ovs, 10, 1000),
                sample("", "v-cache", "cache", "", Placement::TcSoftware, 5, 500)});
    const ScopeTraffic* nic0 = l.find(Dimension::Nic, "nic0");
    ASSERT_NE(nic0, nullptr);
    EXPECT_EQ(nic0->interval[Placement::Hardware].packets, 30u);
    EXPECT_EQ(nic0->interval[Placement::Ovs].packets, 10u);
    EXPECT_EQ(nic0->interval.total().bytes, 4000u);
    EXPECT_DOUBLE_EQ(*nic0->interval.hit_rate(), 30.0 / 40.0);
    // Empty labels stay out of their dimension but count overall.
    EXPECT_EQ(l.scopes(Dimension::Nic).size(), 1u);
    EXPECT_EQ(l.scopes(Dimension::Rule).size(), 1u);
    EXPECT_EQ(l.overall().cumulative.total().packets, 45u);
    EXPECT_DOUBLE_EQ(*l.overall().cumulative.hit_rate(), 30.0 / 45.0);
    EXPECT_EQ(l.find(Dimension::Bridge, "br0")->cumulative.total().packets, 45u);
    EXPECT_DOUBLE_EQ(*l.find(Dimension::Workload, "web")->cumulative.hit_rate(), 1.0);
    EXPECT_DOUBLE_EQ(*l.find(Dimension::Workload, "db")->cumulative.hit_rate(), 0.0);
}

TEST(MonitorTrafficLedger, IntervalResetsEachPollCumulativeKeeps) {
    TrafficLedger l;
    l.add_poll({sample("nic0", "p", "w", "", Placement::Hardware, 90), sample("nic0", "p", "w", "", Placement::Ovs, 10)});
    l.add_poll({sample("nic0", "p", "w", "", Placement::Hardware, 10), sample("nic0", "p", "w", "", Placement::Ovs, 90)});
    const ScopeTraffic* w = l.find(Dimension::Workload, "w");
    ASSERT_NE(w, nullptr);
    EXPECT_DOUBLE_EQ(*w->interval.hit_rate(), 0.1);
    EXPECT_DOUBLE_EQ(*w->cumulative.hit_rate(), 0.5);
    EXPECT_EQ(l.polls(), 2u);
}

TEST(MonitorTrafficLedger, HitRateUndefinedWithoutPackets) {
    TrafficLedger l;
    EXPECT_FALSE(l.overall().interval.hit_rate().has_value());
    l.add_poll({sample("nic0", "p", "w", "", Placement::Hardware, 4)});
    l.add_poll({});  // an idle interval
    const ScopeTraffic* w = l.find(Dimension::Workload, "w");
    ASSERT_NE(w, nullptr);
    EXPECT_FALSE(w->interval.hit_rate().has_value());
    EXPECT_DOUBLE_EQ(*w->cumulative.hit_rate(), 1.0);
}

TEST(MonitorTrafficLedger, FailedPlacementCountsAgainstHitRate) {
    TrafficLedger l;
    l.add_poll({sample("n", "p", "w", "r", Placement::Hardware, 1), sample("n", "p", "w", "r", Placement::Failed, 3)});
    EXPECT_DOUBLE_EQ(*l.overall().interval.hit_rate(), 0.25);
}

TEST(MonitorTrafficLedger, BeyondTheBoundGoesToOther) {
    TrafficLedger l(2);
    l.add_poll({sample("n", "p1", "w1", "", Placement::Ovs, 1), sample("n", "p2", "w2", "", Placement::Ovs, 2),
                sample("n", "p3", "w3", "", Placement::Hardware, 4), sample("n", "p4", "w4", "", Placement::Hardware, 8)});
    const auto& ports = l.scopes(Dimension::Port);
    EXPECT_EQ(ports.size(), 3u);  // p1, p2 and _other
    const ScopeTraffic* other = l.find(Dimension::Port, kOtherValue);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->cumulative.total().packets, 12u);
    EXPECT_EQ(l.overflowed_samples(), 4u);  // two ports and two workloads
    // Totals still add up.
    uint64_t sum = 0;
    for (const auto& [name, t] : ports) sum += t.cumulative.total().packets;
    EXPECT_EQ(sum, l.overall().cumulative.total().packets);
}

TEST(MonitorTcSamples, AddsTheEthernetHeaderPerPacket) {
    EXPECT_EQ(tc_bytes_with_l2(0, 0), 0u);
    EXPECT_EQ(tc_bytes_with_l2(1000, 10), 1000u + 10u * kEthernetHeaderBytes);
    // 64-byte frames: tc says 50 per packet.
    EXPECT_EQ(tc_bytes_with_l2(50 * 7, 7), 64u * 7);
    EXPECT_EQ(tc_bytes_with_l2(UINT64_MAX - 5, 1), UINT64_MAX);
    EXPECT_EQ(tc_bytes_with_l2(1, UINT64_MAX / 2), UINT64_MAX);
}

TEST(MonitorTcSamples, SplitsHardwareAndSoftwareParts) {
    std::vector<TrafficSample> out;
    const TrafficLabels labels{.nic = "nic0", .bridge = "br0", .port = "p0vf0", .workload = "web", .rule = "r"};
    append_rule_samples(labels, rule_counters(100, 10'000, 70, 7'000), out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].placement, Placement::Hardware);
    EXPECT_EQ(out[0].packets, 70u);
    EXPECT_EQ(out[0].bytes, 7'000u + 70 * 14);
    EXPECT_EQ(out[0].source, Source::HwRule);
    EXPECT_EQ(out[0].labels, labels);
    EXPECT_EQ(out[1].placement, Placement::TcSoftware);
    EXPECT_EQ(out[1].packets, 30u);
    EXPECT_EQ(out[1].bytes, 3'000u + 30 * 14);
}

TEST(MonitorTcSamples, OmitsEmptyPartsAndClampsHwAboveTotal) {
    std::vector<TrafficSample> out;
    append_rule_samples({}, rule_counters(0, 0, 0, 0), out);
    EXPECT_TRUE(out.empty());
    append_rule_samples({}, rule_counters(10, 1000, 0, 0), out);  // all software
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].placement, Placement::TcSoftware);
    out.clear();
    append_rule_samples({}, rule_counters(10, 1000, 12, 1300), out);  // hw read after the total
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].placement, Placement::Hardware);
    EXPECT_EQ(out[0].packets, 10u);
}

// The daemon's path for one rule across polls, including a re-created filter.
TEST(MonitorTcSamples, DeltasThroughTheLedger) {
    CounterDeltas deltas;
    TrafficLedger ledger;
    const TrafficLabels labels{.nic = "nic0", .bridge = "br0", .port = "p0vf0", .workload = "web", .rule = "r"};
    auto poll = [&](uint64_t pk, uint64_t by, uint64_t hw_pk, uint64_t hw_by) {
        std::vector<TrafficSample> s;
        append_rule_samples(labels, deltas.observe("0x5c0c000000000001", rule_counters(pk, by, hw_pk, hw_by)), s);
        deltas.end_poll();
        ledger.add_poll(s);
    };
    poll(10, 500, 10, 500);
    poll(30, 1500, 25, 1250);  // +20, of which 15 in hardware
    poll(4, 200, 0, 0);        // re-created, now software only
    const ScopeTraffic* r = ledger.find(Dimension::Rule, "r");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->cumulative[Placement::Hardware].packets, 25u);
    EXPECT_EQ(r->cumulative[Placement::TcSoftware].packets, 9u);
    EXPECT_EQ(r->cumulative.total().bytes, 500u + 1000 + 200 + 34 * 14);
    EXPECT_DOUBLE_EQ(*r->interval.hit_rate(), 0.0);
    EXPECT_DOUBLE_EQ(*r->cumulative.hit_rate(), 25.0 / 34.0);
    EXPECT_FALSE(std::isnan(*r->cumulative.hit_rate()));
}

}  // namespace
}  // namespace snoc::monitor
