// snoc flows / snoc status renderers: filters, order, text layout, JSON shape,
// and that text and JSON show the same rows.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "controller/monitor/flow_view.h"
#include "controller/monitor/status_view.h"

namespace snoc::monitor {
namespace {

using namespace std::chrono_literals;
using offload::Placement;

FlowRecord flow(std::string id, Placement p, std::string workload, uint64_t packets) {
    FlowRecord f;
    f.id = std::move(id);
    f.placement = p;
    f.labels = {.nic = "nic0", .bridge = "br0", .port = "p0vf0", .workload = std::move(workload), .rule = ""};
    f.match = "in_port=p0vf0,ip,nw_dst=10.0.0.2";
    f.actions = "output:p0vf1";
    f.packets = packets;
    f.bytes = packets * 100;
    return f;
}

std::vector<FlowRecord> sample_flows() {
    auto a = flow("ufid:a", Placement::Hardware, "web", 1'500'000);
    auto b = flow("ufid:b", Placement::Ovs, "web", 500'000);
    b.reasons.push_back({.code = offload::ReasonCode::MatchUnsupported, .subject = "ipv6_label", .detail = "nope"});
    b.idle_ms = 61'000;
    auto c = flow("acl-db", Placement::TcSoftware, "db", 500'000);
    c.source = Source::HwRule;
    c.labels.rule = "acl-db";
    auto d = flow("ufid:d", Placement::Ovs, "db", 7);
    return {d, c, b, a};
}

TEST(MonitorFlowView, ParsesPlacementFilterWords) {
    EXPECT_EQ(parse_placement("hw"), Placement::Hardware);
    EXPECT_EQ(parse_placement("hardware"), Placement::Hardware);
    EXPECT_EQ(parse_placement("tc"), Placement::TcSoftware);
    EXPECT_EQ(parse_placement("ovs"), Placement::Ovs);
    EXPECT_EQ(parse_placement("failed"), Placement::Failed);
    EXPECT_FALSE(parse_placement("HW").has_value());
    EXPECT_FALSE(parse_placement("").has_value());
}

TEST(MonitorFlowView, FiltersAndSortsByPacketsThenId) {
    const auto all = sample_flows();
    auto sel = select_flows(all, {});
    ASSERT_EQ(sel.size(), 4u);
    EXPECT_EQ(sel[0].id, "ufid:a");
    EXPECT_EQ(sel[1].id, "acl-db");  // ties broken by id
    EXPECT_EQ(sel[2].id, "ufid:b");
    EXPECT_EQ(sel[3].id, "ufid:d");
    sel = select_flows(all, FlowFilter{.placement = Placement::Ovs, .workload = std::nullopt});
    ASSERT_EQ(sel.size(), 2u);
    EXPECT_EQ(sel[0].id, "ufid:b");
    sel = select_flows(all, FlowFilter{.placement = std::nullopt, .workload = "db"});
    ASSERT_EQ(sel.size(), 2u);
    sel = select_flows(all, FlowFilter{.placement = Placement::Hardware, .workload = "db"});
    EXPECT_TRUE(sel.empty());
}

TEST(MonitorFlowView, TextHasAlignedColumnsReasonsAndTotals) {
    std::ostringstream out;
    print_flows(select_flows(sample_flows(), {}), OutputFormat::Text, out);
    const std::string text = out.str();
    std::istringstream lines(text);
    std::string header, first;
    std::getline(lines, header);
    std::getline(lines, first);
    EXPECT_EQ(header.rfind("PLACEMENT", 0), 0u);
    // Right-aligned PACKETS: the value ends where the header ends.
    const size_t packets_end = header.find("PACKETS") + std::string("PACKETS").size();
    EXPECT_EQ(first.substr(0, 8), "hardware");
    EXPECT_EQ(first.substr(packets_end - 5, 5), "1.50M");
    EXPECT_NE(text.find("    match: in_port=p0vf0,ip,nw_dst=10.0.0.2\n"), std::string::npos);
    EXPECT_NE(text.find("    - match-unsupported ipv6_label"), std::string::npos);
    EXPECT_NE(text.find("1m01s"), std::string::npos);
    // 1.5M of 2,500,007 packets ran in hardware.
    EXPECT_NE(text.find("hit rate 60.0%"), std::string::npos);
    EXPECT_NE(text.find("4 flows"), std::string::npos);
}

TEST(MonitorFlowView, JsonHasTheSameRowsExactly) {
    const auto sel = select_flows(sample_flows(), {});
    const nlohmann::json j = flows_json(sel);
    ASSERT_EQ(j["flows"].size(), sel.size());
    for (size_t i = 0; i < sel.size(); ++i) {
        EXPECT_EQ(j["flows"][i]["id"], sel[i].id);
        EXPECT_EQ(j["flows"][i]["packets"], sel[i].packets);
        EXPECT_EQ(j["flows"][i]["placement"], std::string(to_string(sel[i].placement)));
        EXPECT_EQ(j["flows"][i]["reasons"].size(), sel[i].reasons.size());
    }
    EXPECT_EQ(j["flows"][2]["reasons"][0]["code"], "match-unsupported");
    EXPECT_EQ(j["flows"][2]["idle_ms"], 61000);
    EXPECT_TRUE(j["flows"][0]["idle_ms"].is_null());
    EXPECT_EQ(j["totals"]["packets"]["hardware"], 1'500'000);
    EXPECT_EQ(j["totals"]["packets"]["ovs"], 500'007);
    EXPECT_DOUBLE_EQ(j["totals"]["hit_rate"].get<double>(), 1'500'000.0 / 2'500'007.0);
    // The text renderer is fed from the same table.
    std::ostringstream out;
    print_flows(sel, OutputFormat::Json, out);
    EXPECT_EQ(nlohmann::json::parse(out.str()), j);
    EXPECT_TRUE(flows_json({})["totals"]["hit_rate"].is_null());
}

TEST(MonitorStatusView, NicsAndWorkloadsWithTablesAndHealth) {
    TrafficLedger ledger;
    auto s = [](std::string nic, std::string workload, Placement p, uint64_t n) {
        return TrafficSample{.labels = {.nic = std::move(nic), .bridge = "br0", .port = "", .workload = std::move(workload), .rule = ""},
                             .placement = p, .packets = n, .bytes = n * 64, .source = Source::Datapath};
    };
    ledger.add_poll({s("nic0", "web", Placement::Hardware, 80), s("nic0", "web", Placement::Ovs, 20)});
    ledger.add_poll({s("nic0", "web", Placement::TcSoftware, 10)});
    OffloadStats offload;
    offload.set_table("nic0", 40, 100u);
    offload.set_table("nic1", 0, std::nullopt);  // a NIC without traffic still shows its table
    offload.record_install_failure("nic0", "ENOSPC");
    offload.record_repair(RepairKind::TcRuleDeleted);
    PollHealth health;
    const auto t = std::chrono::system_clock::time_point{} + 1'700'000'000s;
    health.record_poll(t, 12ms);
    health.record_error(t, "dpctl/dump-flows: connection refused");
    const StatusInputs in{.ledger = ledger, .offload = offload, .health = health, .now = t + 3s};

    const nlohmann::json j = status_json(in);
    ASSERT_EQ(j["nics"].size(), 2u);
    EXPECT_EQ(j["nics"][0]["nic"], "nic0");
    EXPECT_EQ(j["nics"][0]["packets_hardware"], 80);
    EXPECT_EQ(j["nics"][0]["packets_tc_software"], 10);
    EXPECT_DOUBLE_EQ(j["nics"][0]["hit_rate_interval"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(j["nics"][0]["hit_rate_cumulative"].get<double>(), 80.0 / 110.0);
    EXPECT_DOUBLE_EQ(j["nics"][0]["occupancy"].get<double>(), 0.4);
    EXPECT_EQ(j["nics"][0]["failures_by_reason"][0]["reason"], "ENOSPC");
    EXPECT_TRUE(j["nics"][1]["capacity"].is_null());
    EXPECT_TRUE(j["nics"][1]["hit_rate_cumulative"].is_null());
    EXPECT_EQ(j["workloads"][0]["workload"], "web");
    EXPECT_EQ(j["poll"]["last_poll"], "2023-11-14T22:13:20Z");
    EXPECT_DOUBLE_EQ(j["poll"]["last_poll_age_seconds"].get<double>(), 3.0);
    EXPECT_EQ(j["poll"]["recent_errors"].size(), 1u);
    EXPECT_EQ(j["repairs"]["tc-rule-deleted"], 1);

    std::ostringstream out;
    print_status(in, OutputFormat::Text, out);
    const std::string text = out.str();
    EXPECT_NE(text.find("last poll 2023-11-14T22:13:20Z (3 s ago), took 12.0 ms"), std::string::npos);
    EXPECT_NE(text.find("hit rate: 0.0% last interval, 72.7% since start"), std::string::npos);
    EXPECT_NE(text.find("  NIC "), std::string::npos);
    EXPECT_NE(text.find("40.0%"), std::string::npos);
    EXPECT_NE(text.find("unknown"), std::string::npos);
    EXPECT_NE(text.find("failed 1x: ENOSPC"), std::string::npos);
    EXPECT_NE(text.find("repairs: tc-rule-deleted 1"), std::string::npos);
    EXPECT_NE(text.find("connection refused"), std::string::npos);
}

TEST(MonitorStatusView, NoPollYet) {
    TrafficLedger ledger;
    OffloadStats offload;
    PollHealth health;
    std::ostringstream out;
    print_status({.ledger = ledger, .offload = offload, .health = health, .now = {}}, OutputFormat::Text, out);
    EXPECT_EQ(out.str().rfind("no poll yet\nhit rate: - last interval, - since start\n", 0), 0u);
    const auto j = status_json({.ledger = ledger, .offload = offload, .health = health, .now = {}});
    EXPECT_TRUE(j["poll"]["last_poll"].is_null());
    EXPECT_TRUE(j["hit_rate_interval"].is_null());
}

TEST(MonitorColumnTable, HumanCounts) {
    EXPECT_EQ(human_count(0), "0");
    EXPECT_EQ(human_count(999), "999");
    EXPECT_EQ(human_count(1000), "1.00k");
    EXPECT_EQ(human_count(12'345), "12.3k");
    EXPECT_EQ(human_count(999'499), "999k");
    EXPECT_EQ(human_count(999'500), "1.00M");
    EXPECT_EQ(human_count(UINT64_MAX), "18.4E");
}

}  // namespace
}  // namespace snoc::monitor
