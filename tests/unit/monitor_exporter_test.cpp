// The Prometheus exporter and the HTTP endpoint, end to end: listen on
// 127.0.0.1:0, feed two polls, scrape /metrics and /status over a plain TCP
// socket and check the exposition text.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "controller/monitor/http_endpoint.h"
#include "controller/monitor/metrics_exporter.h"
#include "controller/monitor/status_view.h"

namespace snoc::monitor {
namespace {

using namespace std::chrono_literals;
using offload::Placement;

struct HttpReply {
    int status = 0;
    std::string body;
};

HttpReply http_get(uint16_t port, const std::string& path, const std::string& method = "GET") {
    HttpReply r;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return r;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return r;
    }
    const std::string req = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) {
        ::close(fd);
        return r;
    }
    std::string raw;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<size_t>(n));
    ::close(fd);
    if (raw.rfind("HTTP/1.", 0) == 0 && raw.size() > 12) r.status = std::stoi(raw.substr(9, 3));
    const size_t body = raw.find("\r\n\r\n");
    if (body != std::string::npos) r.body = raw.substr(body + 4);
    return r;
}

// "name{a=\"x\",b=\"y\"} value" lines -> value by "name{a=\"x\",b=\"y\"}" (labels as printed).
std::map<std::string, double> parse_exposition(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const size_t sp = line.rfind(' ');
        if (sp == std::string::npos) continue;
        out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    }
    return out;
}

TrafficSample sample(std::string port, std::string workload, std::string rule, Placement p, uint64_t packets) {
    return TrafficSample{.labels = {.nic = "nic0", .bridge = "br0", .port = std::move(port),
                                    .workload = std::move(workload), .rule = std::move(rule)},
                         .placement = p,
                         .packets = packets,
                         .bytes = packets * 100,
                         .source = Source::Datapath};
}

TEST(MonitorListen, SpecAddressesToCivetweb) {
    EXPECT_EQ(civetweb_listen_option("127.0.0.1:9469"), "127.0.0.1:9469");
    EXPECT_EQ(civetweb_listen_option("localhost:0"), "127.0.0.1:0");
    EXPECT_EQ(civetweb_listen_option("[::1]:9469"), "[::1]:9469");
    const auto all = civetweb_listen_option(":9469");
    ASSERT_TRUE(all.has_value());
    EXPECT_TRUE(*all == "9469" || *all == "+9469") << *all;
    EXPECT_FALSE(civetweb_listen_option("9469").has_value());
    EXPECT_FALSE(civetweb_listen_option("::1:9469").has_value());
    EXPECT_FALSE(civetweb_listen_option("127.0.0.1:70000").has_value());
    EXPECT_FALSE(civetweb_listen_option("127.0.0.1:x").has_value());
}

TEST(MonitorHttpEndpoint, ReportsAnAddressInUse) {
    MetricsExporter exporter;
    offload::Status err;
    auto first = HttpEndpoint::start("127.0.0.1:0", exporter.registry(), err);
    ASSERT_TRUE(first) << err.reason;
    ASSERT_NE(first->port(), 0);
    auto second = HttpEndpoint::start("127.0.0.1:" + std::to_string(first->port()), exporter.registry(), err);
    EXPECT_FALSE(second);
    EXPECT_FALSE(err.ok());
    EXPECT_NE(err.reason.find("cannot listen"), std::string::npos) << err.reason;
    auto bad = HttpEndpoint::start("nonsense", exporter.registry(), err);
    EXPECT_FALSE(bad);
    EXPECT_EQ(err.error, EINVAL);
}

TEST(MonitorExporter, ScrapeAfterTwoPolls) {
    MetricsExporter exporter;
    offload::Status err;
    auto endpoint = HttpEndpoint::start("127.0.0.1:0", exporter.registry(), err);
    ASSERT_TRUE(endpoint) << err.reason;

    TrafficLedger ledger;
    OffloadStats offload;
    PollHealth health;
    std::vector<FlowRecord> flows(3);
    flows[0].placement = Placement::Hardware;
    flows[1].placement = Placement::Ovs;
    flows[1].reasons = {{.code = offload::ReasonCode::MatchUnsupported, .subject = "a", .detail = ""},
                        {.code = offload::ReasonCode::MatchUnsupported, .subject = "b", .detail = ""}};
    flows[2].placement = Placement::Ovs;  // no reason known

    const auto t0 = std::chrono::system_clock::time_point{} + 1'700'000'000s;
    std::vector<TrafficSample> poll1 = {sample("p0vf0", "web", "allow-web", Placement::Hardware, 90),
                                        sample("p0vf0", "web", "", Placement::Ovs, 10),
                                        sample("p0vf1", "db", "", Placement::Ovs, 5)};
    ledger.add_poll(poll1);
    offload.record_install("nic0", 2ms);
    offload.record_install("nic0", 40ms);
    offload.record_install_failure("nic0", "EOPNOTSUPP");
    offload.set_table("nic0", 7, 1000u);
    offload.set_table("nic1", 0, std::nullopt);
    offload.record_repair(RepairKind::FlowDrift);
    health.record_poll(t0, 25ms);
    exporter.update({.samples = poll1, .ledger = ledger, .offload = offload, .health = health, .flows = flows});

    // Second poll: web idle, db partly in hardware; one more install.
    std::vector<TrafficSample> poll2 = {sample("p0vf1", "db", "", Placement::Hardware, 15)};
    ledger.add_poll(poll2);
    offload.record_install("nic0", 300ms);
    health.record_poll(t0 + 2s, 30ms);
    health.record_error(t0 + 2s, "boom");
    health.record_config_reload_failure();
    exporter.update({.samples = poll2, .ledger = ledger, .offload = offload, .health = health, .flows = flows});
    endpoint->set_status_json(status_json({.ledger = ledger, .offload = offload, .health = health, .now = t0 + 3s}).dump());

    const HttpReply reply = http_get(endpoint->port(), "/metrics");
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto m = parse_exposition(reply.body);
    auto value = [&](const std::string& key) {
        auto it = m.find(key);
        EXPECT_NE(it, m.end()) << "missing " << key << "\n" << reply.body;
        return it == m.end() ? -1.0 : it->second;
    };

    // prometheus-cpp prints labels sorted by name.
    EXPECT_EQ(value(R"(snoc_packets_total{nic="nic0",placement="hardware",port="p0vf0",workload="web"})"), 90);
    EXPECT_EQ(value(R"(snoc_packets_total{nic="nic0",placement="ovs",port="p0vf1",workload="db"})"), 5);
    EXPECT_EQ(value(R"(snoc_packets_total{nic="nic0",placement="hardware",port="p0vf1",workload="db"})"), 15);
    EXPECT_EQ(value(R"(snoc_bytes_total{nic="nic0",placement="hardware",port="p0vf1",workload="db"})"), 1500);
    EXPECT_EQ(value(R"(snoc_rule_packets_total{placement="hardware",rule="allow-web"})"), 90);
    // Hit ratios: web had no packets in the last interval -> no interval sample.
    EXPECT_EQ(m.count(R"(snoc_offload_hit_ratio{name="web",scope="workload"})"), 0u) << reply.body;
    EXPECT_DOUBLE_EQ(value(R"(snoc_offload_cumulative_hit_ratio{name="web",scope="workload"})"), 0.9);
    EXPECT_DOUBLE_EQ(value(R"(snoc_offload_hit_ratio{name="db",scope="workload"})"), 1.0);
    EXPECT_DOUBLE_EQ(value(R"(snoc_offload_cumulative_hit_ratio{name="db",scope="workload"})"), 0.75);
    EXPECT_DOUBLE_EQ(value(R"(snoc_offload_cumulative_hit_ratio{name="nic0",scope="nic"})"), 105.0 / 120.0);
    EXPECT_DOUBLE_EQ(value(R"(snoc_offload_hit_ratio{name="all",scope="all"})"), 1.0);
    EXPECT_DOUBLE_EQ(value(R"(snoc_offload_cumulative_hit_ratio{name="allow-web",scope="rule"})"), 1.0);
    // Tables: capacity only where the profile knows it.
    EXPECT_EQ(value(R"(snoc_hw_table_rules{nic="nic0"})"), 7);
    EXPECT_EQ(value(R"(snoc_hw_table_capacity_rules{nic="nic0"})"), 1000);
    EXPECT_EQ(value(R"(snoc_hw_table_rules{nic="nic1"})"), 0);
    EXPECT_EQ(m.count(R"(snoc_hw_table_capacity_rules{nic="nic1"})"), 0u);
    // Installs: counters synced to the model, the histogram fed increments.
    EXPECT_EQ(value(R"(snoc_hw_rule_installs_total{nic="nic0"})"), 3);
    EXPECT_EQ(value(R"(snoc_hw_rule_install_failures_total{nic="nic0",reason="EOPNOTSUPP"})"), 1);
    EXPECT_EQ(value("snoc_hw_rule_install_duration_seconds_count"), 3);
    EXPECT_NEAR(value("snoc_hw_rule_install_duration_seconds_sum"), 0.342, 1e-9);
    EXPECT_EQ(value(R"(snoc_hw_rule_install_duration_seconds_bucket{le="0.0025"})"), 1);
    EXPECT_EQ(value(R"(snoc_hw_rule_install_duration_seconds_bucket{le="0.05"})"), 2);
    EXPECT_EQ(value(R"(snoc_hw_rule_install_duration_seconds_bucket{le="+Inf"})"), 3);
    // Flows and reasons: a flow with the same code twice counts once.
    EXPECT_EQ(value(R"(snoc_flows{placement="hardware"})"), 1);
    EXPECT_EQ(value(R"(snoc_flows{placement="ovs"})"), 2);
    EXPECT_EQ(value(R"(snoc_flows_not_offloaded{reason="match-unsupported"})"), 1);
    EXPECT_EQ(value(R"(snoc_flows_not_offloaded{reason="unexplained"})"), 1);
    EXPECT_EQ(value(R"(snoc_flows_not_offloaded{reason="table-full"})"), 0);
    EXPECT_EQ(value(R"(snoc_repairs_total{kind="flow-drift"})"), 1);
    EXPECT_EQ(value(R"(snoc_repairs_total{kind="ovs-restarted"})"), 0);
    // Poll health.
    EXPECT_DOUBLE_EQ(value("snoc_poll_duration_seconds"), 0.03);
    EXPECT_DOUBLE_EQ(value("snoc_last_poll_timestamp_seconds"), 1'700'000'002.0);
    EXPECT_EQ(value("snoc_polls_total"), 2);
    EXPECT_EQ(value("snoc_poll_errors_total"), 1);
    EXPECT_EQ(value("snoc_config_reload_failures_total"), 1);
    EXPECT_EQ(value(R"(snoc_monitor_overflows_total{what="exporter"})"), 0);
    EXPECT_NE(reply.body.find("# TYPE snoc_packets_total counter"), std::string::npos);
    EXPECT_NE(reply.body.find("# TYPE snoc_offload_hit_ratio gauge"), std::string::npos);

    const HttpReply status = http_get(endpoint->port(), "/status");
    ASSERT_EQ(status.status, 200);
    const auto j = nlohmann::json::parse(status.body);
    EXPECT_EQ(j["poll"]["polls"], 2);
    EXPECT_EQ(j["workloads"].size(), 2u);

    EXPECT_EQ(http_get(endpoint->port(), "/metrics", "HEAD").body, "");
    EXPECT_EQ(http_get(endpoint->port(), "/metrics", "POST").status, 405);
    EXPECT_EQ(http_get(endpoint->port(), "/").status, 404);
    EXPECT_EQ(http_get(endpoint->port(), "/etc/passwd").status, 404);
}

TEST(MonitorExporter, SeriesBeyondTheBoundGoToOther) {
    MetricsExporter exporter(2);
    TrafficLedger ledger;
    OffloadStats offload;
    PollHealth health;
    const std::vector<FlowRecord> flows;
    std::vector<TrafficSample> poll = {sample("p1", "w1", "", Placement::Ovs, 1), sample("p2", "w2", "", Placement::Ovs, 2),
                                       sample("p3", "w3", "", Placement::Ovs, 4)};
    ledger.add_poll(poll);
    exporter.update({.samples = poll, .ledger = ledger, .offload = offload, .health = health, .flows = flows});
    EXPECT_GT(exporter.overflows(), 0u);

    offload::Status err;
    auto endpoint = HttpEndpoint::start("127.0.0.1:0", exporter.registry(), err);
    ASSERT_TRUE(endpoint) << err.reason;
    const auto m = parse_exposition(http_get(endpoint->port(), "/metrics").body);
    EXPECT_EQ(m.at(R"(snoc_packets_total{nic="_other",placement="ovs",port="_other",workload="_other"})"), 4);
    double sum = 0;
    for (const auto& [k, v] : m) {
        if (k.rfind("snoc_packets_total{", 0) == 0) sum += v;
    }
    EXPECT_EQ(sum, 7);  // nothing lost
    EXPECT_GT(m.at(R"(snoc_monitor_overflows_total{what="exporter"})"), 0);
}

TEST(MonitorExporter, PortDropsAreCountersPerPortAndDirection) {
    MetricsExporter exporter;
    TrafficLedger ledger;
    OffloadStats offload;
    PollHealth health;
    const std::vector<FlowRecord> flows;
    const std::vector<TrafficSample> none;
    PortDropTotals drops;
    drops.add({"rep0", 5, 1}, {"nic0", "web"});
    exporter.update({.samples = none, .ledger = ledger, .offload = offload, .health = health, .flows = flows, .drops = &drops});
    drops.add({"rep0", 12, 1}, {"nic0", "web"});
    drops.add({"rep0", 3, 1}, {"nic0", "web"});  // the device was re-made: its counter restarted
    exporter.update({.samples = none, .ledger = ledger, .offload = offload, .health = health, .flows = flows, .drops = &drops});

    offload::Status err;
    auto endpoint = HttpEndpoint::start("127.0.0.1:0", exporter.registry(), err);
    ASSERT_TRUE(endpoint) << err.reason;
    const auto m = parse_exposition(http_get(endpoint->port(), "/metrics").body);
    EXPECT_EQ(m.at(R"(snoc_port_dropped_packets_total{direction="rx",nic="nic0",port="rep0",workload="web"})"), 15);
    EXPECT_EQ(m.at(R"(snoc_port_dropped_packets_total{direction="tx",nic="nic0",port="rep0",workload="web"})"), 1);
}

}  // namespace
}  // namespace snoc::monitor
