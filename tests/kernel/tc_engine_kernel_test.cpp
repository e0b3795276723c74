// The tc-flower engine against the real kernel (run in the VM tier):
// install / dump / delete on veths with real traffic counted, every key and
// action of the translation table through the kernel, skip_sw refusal with
// the kernel's reason, idempotent sync, and netdevsim's in_hw path.
#include <gtest/gtest.h>

#include <cstdlib>

#include "kernel_env.h"
#include "flow/policy_syntax.h"
#include "offload/tc/flower_actions.h"
#include "offload/tc/tc_engine.h"

namespace snoc::offload::tc {
namespace {

using test::must;
using test::output_of;
using test::sh;

// A veth pair: "snoc-a" here, "snoc-b" in namespace "peer", 10.99.0.1/.2.
class Veth : public ::testing::Test {
protected:
    void SetUp() override {
        SNOC_REQUIRE_FLOWER();
        sh("ip netns del peer");
        sh("ip link del snoc-a");
        must("ip netns add peer");
        must("ip link add snoc-a type veth peer name snoc-b netns peer");
        must("ip addr add 10.99.0.1/24 dev snoc-a && ip link set snoc-a up");
        must("ip -n peer addr add 10.99.0.2/24 dev snoc-b && ip -n peer link set snoc-b up && ip -n peer link set lo up");
        ASSERT_TRUE(TcEngine::open(engine_).ok());
    }
    void TearDown() override {
        sh("ip link del snoc-a");
        sh("ip netns del peer");
    }

    TcRule rule(const std::string& text, SkipPolicy skip = SkipPolicy::SkipHw, uint64_t cookie = 0x5c0c000000000001) {
        auto parsed = flow::parse_policy_flow(text);
        EXPECT_TRUE(parsed.flow) << text;
        TcRule r;
        r.dev = "snoc-a";
        r.flow = *parsed.flow;
        r.flow.match.in_port.reset();
        r.chain = r.flow.table;
        r.prio = prio_for(r.flow.priority);
        r.cookie = cookie;
        r.handle = handle_for(cookie);
        r.skip = skip;
        return r;
    }

    std::vector<TcRuleState> dump() {
        std::vector<TcRuleState> out;
        Status s = engine_->dump("snoc-a", true, out);
        EXPECT_TRUE(s.ok()) << to_string(s);
        return out;
    }

    std::unique_ptr<TcEngine> engine_;
};

TEST_F(Veth, InstallCountsRealTrafficAndDeletes) {
    ASSERT_TRUE(engine_->ensure_clsact("snoc-a").ok());
    std::vector<TcRule> rules{rule("priority=100,icmp,icmp_type=8 actions=drop")};
    ASSERT_TRUE(engine_->resolve(rules).ok());
    auto results = engine_->install(rules, Install::Create);
    ASSERT_TRUE(results[0].ok()) << to_string(results[0]);

    // Three echo requests from the peer arrive on snoc-a's ingress and are dropped there.
    EXPECT_NE(sh("ip netns exec peer ping -c 3 -i 0.2 -W 1 10.99.0.1"), 0);
    auto states = dump();
    ASSERT_EQ(states.size(), 1u);
    EXPECT_EQ(states[0].rule.cookie, rules[0].cookie);
    EXPECT_EQ(states[0].total.packets, 3u);
    EXPECT_EQ(states[0].total.bytes, 3u * 84) << "tc ingress counts from the IP header: 84-byte echo requests";
    EXPECT_EQ(states[0].hw.packets, 0u);
    EXPECT_FALSE(states[0].in_hw);
    EXPECT_EQ(states[0].rule.flow, rules[0].flow);
    // iproute2 sees the same rule.
    const std::string tc = output_of("tc -s filter show dev snoc-a ingress");
    EXPECT_NE(tc.find("skip_hw"), std::string::npos) << tc;
    EXPECT_NE(tc.find("Sent 252 bytes 3 pkt"), std::string::npos) << tc;

    auto removed = engine_->remove(rules);
    ASSERT_TRUE(removed[0].ok()) << to_string(removed[0]);
    EXPECT_TRUE(dump().empty());
    EXPECT_EQ(sh("ip netns exec peer ping -c 1 -W 1 10.99.0.1"), 0) << "traffic flows again";
    // Removing twice is not an error.
    EXPECT_TRUE(engine_->remove(rules)[0].ok());
}

TEST_F(Veth, RedirectCarriesTrafficBetweenPorts) {
    // A second veth into namespace "peer2": packets from peer to 10.99.1.2 are redirected there.
    sh("ip netns del peer2");
    must("ip netns add peer2");
    must("ip link add snoc-c type veth peer name snoc-d netns peer2");
    must("ip link set snoc-c up && ip -n peer2 addr add 10.99.1.2/24 dev snoc-d && ip -n peer2 link set snoc-d up");
    must("ip -n peer route add 10.99.1.0/24 dev snoc-b");
    must("ip -n peer2 route add 10.99.0.0/24 dev snoc-d");
    must("ip -n peer neigh add 10.99.1.2 lladdr 02:00:00:00:00:d0 dev snoc-b");
    must("ip -n peer2 link set snoc-d address 02:00:00:00:00:d0");
    ASSERT_TRUE(engine_->ensure_clsact("snoc-a").ok());
    ASSERT_TRUE(engine_->ensure_clsact("snoc-c").ok());
    std::vector<TcRule> rules{rule("priority=100,ip,nw_dst=10.99.1.2 actions=output:snoc-c")};
    TcRule back = rule("priority=100,ip,nw_dst=10.99.0.2 actions=output:snoc-a", SkipPolicy::SkipHw, 0x5c0c000000000002);
    back.dev = "snoc-c";
    rules.push_back(back);
    ASSERT_TRUE(engine_->resolve(rules).ok());
    // The peer's MAC must be right on the way back too.
    const std::string mac_b = output_of("ip -n peer -br link show snoc-b | awk '{print $3}'");
    must("ip -n peer2 neigh add 10.99.0.2 lladdr " + mac_b.substr(0, 17) + " dev snoc-d");
    auto results = engine_->install(rules, Install::Create);
    ASSERT_TRUE(results[0].ok()) << to_string(results[0]);
    ASSERT_TRUE(results[1].ok()) << to_string(results[1]);
    EXPECT_EQ(sh("ip netns exec peer ping -c 2 -i 0.2 -W 2 10.99.1.2"), 0);
    auto states = dump();
    ASSERT_EQ(states.size(), 1u);
    EXPECT_GE(states[0].total.packets, 2u);
    sh("ip link del snoc-c");
    sh("ip netns del peer2");
}

// Every key and action of the translation table, through the kernel and back.
class KernelRoundTrip : public Veth, public ::testing::WithParamInterface<const char*> {};

TEST_P(KernelRoundTrip, KernelEchoesTheSameRule) {
    ASSERT_TRUE(engine_->ensure_clsact("snoc-a").ok());
    engine_->context().meters[3] = MeterRate{10000, 100};
    std::vector<TcRule> rules{rule(GetParam())};
    ASSERT_TRUE(engine_->resolve(rules).ok());
    auto results = engine_->install(rules, Install::Create);
    ASSERT_TRUE(results[0].ok()) << GetParam() << ": " << to_string(results[0]);
    auto states = dump();
    ASSERT_EQ(states.size(), 1u);
    flow::Flow echoed = rules[0].flow;
    echoed.actions = tc_normal_form(echoed.actions);
    EXPECT_EQ(flow::format_flow(states[0].rule.flow), flow::format_flow(echoed));
    EXPECT_EQ(states[0].rule.flow, echoed);
    EXPECT_TRUE(engine_->remove(rules)[0].ok());
}

INSTANTIATE_TEST_SUITE_P(
    TranslationTable, KernelRoundTrip,
    ::testing::Values(
        "priority=100,ip actions=output:snoc-a",
        "priority=100,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:00/ff:ff:ff:00:00:00 actions=drop",
        "priority=100,arp actions=drop",
        "priority=100,ip,nw_src=10.0.0.0/8,nw_dst=192.0.2.1 actions=drop",
        "priority=100,ipv6,ipv6_src=2001:db8::/32,ipv6_dst=2001:db8::1 actions=drop",
        "priority=100,tcp,tp_src=1024,tp_dst=0x50/0xfff0 actions=drop",
        "priority=100,udp,tp_dst=53 actions=drop",
        "priority=100,sctp,tp_dst=9 actions=drop",
        "priority=100,tcp,tcp_flags=+syn-ack actions=drop",
        "priority=100,icmp,icmp_type=8,icmp_code=0 actions=drop",
        "priority=100,icmp6,icmp_type=135 actions=drop",
        "priority=100,ip,nw_tos=32,nw_ecn=1,nw_ttl=64 actions=drop",
        "priority=100,dl_vlan=100,dl_vlan_pcp=3,ip actions=pop_vlan,output:snoc-a",
        "priority=100,dl_vlan=100 actions=mod_vlan_vid:200,output:snoc-a",
        "priority=100,ip actions=push_vlan:0x8100,mod_vlan_vid:10,output:snoc-a",
        "priority=100,ip actions=push_vlan:0x88a8,mod_vlan_vid:10,mod_vlan_pcp:5,output:snoc-a",
        "priority=100,ip,tun_id=5001,tun_src=198.51.100.0/24,tun_dst=192.0.2.10 actions=drop",
        "priority=100,ip,ct_state=+trk+est-new,ct_zone=5,ct_mark=0x10/0xf0 actions=drop",
        "table=1,priority=10,ip actions=ct(commit,zone=7),output:snoc-a",
        "priority=100,ip actions=ct(zone=3,table=1)",
        "priority=100,ip actions=ct_clear,goto_table:4",
        "priority=100,ip actions=output:snoc-a,output:snoc-a",
        "priority=100,ip actions=meter:3,output:snoc-a",
        "priority=100,ip actions=mod_dl_src:02:00:00:00:00:aa,mod_dl_dst:02:00:00:00:00:bb,output:snoc-a",
        "priority=100,ip actions=mod_nw_src:10.1.1.1,mod_nw_dst:10.2.2.2,dec_ttl,output:snoc-a",
        "priority=100,tcp actions=mod_tp_src:1000,mod_tp_dst:2000,output:snoc-a",
        "priority=100,udp actions=mod_nw_tos:32,mod_nw_ttl:9,mod_tp_dst:53,output:snoc-a",
        "priority=100,ipv6 actions=set_field:2001:db8::5->ipv6_dst,dec_ttl,output:snoc-a"));

TEST_F(Veth, SkipSwOnAVethIsRefusedWithTheKernelsReason) {
    ASSERT_TRUE(engine_->ensure_clsact("snoc-a").ok());
    std::vector<TcRule> rules{rule("priority=100,ip actions=drop", SkipPolicy::SkipSw)};
    ASSERT_TRUE(engine_->resolve(rules).ok());
    auto results = engine_->install(rules, Install::Create);
    // A veth cannot offload: the kernel refuses (6.1 answers EOPNOTSUPP without
    // extended-ack text; the reason then is strerror's). Nothing was installed.
    ASSERT_FALSE(results[0].ok());
    EXPECT_TRUE(results[0].error == EOPNOTSUPP || results[0].error == EINVAL) << to_string(results[0]);
    EXPECT_FALSE(results[0].reason.empty());
    EXPECT_TRUE(dump().empty());
    std::cout << "kernel reason: " << results[0].reason << "\n";
}

TEST_F(Veth, BatchAttributesEachError) {
    ASSERT_TRUE(engine_->ensure_clsact("snoc-a").ok());
    std::vector<TcRule> rules;
    for (uint64_t i = 0; i < 300; ++i) {
        rules.push_back(rule("priority=" + std::to_string(100 + i % 50) + ",ip,nw_dst=10.1." + std::to_string(i / 250) +
                                 "." + std::to_string(i % 250) + " actions=drop",
                             i == 150 ? SkipPolicy::SkipSw : SkipPolicy::SkipHw, 0x5c0c000000001000 + i));
    }
    ASSERT_TRUE(engine_->resolve(rules).ok());
    auto results = engine_->install(rules, Install::Create);
    for (size_t i = 0; i < results.size(); ++i) {
        if (i == 150) EXPECT_FALSE(results[i].ok());
        else EXPECT_TRUE(results[i].ok()) << i << ": " << to_string(results[i]);
    }
    EXPECT_EQ(dump().size(), 299u);
}

TEST_F(Veth, SyncIsIdempotentAndTouchesOnlyWhatChanged) {
    must("tc qdisc add dev snoc-a clsact");
    // A rule somebody else added: sync must leave it alone.
    must("tc filter add dev snoc-a ingress protocol ip pref 7 flower skip_hw dst_ip 10.7.7.7 action drop");
    std::vector<TcRule> desired;
    for (uint64_t i = 0; i < 20; ++i) {
        desired.push_back(rule("priority=200,ip,nw_dst=10.2.0." + std::to_string(i) + " actions=drop",
                               SkipPolicy::SkipHw, 0x5c0c000000002000 + i));
    }
    auto first = engine_->sync(desired, {"snoc-a"});
    EXPECT_TRUE(first.failures.empty());
    EXPECT_EQ(first.added, 20u);
    auto second = engine_->sync(desired, {"snoc-a"});
    EXPECT_EQ(second.added + second.replaced + second.deleted, 0u) << "a second sync changes nothing";
    EXPECT_EQ(second.unchanged, 20u);

    desired[3] = rule("priority=200,ip,nw_dst=10.3.0.3 actions=drop", SkipPolicy::SkipHw, desired[3].cookie);
    desired.pop_back();
    auto third = engine_->sync(desired, {"snoc-a"});
    EXPECT_EQ(third.replaced, 1u);
    EXPECT_EQ(third.deleted, 1u);
    EXPECT_EQ(third.added, 0u);
    EXPECT_EQ(third.unchanged, 18u);
    EXPECT_NE(output_of("tc filter show dev snoc-a ingress").find("10.7.7.7"), std::string::npos)
        << "the foreign rule is still there";
}

// OVS with hw-offload installs its own flower filters on the same ports, with
// actions snoc does not model (a flood to the bridge's internal port is
// "skbedit ptype host"). Reading and syncing snoc's rules must pass them by.
TEST_F(Veth, ForeignFiltersWithUnmodelledActionsAreLeftAlone) {
    must("tc qdisc add dev snoc-a clsact");
    must("tc filter add dev snoc-a ingress protocol ip pref 3 flower skip_hw dst_ip 10.8.8.8 action skbedit ptype host");
    std::vector<TcRule> desired{rule("priority=300,ip,nw_dst=10.2.0.1 actions=drop", SkipPolicy::SkipHw, 0x5c0c000000003001)};
    auto first = engine_->sync(desired, {"snoc-a"});
    EXPECT_TRUE(first.failures.empty()) << (first.failures.empty() ? "" : to_string(first.failures[0].second));
    EXPECT_EQ(first.added, 1u);
    auto states = dump();
    ASSERT_EQ(states.size(), 1u) << "only snoc's rule in an owned-only dump";
    EXPECT_EQ(states[0].rule.cookie, 0x5c0c000000003001u);
    auto second = engine_->sync(desired, {"snoc-a"});
    EXPECT_TRUE(second.failures.empty());
    EXPECT_EQ(second.unchanged, 1u) << "a second sync sees its rule despite the foreign one";
    std::vector<TcRuleState> all;
    EXPECT_FALSE(engine_->dump("snoc-a", false, all).ok()) << "a full dump says it cannot read the foreign filter";
    EXPECT_NE(output_of("tc filter show dev snoc-a ingress").find("10.8.8.8"), std::string::npos)
        << "the foreign rule is still there";
}

TEST(Probe, FindsFlowerAndTheActions) {
    SNOC_REQUIRE_FLOWER();
    sh("ip link del snoc-p");
    must("ip link add snoc-p type veth peer name snoc-q");
    std::unique_ptr<TcEngine> engine;
    ASSERT_TRUE(TcEngine::open(engine).ok());
    ProbeReport report;
    Status s = engine->probe("snoc-p", report);
    EXPECT_TRUE(s.ok()) << to_string(s);
    EXPECT_TRUE(report.flower);
    for (const char* kind : {"gact", "mirred", "vlan", "pedit", "tunnel_key", "ct", "police"}) {
        EXPECT_TRUE(report.actions[kind].ok()) << kind << ": " << to_string(report.actions[kind]);
    }
    sh("ip link del snoc-p");
}

// netdevsim representors (set up by the VM script; names passed in the environment).
class Netdevsim : public ::testing::Test {
protected:
    void SetUp() override {
        SNOC_REQUIRE_FLOWER();
        const char* rep = std::getenv("SNOC_NSIM_REP");
        if (!rep) GTEST_SKIP() << "SNOC_NSIM_REP not set: no netdevsim representor";
        rep_ = rep;
        patched_ = std::getenv("SNOC_NSIM_FLOWER") != nullptr;
        ASSERT_TRUE(TcEngine::open(engine_).ok());
        ASSERT_TRUE(engine_->ensure_clsact(rep_).ok());
    }
    TcRule rule(SkipPolicy skip) {
        auto parsed = flow::parse_policy_flow("priority=100,ip,nw_dst=10.5.0.1 actions=drop");
        TcRule r;
        r.dev = rep_;
        r.flow = *parsed.flow;
        r.prio = prio_for(100);
        r.cookie = 0x5c0c0000000000a1;
        r.handle = handle_for(r.cookie);
        r.skip = skip;
        return r;
    }
    std::string rep_;
    bool patched_ = false;
    std::unique_ptr<TcEngine> engine_;
};

TEST_F(Netdevsim, SkipHwRulesStayInSoftware) {
    std::vector<TcRule> rules{rule(SkipPolicy::SkipHw)};
    ASSERT_TRUE(engine_->resolve(rules).ok());
    ASSERT_TRUE(engine_->install(rules, Install::Create)[0].ok());
    std::vector<TcRuleState> states;
    ASSERT_TRUE(engine_->dump(rep_, true, states).ok());
    ASSERT_EQ(states.size(), 1u);
    EXPECT_FALSE(states[0].in_hw);
    EXPECT_EQ(states[0].in_hw_count, 0u);
    EXPECT_TRUE(engine_->remove(rules)[0].ok());
}

TEST_F(Netdevsim, SkipSwFollowsTheDriver) {
    std::vector<TcRule> rules{rule(SkipPolicy::SkipSw)};
    ASSERT_TRUE(engine_->resolve(rules).ok());
    Status s = engine_->install(rules, Install::Create)[0];
    if (!patched_) {
        ASSERT_FALSE(s.ok());
        EXPECT_NE(s.reason.find("netdevsim"), std::string::npos) << s.reason;
        std::cout << "driver reason: " << s.reason << "\n";
        return;
    }
    ASSERT_TRUE(s.ok()) << to_string(s);
    std::vector<TcRuleState> states;
    ASSERT_TRUE(engine_->dump(rep_, true, states).ok());
    ASSERT_EQ(states.size(), 1u);
    EXPECT_TRUE(states[0].in_hw);
    EXPECT_EQ(states[0].in_hw_count, 1u);
    // The (simulated) hardware reports 7 packets: the engine reads them as hardware counters.
    const char* dfs = std::getenv("SNOC_NSIM_DEBUGFS");
    if (dfs) {
        must(std::string("echo '7 700' > ") + dfs + "/flower_stats_inject");
        states.clear();
        ASSERT_TRUE(engine_->dump(rep_, true, states).ok());
        ASSERT_EQ(states.size(), 1u);
        EXPECT_EQ(states[0].hw.packets, 7u);
        EXPECT_EQ(states[0].hw.bytes, 700u);
        EXPECT_EQ(states[0].total.packets, 7u) << "total includes what the hardware ran";
    }
    EXPECT_TRUE(engine_->remove(rules)[0].ok());
}

}  // namespace
}  // namespace snoc::offload::tc
