// The rte_flow backend on a real PMD: net_tap, whose rte_flow rules are
// kernel tc flower filters on its tap netdev (egress multiq qdisc 1:). Needs
// a kernel with cls_flower, sch_multiq, act_gact and act_skbedit, so it runs
// in the VM tier (tests/vm/rte-flow.sh sets SNOC_RTE_NET_TAP=1); elsewhere
// every test skips, saying why.
//
// The kernel sends UDP out of the tap netdev; DPDK receives it. A QUEUE rule
// must land its packets on that queue, a DROP rule must lose them, and `tc
// -s filter show` must show what snoc asked for.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <thread>

#include "offload/rte_flow/dpdk/rte_eal.h"
#include "offload/rte_flow/dpdk/rte_flow_backend.h"
#include "rte_policy.h"

namespace snoc::offload::rte {
namespace {

constexpr char kTap[] = "snoctap0";
constexpr uint16_t kQueues = 2;

std::string g_skip;  // why the suite cannot run here; empty when it can

class NetTap : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (std::getenv("SNOC_RTE_NET_TAP") == nullptr) {
            g_skip = "net_tap needs kernel tc flower: runs in the VM tier (tests/vm/rte-flow.sh)";
            return;
        }
        const std::string prefix = "snoc-nettap-" + std::to_string(getpid());
        Status s = init_eal({"--no-huge", "-m", "512", "--no-pci", "--vdev", std::string("net_tap0,iface=") + kTap,
                             "--file-prefix", prefix, "--no-telemetry", "--log-level", "lib.eal:error"});
        if (s.ok()) s = start_port(0, kQueues);
        if (!s.ok()) {
            g_skip = "DPDK set-up failed: " + s.reason;
            return;
        }
        // Only the test's packets: no IPv6 chatter, a fixed neighbour (no ARP).
        const std::string tap = kTap;
        for (const std::string& cmd :
             {"sysctl -qw net.ipv6.conf." + tap + ".disable_ipv6=1", "ip link set " + tap + " up",
              "ip addr add 10.99.0.1/24 dev " + tap,
              "ip neigh replace 10.99.0.2 lladdr 02:00:00:00:00:02 dev " + tap + " nud permanent"}) {
            if (std::system(cmd.c_str()) != 0) {
                g_skip = "set-up command failed: " + cmd;
                return;
            }
        }
    }
    static void TearDownTestSuite() {
        if (g_skip.empty()) close_all_ports();
    }
    void SetUp() override {
        if (!g_skip.empty()) GTEST_SKIP() << g_skip;
    }

    static std::unique_ptr<RteFlowBackend> backend() {
        RteFlowOptions o;
        o.mode = Mode::Ingress;
        o.ethdevs = {{"tap0", "net_tap0"}};
        std::unique_ptr<RteFlowBackend> b;
        const Status s = RteFlowBackend::open(b, o);
        EXPECT_TRUE(s.ok()) << s.reason;
        return b;
    }
    static HwRule rule(uint64_t cookie, const std::string& policy) {
        HwRule r;
        EXPECT_TRUE(test::policy_rule(cookie, "tap0", policy, r)) << policy;
        return r;
    }
    static std::string filters() { return test::command_output(std::string("tc -s filter show dev ") + kTap + " parent 1:"); }

    static void send_udp(uint16_t port, int count) {
        const int fd = socket(AF_INET, SOCK_DGRAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        inet_pton(AF_INET, "10.99.0.2", &to.sin_addr);
        const char payload[] = "snoc";
        for (int i = 0; i < count; ++i) {
            ASSERT_EQ(sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                      static_cast<ssize_t>(sizeof payload));
        }
        close(fd);
    }
    static std::vector<uint64_t> received() {
        std::vector<uint64_t> q(kQueues, 0);
        for (int i = 0; i < 5; ++i) {  // the tap fd fills as the kernel sends
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            drain_port(0, kQueues, q);
        }
        return q;
    }
};

TEST_F(NetTap, ProbeFindsNoCountersAndNoTemplateApiAndSaysWhy) {
    auto b = backend();
    ASSERT_TRUE(b);
    const PortProbe* p = b->probe("tap0");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->driver, "net_tap");
    EXPECT_FALSE(p->counters);
    EXPECT_FALSE(p->templates);
    EXPECT_NE(p->note.find("count"), std::string::npos) << p->note;
    EXPECT_NE(p->note.find("not supported"), std::string::npos) << p->note;
    EXPECT_NE(p->note.find("no template / async flow API"), std::string::npos) << p->note;
}

TEST_F(NetTap, RulesBecomeFlowerFiltersThatSteerAndDropRealPackets) {
    auto b = backend();
    ASSERT_TRUE(b);
    const std::vector<HwRule> desired = {
        rule(1, "priority=300,udp,nw_dst=10.99.0.2,tp_dst=7777 actions=set_queue:1,output:tap0"),
        rule(2, "priority=200,udp,tp_dst=9999 actions=drop"),
        rule(3, "priority=100,udp actions=set_queue:0,output:tap0"),
    };
    const HwSyncReport r = b->sync(desired, {"tap0"});
    for (const auto& [rl, st] : r.failures) ADD_FAILURE() << rl.cookie << ": " << st.reason;
    EXPECT_EQ(r.added, 3u);

    const std::string tc = filters();
    EXPECT_NE(tc.find("dst_port 7777"), std::string::npos) << tc;
    EXPECT_NE(tc.find("queue_mapping 1"), std::string::npos) << tc;
    EXPECT_NE(tc.find("dst_port 9999"), std::string::npos) << tc;
    EXPECT_NE(tc.find("action drop"), std::string::npos) << tc;
    EXPECT_NE(tc.find("dst_ip 10.99.0.2"), std::string::npos) << tc;

    received();  // start from empty queues
    send_udp(7777, 40);
    send_udp(9999, 30);
    send_udp(5555, 20);
    const auto q = received();
    EXPECT_EQ(q[1], 40u) << "queue 0: " << q[0];
    EXPECT_EQ(q[0], 20u) << "queue 1: " << q[1];
    // The dropped packets were counted by the kernel's gact, never delivered.
    const std::string after = filters();
    EXPECT_TRUE(std::regex_search(after, std::regex("Sent [0-9]+ bytes 30 pkt"))) << after;
}

TEST_F(NetTap, ResyncTouchesOnlyWhatDiffers) {
    auto b = backend();
    ASSERT_TRUE(b);
    std::vector<HwRule> desired = {
        rule(1, "priority=300,udp,tp_dst=7777 actions=set_queue:1,output:tap0"),
        rule(2, "priority=200,udp,tp_dst=9999 actions=drop"),
        rule(3, "priority=100,udp actions=set_queue:0,output:tap0"),
    };
    ASSERT_EQ(b->sync(desired, {"tap0"}).added, 3u);
    const HwSyncReport same = b->sync(desired, {"tap0"});
    EXPECT_EQ(same.unchanged, 3u);
    EXPECT_EQ(same.added + same.replaced + same.deleted, 0u);

    desired[1] = rule(2, "priority=200,udp,tp_dst=9998 actions=drop");
    desired.pop_back();
    const HwSyncReport changed = b->sync(desired, {"tap0"});
    EXPECT_EQ(changed.replaced, 1u);
    EXPECT_EQ(changed.deleted, 1u);
    EXPECT_EQ(changed.unchanged, 1u);
    EXPECT_TRUE(changed.ok());
    const std::string tc = filters();
    EXPECT_EQ(tc.find("dst_port 9999"), std::string::npos) << tc;
    EXPECT_NE(tc.find("dst_port 9998"), std::string::npos) << tc;
    EXPECT_NE(tc.find("dst_port 7777"), std::string::npos) << tc;
    EXPECT_EQ(b->rule_count(), 2u);
}

TEST_F(NetTap, RefusedRulesCarryRteFlowErrorTypeCauseAndMessage) {
    auto b = backend();
    ASSERT_TRUE(b);
    const HwSyncReport r = b->sync({rule(7, "ip actions=push_vlan:0x8100,output:tap0"), rule(8, "udp,tp_dst=53 actions=drop"),
                                    rule(9, "ip actions=output:tap0")},
                                   {"tap0"});
    ASSERT_EQ(r.failures.size(), 2u);
    // RSS: net_tap implements it with a BPF program this kernel refuses; the PMD's words come through.
    EXPECT_EQ(r.failures[1].first.cookie, 9u);
    std::cout << "RSS on net_tap: " << r.failures[1].second.reason << "\n";
    EXPECT_NE(r.failures[1].second.reason.find("rte_flow_create on port tap0"), std::string::npos) << r.failures[1].second.reason;
    EXPECT_EQ(r.added, 1u);  // the other rule still goes in
    const std::string& why = r.failures[0].second.reason;
    EXPECT_EQ(r.failures[0].first.cookie, 7u);
    EXPECT_NE(why.find("rte_flow_validate on port tap0"), std::string::npos) << why;
    EXPECT_NE(why.find("ACTION (action 0: of_push_vlan)"), std::string::npos) << why;
    EXPECT_NE(why.find("not supported"), std::string::npos) << why;

    RteFlowOptions o;
    o.ethdevs = {{"tap9", "net_tap9"}};
    std::unique_ptr<RteFlowBackend> none;
    const Status s = RteFlowBackend::open(none, o);
    EXPECT_EQ(s.error, ENODEV);
    EXPECT_NE(s.reason.find("port tap9: no DPDK ethdev named net_tap9"), std::string::npos) << s.reason;
}

TEST_F(NetTap, ReadReportsHardwareRulesAndMissingPorts) {
    auto b = backend();
    ASSERT_TRUE(b);
    ASSERT_EQ(b->sync({rule(1, "udp,tp_dst=7777 actions=drop"), rule(2, "tcp,tp_dst=22 actions=drop")}, {"tap0"}).added, 2u);
    std::vector<HwRuleState> st;
    ASSERT_TRUE(b->read({"tap0"}, st).ok());
    ASSERT_EQ(st.size(), 2u);
    for (const auto& s : st) {
        EXPECT_EQ(s.placement, Placement::Hardware);
        EXPECT_EQ(s.hw_packets, 0u);  // net_tap has no flow counters (probed)
    }
    st.clear();
    const Status gone = b->read({"tap0", "nosuch"}, st);
    EXPECT_EQ(gone.error, ENODEV);
    EXPECT_NE(gone.reason.find("nosuch"), std::string::npos);
}

TEST_F(NetTap, DestroyingTheBackendRemovesEveryFilterItMade) {
    {
        auto b = backend();
        ASSERT_TRUE(b);
        ASSERT_EQ(b->sync({rule(1, "udp,tp_dst=4242 actions=drop")}, {"tap0"}).added, 1u);
        EXPECT_NE(filters().find("dst_port 4242"), std::string::npos);
    }
    const std::string tc = filters();
    EXPECT_EQ(tc.find("flower"), std::string::npos) << tc;
}

TEST_F(NetTap, RenderedRuleIsWhatWasCreated) {
    auto b = backend();
    ASSERT_TRUE(b);
    const HwRule r = rule(1, "udp,tp_dst=7777 actions=set_queue:1,output:tap0");
    ASSERT_EQ(b->sync({r}, {"tap0"}).added, 1u);
    EXPECT_EQ(b->render(r), "flow create 0 priority 0 ingress pattern eth type is 0x800 / ipv4 proto is 17 / "
                            "udp dst is 7777 / end actions queue index 1 / end");
}

// What `render` prints is what an operator pastes into testpmd: a real
// testpmd with its own net_tap port must create every rule from it.
TEST_F(NetTap, RenderedRulesAreCreatedByARealTestpmdOnNetTap) {
    auto b = backend();
    ASSERT_TRUE(b);
    const std::vector<HwRule> desired = {
        rule(1, "priority=300,udp,nw_dst=10.99.0.2,tp_dst=7777 actions=set_queue:1,output:tap0"),
        rule(2, "priority=200,tcp,nw_src=10.99.0.0/24,tp_dst=22 actions=drop"),
        rule(3, "priority=100,dl_vlan=5,ip actions=set_queue:0,output:tap0"),
        rule(4, "priority=50,ipv6,ipv6_dst=fd00::1 actions=drop"),  // flower: one protocol per preference
    };
    const HwSyncReport report = b->sync(desired, {"tap0"});
    for (const auto& [rl, st] : report.failures) ADD_FAILURE() << rl.cookie << ": " << st.reason;
    ASSERT_TRUE(report.ok());
    std::string script;
    for (const auto& r : desired) script += b->render(r) + "\n";
    script += "flow list 0\nquit\n";
    const std::string file = "/tmp/snoc-testpmd-nettap-" + std::to_string(getpid());
    {
        FILE* f = std::fopen(file.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs(script.c_str(), f);
        std::fclose(f);
    }
    const std::string out = test::command_output(
        "timeout 120 dpdk-testpmd --lcores=0@0,1@0 --no-huge -m 256 --no-pci --vdev net_tap0,iface=snoctp9 --file-prefix snoc-tp9-" +
        std::to_string(getpid()) + " --no-telemetry --log-level=lib.eal:error -- -i --rxq=2 --txq=2 --total-num-mbufs=2048 < " + file);
    std::remove(file.c_str());
    size_t created = 0;
    for (size_t at = out.find("created"); at != std::string::npos; at = out.find("created", at + 1)) ++created;
    EXPECT_EQ(created, desired.size()) << script << out;
    EXPECT_EQ(out.find("Bad arguments"), std::string::npos) << out;
}

}  // namespace
}  // namespace snoc::offload::rte
