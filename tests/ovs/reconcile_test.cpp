// The OVSDB reconciler against real daemons: creates, converges, leaves
// foreign rows alone, removes its own stale ports.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "ovs-integration/ovs_reconcile.h"
#include "tests/ovs/ovs_sandbox.h"

namespace snoc::ovs {
namespace {

using namespace std::chrono_literals;

DesiredOvs desired_two_ports() {
    DesiredOvs d;
    d.bridge = "br-snoc";
    d.datapath_type = "netdev";
    d.other_config = {{"max-idle", "20000"}};
    d.ports = {
        DesiredPort{"web", "internal", 10, {}, {{"snoc-workload", "web"}}},
        DesiredPort{"db", "internal", std::nullopt, {}, {{"snoc-workload", "db"}}},
    };
    return d;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

class ReconcileTest : public snoc::test::OvsTest {
protected:
    void SetUp() override {
        OvsTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        client = std::make_unique<OvsdbClient>(OvsdbOptions{ovs.db_socket(), 10s});
    }
    ReconcilePlan apply(const DesiredOvs& d) {
        ReconcilePlan plan;
        const Status s = reconcile(*client, d, plan);
        EXPECT_TRUE(s.ok()) << offload::to_string(s);
        return plan;
    }
    std::string vsctl(const std::vector<std::string>& args) {
        std::string out;
        const Status s = ovs.vsctl(args, &out);
        EXPECT_TRUE(s.ok()) << offload::to_string(s);
        return out;
    }
    std::unique_ptr<OvsdbClient> client;
};

TEST_F(ReconcileTest, CreatesBridgeAndPortsThenIsANoOp) {
    const ReconcilePlan first = apply(desired_two_ports());
    EXPECT_GT(first.operations, 0u);
    EXPECT_FALSE(first.restart_pending);
    EXPECT_TRUE(first.conflicts.empty());
    ASSERT_TRUE(first.next_cfg);
    const Status w = wait_for_vswitchd(*client, *first.next_cfg, 10s);
    EXPECT_TRUE(w.ok()) << offload::to_string(w);

    const std::string show = vsctl({"show"});
    for (const char* expected : {"Bridge br-snoc", "datapath_type: netdev", "Port web", "Interface web", "tag: 10",
                                 "Port db", "Interface db", "Port br-snoc", "type: internal"}) {
        EXPECT_NE(show.find(expected), std::string::npos) << expected << " missing from:\n" << show;
    }
    EXPECT_EQ(vsctl({"list-ports", "br-snoc"}), "db\nweb\n");
    EXPECT_EQ(vsctl({"get", "Interface", "web", "external_ids:snoc-owner"}), "snoc\n");
    EXPECT_EQ(vsctl({"get", "Port", "web", "external_ids:snoc-owner"}), "snoc\n");
    EXPECT_EQ(vsctl({"get", "Bridge", "br-snoc", "external_ids:snoc-owner"}), "snoc\n");
    EXPECT_EQ(vsctl({"get", "Open_vSwitch", ".", "other_config:max-idle"}), "\"20000\"\n");
    // ovs-vswitchd made the internal ports real devices in our namespace.
    EXPECT_TRUE(snoc::test::run({"ip", "link", "show", "dev", "web"}).ok());

    const ReconcilePlan second = apply(desired_two_ports());
    EXPECT_EQ(second.operations, 0u);
    EXPECT_TRUE(second.ops.empty());
    EXPECT_TRUE(second.changes.empty()) << second.changes.front();
}

TEST_F(ReconcileTest, ChangesOnlyWhatDiffers) {
    apply(desired_two_ports());
    DesiredOvs d = desired_two_ports();
    d.ports[0].tag = 20;
    const ReconcilePlan plan = apply(d);
    EXPECT_EQ(plan.operations, 1u);
    ASSERT_EQ(plan.changes.size(), 1u);
    EXPECT_EQ(plan.changes[0], "port web: tag 10 -> 20");
    EXPECT_EQ(vsctl({"get", "Port", "web", "tag"}), "20\n");
}

// OVS-DPDK ports (an rte_flow NIC on a netdev bridge): the Interface type
// and PCI devargs, commas and all, are what ovs-vsctl shows, and converge.
// This ovs-vswitchd has no DPDK, so it reports an error on the interface;
// the rows are what snoc owns and checks.
TEST_F(ReconcileTest, DpdkPortsCarryTypeAndDevargsThenIsANoOp) {
    DesiredOvs d = desired_two_ports();
    d.other_config["dpdk-init"] = "true";
    d.ports.push_back(DesiredPort{"p0", "dpdk", std::nullopt, {{"dpdk-devargs", "0000:03:00.0"}}, {{"snoc-nic", "uplink"}}});
    d.ports.push_back(DesiredPort{"uplinkvf1", "dpdk", std::nullopt,
                                  {{"dpdk-devargs", "0000:03:00.0,representor=vf1"}},
                                  {{"snoc-nic", "uplink"}, {"snoc-vf", "1"}}});
    const ReconcilePlan first = apply(d);
    EXPECT_TRUE(first.restart_pending);  // dpdk-init is read at start-up only
    EXPECT_EQ(vsctl({"get", "Interface", "uplinkvf1", "type"}), "dpdk\n");
    EXPECT_EQ(vsctl({"get", "Interface", "uplinkvf1", "options:dpdk-devargs"}), "\"0000:03:00.0,representor=vf1\"\n");
    EXPECT_EQ(vsctl({"get", "Interface", "p0", "options:dpdk-devargs"}), "\"0000:03:00.0\"\n");
    const std::string show = vsctl({"show"});
    EXPECT_NE(show.find("type: dpdk"), std::string::npos) << show;
    const ReconcilePlan second = apply(d);
    EXPECT_EQ(second.operations, 0u);
    EXPECT_TRUE(second.changes.empty()) << second.changes.front();
    // A changed representor index is one change to that interface's options.
    d.ports.back().options["dpdk-devargs"] = "0000:03:00.0,representor=vf2";
    const ReconcilePlan third = apply(d);
    ASSERT_EQ(third.changes.size(), 1u);
    EXPECT_NE(third.changes[0].find("uplinkvf1"), std::string::npos) << third.changes[0];
    EXPECT_EQ(vsctl({"get", "Interface", "uplinkvf1", "options:dpdk-devargs"}), "\"0000:03:00.0,representor=vf2\"\n");
}

TEST_F(ReconcileTest, ForeignPortIsLeftAloneAndItsWorkloadReported) {
    apply(desired_two_ports());
    vsctl({"add-port", "br-snoc", "ext0", "--", "set", "Interface", "ext0", "type=internal",
           "external_ids:snoc-workload=legacy-app"});
    const ReconcilePlan plan = apply(desired_two_ports());
    EXPECT_EQ(plan.operations, 0u);
    ASSERT_EQ(plan.foreign_ports.size(), 1u);
    EXPECT_EQ(plan.foreign_ports[0].name, "ext0");
    EXPECT_EQ(plan.foreign_ports[0].workload, "legacy-app");
    EXPECT_EQ(vsctl({"list-ports", "br-snoc"}), "db\next0\nweb\n");
}

TEST_F(ReconcileTest, DesiredPortHeldByAForeignRowIsAConflict) {
    vsctl({"add-br", "br-other", "--", "set", "bridge", "br-other", "datapath_type=netdev"});
    vsctl({"add-port", "br-other", "web", "--", "set", "Interface", "web", "type=internal"});
    const ReconcilePlan plan = apply(desired_two_ports());
    EXPECT_TRUE(contains(plan.conflicts, "port web exists but is not snoc's; left alone"));
    EXPECT_EQ(vsctl({"port-to-br", "web"}), "br-other\n");
}

TEST_F(ReconcileTest, OwnedPortNoLongerDesiredIsRemoved) {
    apply(desired_two_ports());
    DesiredOvs d = desired_two_ports();
    d.ports.pop_back();  // drop "db"
    const ReconcilePlan plan = apply(d);
    EXPECT_TRUE(contains(plan.changes, "remove port db (snoc's, no longer desired)"));
    EXPECT_EQ(vsctl({"list-ports", "br-snoc"}), "web\n");
    // Port and Interface rows are garbage-collected with the reference.
    std::string out;
    EXPECT_FALSE(ovs.vsctl({"get", "Interface", "db", "name"}, &out).ok());
}

TEST_F(ReconcileTest, HwOffloadChangeReportsRestartPending) {
    apply(desired_two_ports());
    DesiredOvs d = desired_two_ports();
    d.other_config["hw-offload"] = "false";  // the default: no change, no restart
    EXPECT_FALSE(apply(d).restart_pending);
    d.other_config["hw-offload"] = "true";
    const ReconcilePlan plan = apply(d);
    EXPECT_TRUE(plan.restart_pending);
    EXPECT_TRUE(contains(plan.changes, "set other_config:hw-offload=true (was false)")) << plan.changes.front();
    EXPECT_EQ(vsctl({"get", "Open_vSwitch", ".", "other_config:hw-offload"}), "\"true\"\n");
    EXPECT_FALSE(apply(d).restart_pending);  // already set: nothing new pending from this run
}

TEST_F(ReconcileTest, OthersOtherConfigKeysAreKept) {
    vsctl({"set", "Open_vSwitch", ".", "other_config:vlan-limit=2", "other_config:max-idle=5000"});
    apply(desired_two_ports());
    EXPECT_EQ(vsctl({"get", "Open_vSwitch", ".", "other_config:vlan-limit"}), "\"2\"\n");
    EXPECT_EQ(vsctl({"get", "Open_vSwitch", ".", "other_config:max-idle"}), "\"20000\"\n");
}

TEST_F(ReconcileTest, ForeignBridgeIsRefused) {
    vsctl({"add-br", "br-snoc", "--", "set", "bridge", "br-snoc", "datapath_type=netdev"});
    ReconcilePlan plan;
    const Status s = reconcile(*client, desired_two_ports(), plan);
    EXPECT_EQ(s.error, EEXIST);
    EXPECT_NE(s.reason.find("bridge br-snoc exists but is not snoc's"), std::string::npos) << s.reason;
    EXPECT_EQ(vsctl({"list-ports", "br-snoc"}), "");
}

TEST(ReconcileValidate, RejectsDuplicateNamesAndBadTags) {
    DesiredOvs d = desired_two_ports();
    d.ports.push_back(d.ports[0]);
    EXPECT_EQ(validate_desired(d).error, EINVAL);
    d = desired_two_ports();
    d.ports[0].tag = 5000;
    EXPECT_NE(validate_desired(d).reason.find("outside 0..4095"), std::string::npos);
}

TEST(ReconcilePlanOnly, EmptyDatabaseGetsOneTransaction) {
    ReconcilePlan plan;
    const Status s = plan_reconcile(OvsState{}, desired_two_ports(), plan);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    // root row, other_config, 3 x (interface + port), bridge, Open_vSwitch.bridges
    // (the next_cfg bump, select and comment are bookkeeping, not counted)
    EXPECT_EQ(plan.operations, 10u);
    EXPECT_EQ(plan.ops.back()["op"], "comment");
}

// Only ovsdb-server: the wait must end at its bound and say vswitchd is missing.
class ReconcileWithoutVswitchdTest : public ReconcileTest {
protected:
    bool with_vswitchd() const override { return false; }
};

TEST_F(ReconcileWithoutVswitchdTest, WaitIsBoundedAndSaysVswitchdIsMissing) {
    const ReconcilePlan plan = apply(desired_two_ports());
    ASSERT_TRUE(plan.next_cfg);
    const auto t0 = std::chrono::steady_clock::now();
    const Status w = wait_for_vswitchd(*client, *plan.next_cfg, 300ms);
    const auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(w.error, ETIMEDOUT);
    EXPECT_NE(w.reason.find("not running"), std::string::npos) << w.reason;
    EXPECT_GE(waited, 300ms);
    EXPECT_LT(waited, 5s);
}

}  // namespace
}  // namespace snoc::ovs
