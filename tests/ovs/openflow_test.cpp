// OpenFlow programming through ovs-ofctl --bundle against a real
// ovs-vswitchd, plus the dump parser and the diff on their own.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

#include "flow/policy_syntax.h"
#include "ovs-integration/flow_diff.h"
#include "ovs-integration/ofctl_dump.h"
#include "ovs-integration/openflow_programmer.h"
#include "ovs-integration/ofport_numbers.h"
#include "ovs-integration/openflow_render.h"
#include "ovs-integration/ovsdb_client.h"
#include "tests/ovs/ovs_sandbox.h"

namespace snoc::ovs {
namespace {

using namespace std::chrono_literals;
using offload::Status;

flow::Flow parse(const std::string& text) {
    auto p = flow::parse_policy_flow(text);
    EXPECT_TRUE(p.flow) << text << ": " << (p.error ? p.error->message : "");
    return p.flow.value_or(flow::Flow{});
}

// Rule i of a large policy: one /32 destination each, alternating ports.
flow::Flow rule(int i, const std::string& port) {
    char text[160];
    std::snprintf(text, sizeof text, "priority=100,ip,nw_dst=10.%d.%d.%d actions=output:%s", (i >> 16) & 0xff,
                  (i >> 8) & 0xff, i & 0xff, port.c_str());
    flow::Flow f = parse(text);
    f.cookie = policy_cookie("rule-" + std::to_string(i));
    return f;
}

std::vector<flow::Flow> rules(int n) {
    std::vector<flow::Flow> out;
    out.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) out.push_back(rule(i, i % 2 == 0 ? "p1" : "p2"));
    return out;
}

TEST(OfctlDump, StripsStatisticsAndFlags) {
    EXPECT_EQ(strip_dump_line(" cookie=0x5c0c000000000001, duration=0.068s, table=0, n_packets=3, n_bytes=180, "
                              "idle_age=2, reset_counts priority=100,tcp,in_port=p1,tp_dst=80 actions=LOCAL"),
              "cookie=0x5c0c000000000001,table=0,priority=100,tcp,in_port=p1,tp_dst=80 actions=LOCAL");
    EXPECT_EQ(strip_dump_line("NXST_FLOW reply (xid=0x4):"), "");
}

TEST(OfctlDump, ParsesBackToTheSameFlowWithLocalCanonical) {
    flow::Flow desired = parse("priority=100,in_port=p1,tcp,tp_dst=80 actions=output:br0");
    desired.cookie = policy_cookie("web");
    const DumpedFlows dumped = parse_dump_flows(
        " cookie=" + std::string("0x5c0c") + "0000" + "00000000, priority=1 actions=drop\n"
        " cookie=0x5c0c000000000001, priority=100,tcp,in_port=p1,tp_dst=80 actions=LOCAL\n"
        " cookie=0x5c0c000000000002, priority=1,weird_field=1 actions=drop\n");
    ASSERT_EQ(dumped.flows.size(), 2u);
    ASSERT_EQ(dumped.unreadable.size(), 1u);
    flow::Flow back = dumped.flows[1];
    back.cookie = desired.cookie;
    EXPECT_EQ(canonical_ports(desired, "br0"), back);
}

TEST(FlowDiff, OneChangedRuleIsOneModify) {
    std::vector<flow::Flow> current = rules(100);
    std::vector<flow::Flow> desired = current;
    desired[42] = rule(42, "p2");  // was p1
    desired.push_back(rule(1000, "p1"));
    desired.erase(desired.begin());  // rule 0 goes
    FlowMods mods;
    ASSERT_TRUE(diff_flows(desired, current, mods).ok());
    EXPECT_EQ(mods.added, 1u);
    EXPECT_EQ(mods.modified, 1u);
    EXPECT_EQ(mods.deleted, 1u);
    EXPECT_EQ(mods.unchanged, 98u);
    ASSERT_EQ(mods.mods.size(), 3u);
    EXPECT_EQ(bundle_line(mods.mods[0]).rfind("delete_strict table=0,priority=100,cookie=0x5c0c", 0), 0u)
        << bundle_line(mods.mods[0]);
    EXPECT_NE(bundle_line(mods.mods[1]).find("modify_strict"), std::string::npos);
    EXPECT_NE(bundle_line(mods.mods[1]).find("/-1,ip,nw_dst=10.0.0.42 actions=output:p2"), std::string::npos)
        << bundle_line(mods.mods[1]);
}

TEST(FlowDiff, DuplicateKeysAndMissingCookiesAreRefused) {
    std::vector<flow::Flow> desired = {rule(1, "p1"), rule(1, "p2")};
    FlowMods mods;
    EXPECT_EQ(diff_flows(desired, {}, mods).error, EINVAL);
    desired = {parse("priority=1 actions=drop")};
    EXPECT_EQ(diff_flows(desired, {}, mods).error, EINVAL);
}

class OpenflowTest : public snoc::test::OvsTest {
protected:
    void SetUp() override {
        OvsTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        const Status s = ovs.vsctl({"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "--",
                                    "add-port", "br0", "p1", "--", "set", "Interface", "p1", "type=internal", "--",
                                    "add-port", "br0", "p2", "--", "set", "Interface", "p2", "type=internal"});
        ASSERT_TRUE(s.ok()) << offload::to_string(s);
        programmer = std::make_unique<OpenflowProgrammer>(OpenflowOptions::for_bridge("br0", ovs.ofctl_target("br0")));
    }
    std::string ofctl(const std::vector<std::string>& args) {
        std::vector<std::string> argv{"ovs-ofctl", "-O", "OpenFlow14", "--names"};
        argv.insert(argv.end(), args.begin(), args.end());
        std::string out;
        const Status s = snoc::test::run(argv, &out);
        EXPECT_TRUE(s.ok()) << offload::to_string(s);
        return out;
    }
    std::unique_ptr<OpenflowProgrammer> programmer;
};

TEST_F(OpenflowTest, TenThousandFlowsInOneBundleThenOneChangeTouchesOneFlow) {
    std::vector<flow::Flow> desired = rules(10000);
    auto t0 = std::chrono::steady_clock::now();
    Status s = programmer->install(desired);
    const double install_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    std::printf("[ timing ] install 10000 flows via bundle: %.3f s\n", install_s);
    EXPECT_LT(install_s, 10.0);

    std::vector<flow::Flow> dumped;
    std::vector<std::string> unreadable;
    t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(programmer->dump(dumped, unreadable).ok());
    std::printf("[ timing ] dump + parse 10000 flows: %.3f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_EQ(dumped.size(), 10000u);
    EXPECT_TRUE(unreadable.empty()) << unreadable.front();

    FlowDrift drift;
    ASSERT_TRUE(programmer->drift(desired, drift).ok());
    EXPECT_TRUE(drift.clean());

    std::this_thread::sleep_for(1100ms);  // so a re-added flow would show a younger duration
    desired[4242] = rule(4242, "p2");     // was p1
    FlowMods done;
    t0 = std::chrono::steady_clock::now();
    s = programmer->update(desired, done);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    std::printf("[ timing ] diff-update 1 of 10000 flows (dump, diff, bundle): %.3f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_EQ(done.mods.size(), 1u);
    EXPECT_EQ(done.modified, 1u);
    EXPECT_EQ(done.unchanged, 9999u);
    EXPECT_EQ(ofctl({"dump-flows", ovs.ofctl_target("br0"), "ip,nw_dst=10.0.16.146"}).find("actions=output:p2") !=
                  std::string::npos,
              true);
    // No flow was re-added: every one is older than the sleep.
    const std::string stats = ofctl({"dump-flows", ovs.ofctl_target("br0"), "cookie=0x5c0c000000000000/0xffff000000000000"});
    EXPECT_EQ(stats.find("duration=0."), std::string::npos);

    ASSERT_TRUE(programmer->update(desired, done).ok());
    EXPECT_TRUE(done.mods.empty());  // converged
    EXPECT_TRUE(programmer->record_valid());

    // With the record: no dump, one flow mod.
    desired[777] = rule(777, "p1");  // odd rules go to p2
    t0 = std::chrono::steady_clock::now();
    s = programmer->update(desired, done);
    const double record_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    std::printf("[ timing ] update 1 of 10000 flows with the in-memory record: %.1f ms\n", record_ms);
    EXPECT_EQ(done.mods.size(), 1u);
    EXPECT_EQ(done.unchanged, 9999u);
    FlowDrift after;
    ASSERT_TRUE(programmer->drift(desired, after).ok());
    EXPECT_TRUE(after.clean());
}

TEST_F(OpenflowTest, StaleRecordIsFoundByDriftAndRepairedByTheNextUpdate) {
    std::vector<flow::Flow> desired = rules(20);
    FlowMods done;
    ASSERT_TRUE(programmer->resync(desired, done).ok());
    EXPECT_EQ(done.added, 20u);
    ASSERT_TRUE(programmer->record_valid());
    // Someone else deletes one of snoc's flows; the record does not know.
    ofctl({"del-flows", "--strict", ovs.ofctl_target("br0"), "priority=100,ip,nw_dst=10.0.0.4"});
    desired[7] = rule(7, "p1");  // was p2
    ASSERT_TRUE(programmer->update(desired, done).ok());
    EXPECT_EQ(done.mods.size(), 1u);  // trusted the record: no dump, the deletion went unnoticed
    FlowDrift drift;
    ASSERT_TRUE(programmer->drift(desired, drift).ok());
    ASSERT_EQ(drift.missing.size(), 1u);
    EXPECT_FALSE(programmer->record_valid());  // drift dropped the record
    ASSERT_TRUE(programmer->update(desired, done).ok());
    EXPECT_EQ(done.added, 1u);
    ASSERT_TRUE(programmer->drift(desired, drift).ok());
    EXPECT_TRUE(drift.clean());
}

TEST_F(OpenflowTest, AfterAnOvsRestartTheCallerForcesAResync) {
    std::vector<flow::Flow> desired = rules(20);
    FlowMods done;
    ASSERT_TRUE(programmer->resync(desired, done).ok());
    // A restart of ovs-vswitchd loses every OpenFlow flow (they are not in OVSDB).
    ofctl({"del-flows", ovs.ofctl_target("br0")});
    ASSERT_TRUE(programmer->update(desired, done).ok());
    EXPECT_TRUE(done.mods.empty());  // the record still says all is in place
    programmer->invalidate_record();
    ASSERT_TRUE(programmer->update(desired, done).ok());
    EXPECT_EQ(done.added, 20u);
    FlowDrift drift;
    ASSERT_TRUE(programmer->drift(desired, drift).ok());
    EXPECT_TRUE(drift.clean());
}

TEST_F(OpenflowTest, RecordMaxAgeMakesUpdateCheckTheSwitchAgain) {
    OpenflowOptions o = OpenflowOptions::for_bridge("br0", ovs.ofctl_target("br0"));
    o.record_max_age = 50ms;
    OpenflowProgrammer aging(o);
    std::vector<flow::Flow> desired = rules(10);
    FlowMods done;
    ASSERT_TRUE(aging.resync(desired, done).ok());
    ofctl({"del-flows", "--strict", ovs.ofctl_target("br0"), "priority=100,ip,nw_dst=10.0.0.2"});
    std::this_thread::sleep_for(60ms);
    ASSERT_TRUE(aging.update(desired, done).ok());
    EXPECT_EQ(done.added, 1u);  // the record was too old to trust: dumped, found the gap
}

TEST_F(OpenflowTest, InstallKeepsAValidRecordInStep) {
    std::vector<flow::Flow> desired = rules(10);
    FlowMods done;
    ASSERT_TRUE(programmer->resync(desired, done).ok());
    const flow::Flow extra = rule(50, "p1");
    const flow::Flow replaced = rule(3, "p1");  // same identity as rule 3, other actions
    ASSERT_TRUE(programmer->install({extra, replaced}).ok());
    EXPECT_TRUE(programmer->record_valid());
    desired[3] = replaced;
    desired.push_back(extra);
    ASSERT_TRUE(programmer->update(desired, done).ok());
    EXPECT_TRUE(done.mods.empty());  // the record knew about both
    FlowDrift drift;
    ASSERT_TRUE(programmer->drift(desired, drift).ok());
    EXPECT_TRUE(drift.clean());
}

TEST_F(OpenflowTest, DriftIsReported) {
    std::vector<flow::Flow> desired = rules(20);
    ASSERT_TRUE(programmer->install(desired).ok());
    // Someone edits one of snoc's flows, deletes another and adds one with snoc's cookie.
    ofctl({"mod-flows", "--strict", ovs.ofctl_target("br0"), "priority=100,ip,nw_dst=10.0.0.3,actions=drop"});
    ofctl({"del-flows", "--strict", ovs.ofctl_target("br0"), "priority=100,ip,nw_dst=10.0.0.4"});
    ofctl({"add-flow", ovs.ofctl_target("br0"), "cookie=0x5c0c0000000000ff,priority=7,udp,actions=drop"});
    FlowDrift drift;
    ASSERT_TRUE(programmer->drift(desired, drift).ok());
    ASSERT_EQ(drift.changed.size(), 1u);
    EXPECT_EQ(flow::format_actions(drift.changed[0].second.actions), "drop");
    ASSERT_EQ(drift.missing.size(), 1u);
    EXPECT_EQ(drift.missing[0], rule(4, "p1"));
    ASSERT_EQ(drift.unexpected.size(), 1u);
    EXPECT_EQ(drift.unexpected[0].priority, 7);
}

TEST_F(OpenflowTest, RemoveAllTouchesOnlySnocFlows) {
    ofctl({"add-flow", ovs.ofctl_target("br0"), "cookie=0x1234,priority=5,arp,actions=NORMAL"});
    ASSERT_TRUE(programmer->install(rules(10)).ok());
    ASSERT_TRUE(programmer->remove_all().ok());
    const std::string left = ofctl({"dump-flows", "--no-stats", ovs.ofctl_target("br0")});
    EXPECT_NE(left.find("cookie=0x1234"), std::string::npos) << left;
    EXPECT_EQ(left.find("0x5c0c"), std::string::npos) << left;
}

TEST_F(OpenflowTest, RejectedBundleChangesNothingAndNamesTheLine) {
    ASSERT_TRUE(programmer->install(rules(5)).ok());
    std::vector<flow::Flow> bad = rules(5);
    bad.push_back(rule(99, "no-such-port"));
    const Status s = programmer->install(bad);
    EXPECT_EQ(s.error, EIO);
    EXPECT_NE(s.reason.find("no-such-port"), std::string::npos) << s.reason;
    std::vector<flow::Flow> dumped;
    std::vector<std::string> unreadable;
    ASSERT_TRUE(programmer->dump(dumped, unreadable).ok());
    EXPECT_EQ(dumped.size(), 5u);
}

TEST_F(OpenflowTest, RenderedPolicyFlowsRoundTrip) {
    // The controller's path: a policy rule, ports mapped to OVS names, owner cookie.
    const flow::Flow policy = parse("priority=200,in_port=web,tcp,tp_dst=443 actions=output:uplink");
    const auto port = [](const std::string& name) { return name == "web" ? std::string("p1") : std::string("p2"); };
    const flow::Flow rendered = parse(render_openflow(policy, policy_cookie("https-in"), port));
    ASSERT_TRUE(programmer->install({rendered}).ok());
    FlowDrift drift;
    ASSERT_TRUE(programmer->drift({rendered}, drift).ok());
    EXPECT_TRUE(drift.clean());
    EXPECT_EQ(programmer->install({policy}).error, EINVAL);  // no snoc cookie: refused
}

TEST(OfportNumbers, PortsBecomeNumbersReservedAndNumericStay) {
    flow::Flow f = parse("priority=10,in_port=p1,ip actions=output:p2,output:LOCAL");
    f.actions.push_back(flow::Output{"7"});        // policies never hold numbers; a number passes as it is
    f.actions.push_back(flow::Output{"in_port"});  // reserved, any case
    f.cookie = policy_cookie("x");
    const OfportNumbers numbers{{"p1", 3}, {"p2", 4}};
    const auto out = with_port_numbers({{FlowMod::Kind::Add, f}}, numbers);
    ASSERT_TRUE(out);
    ASSERT_EQ(out->size(), 1u);
    EXPECT_NE(bundle_line((*out)[0]).find(",in_port=3,ip actions=output:4,output:LOCAL,output:7,output:in_port"),
              std::string::npos)
        << bundle_line((*out)[0]);
    // A port with no number: the whole bundle keeps its names.
    flow::Flow g = parse("priority=10,ip actions=output:p9");
    g.cookie = policy_cookie("y");
    EXPECT_FALSE(with_port_numbers({{FlowMod::Kind::Add, f}, {FlowMod::Kind::Delete, g}}, numbers));
}

class OfportNumberTest : public OpenflowTest {
protected:
    void SetUp() override {
        OpenflowTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        OvsdbOptions o;
        o.socket_path = ovs.db_socket();
        db = std::make_unique<OvsdbClient>(o);
        ASSERT_TRUE(db->connect().ok());
    }
    uint32_t ofport(const std::string& iface) {
        std::string out;
        EXPECT_TRUE(ovs.vsctl({"get", "Interface", iface, "ofport"}, &out).ok());
        return static_cast<uint32_t>(std::stoul(out));
    }
    // A programmer that asks `numbers` before each bundle.
    std::unique_ptr<OpenflowProgrammer> with_numbers(std::function<Status(OfportNumbers&)> numbers) {
        OpenflowOptions o = OpenflowOptions::for_bridge("br0", ovs.ofctl_target("br0"));
        o.port_numbers = std::move(numbers);
        return std::make_unique<OpenflowProgrammer>(o);
    }
    std::unique_ptr<OvsdbClient> db;
};

TEST_F(OfportNumberTest, ReadsTheBridgesInterfacesOnly) {
    ASSERT_TRUE(ovs.vsctl({"add-br", "br1", "--", "set", "bridge", "br1", "datapath_type=netdev", "--", "add-port",
                           "br1", "q1", "--", "set", "Interface", "q1", "type=internal"})
                    .ok());
    OfportNumbers numbers;
    const Status s = read_ofport_numbers(*db, "br0", numbers);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_EQ(numbers.at("p1"), ofport("p1"));
    EXPECT_EQ(numbers.at("p2"), ofport("p2"));
    EXPECT_EQ(numbers.count("q1"), 0u) << "a port of another bridge";
    EXPECT_EQ(numbers.count("br0"), 0u) << "LOCAL (65534) is named, not numbered";
    EXPECT_EQ(read_ofport_numbers(*db, "no-such-br", numbers).error, ENOENT);
}

TEST_F(OfportNumberTest, BundlesGoWithNumbersAndReadBackAsNames) {
    auto p = with_numbers([this](OfportNumbers& n) { return read_ofport_numbers(*db, "br0", n); });
    std::vector<flow::Flow> desired = rules(200);
    ASSERT_TRUE(p->install(desired).ok());
    EXPECT_TRUE(p->last_bundle_numbered());
    desired[7] = rule(7, "p1");  // was p2
    FlowMods done;
    ASSERT_TRUE(p->update(desired, done).ok());
    EXPECT_TRUE(p->last_bundle_numbered());
    EXPECT_EQ(done.mods.size(), 1u);
    FlowDrift drift;
    ASSERT_TRUE(p->drift(desired, drift).ok());
    EXPECT_TRUE(drift.clean()) << drift.missing.size() << " missing, " << drift.changed.size() << " changed";
}

TEST_F(OfportNumberTest, TheNumbersAreWhatOvsGets) {
    // Swapped numbers: output:p1 arrives as p2's number, so the switch holds output:p2.
    auto p = with_numbers([this](OfportNumbers& n) {
        n = {{"p1", ofport("p2")}, {"p2", ofport("p1")}};
        return Status::success();
    });
    ASSERT_TRUE(p->install({rule(1, "p1")}).ok());
    EXPECT_TRUE(p->last_bundle_numbered());
    const std::string dump = ofctl({"dump-flows", "--no-stats", ovs.ofctl_target("br0")});
    EXPECT_NE(dump.find("actions=output:p2"), std::string::npos) << dump;
}

TEST_F(OfportNumberTest, WithoutEveryNumberNamesAreSent) {
    auto failing = with_numbers([](OfportNumbers&) { return Status::failure(ENOTCONN, "no OVSDB"); });
    ASSERT_TRUE(failing->install(rules(4)).ok());
    EXPECT_FALSE(failing->last_bundle_numbered());
    auto partial = with_numbers([this](OfportNumbers& n) {
        n = {{"p1", ofport("p1")}};  // no p2
        return Status::success();
    });
    ASSERT_TRUE(partial->install(rules(4)).ok());
    EXPECT_FALSE(partial->last_bundle_numbered());
    FlowDrift drift;
    ASSERT_TRUE(partial->drift(rules(4), drift).ok());
    EXPECT_TRUE(drift.clean());
}

TEST_F(OfportNumberTest, ARejectedNumberedBundleIsSentAgainWithNamesForItsError) {
    auto p = with_numbers([this](OfportNumbers& n) { return read_ofport_numbers(*db, "br0", n); });
    ASSERT_TRUE(p->install(rules(3)).ok());
    ASSERT_TRUE(p->last_bundle_numbered());
    flow::Flow bad = parse("priority=100,ip,nw_dst=10.9.9.9 actions=meter:77,output:p2");  // no meter 77
    bad.cookie = policy_cookie("metered");
    const Status s = p->install({rule(1, "p1"), bad});
    EXPECT_FALSE(p->last_bundle_numbered());
    EXPECT_EQ(s.error, EIO);
    EXPECT_NE(s.reason.find("INVALID_METER"), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find("output:p2"), std::string::npos) << "the port by name: " << s.reason;
    EXPECT_EQ(s.reason.find("--no-names"), std::string::npos) << s.reason;
    std::vector<flow::Flow> dumped;
    std::vector<std::string> unreadable;
    ASSERT_TRUE(p->dump(dumped, unreadable).ok());
    EXPECT_EQ(dumped.size(), 3u) << "rejected twice, changed nothing";
}

}  // namespace
}  // namespace snoc::ovs
