// tc-flower translation without a kernel: canonical rule -> RTM_NEWTFILTER
// -> decoded as the kernel would echo it -> the same canonical rule. The VM
// tier checks the same against the real kernel.
#include <gtest/gtest.h>

#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_pedit.h>
#include <netlink/msg.h>

#include <cstring>

#include "flow/policy_syntax.h"
#include "offload/tc/flower_actions.h"
#include "offload/tc/flower_message.h"
#include "offload/tc/pedit.h"

namespace snoc::offload::tc {
namespace {

TranslateContext context() {
    static const std::map<std::string, int> devs = {{"rep0", 10}, {"rep1", 11}, {"up", 12}, {"vxlan_sys_4789", 13}};
    TranslateContext ctx;
    ctx.ifindex_of = [](const std::string& n) -> std::optional<int> {
        auto it = devs.find(n);
        return it == devs.end() ? std::nullopt : std::optional<int>(it->second);
    };
    ctx.name_of = [](int idx) -> std::optional<std::string> {
        for (const auto& [n, i] : devs) {
            if (i == idx) return n;
        }
        return std::nullopt;
    };
    ctx.meters[3] = MeterRate{10000, 100};
    return ctx;
}

TcRule rule_of(const std::string& text, SkipPolicy skip = SkipPolicy::SkipSw) {
    auto parsed = flow::parse_policy_flow(text);
    EXPECT_TRUE(parsed.flow) << text << ": " << (parsed.error ? parsed.error->message : "");
    TcRule r;
    r.dev = "rep0";
    r.ifindex = 10;
    r.flow = *parsed.flow;
    r.flow.match.in_port.reset();  // the attach point stands for in_port
    r.chain = r.flow.table;
    r.prio = prio_for(r.flow.priority);
    r.cookie = 0x5c0c0000deadbeefULL;
    r.handle = handle_for(r.cookie);
    r.skip = skip;
    return r;
}

TcRuleState round_trip(const TcRule& r) {
    NlMsgPtr msg;
    Status s = build_new_filter(r, context(), Install::Create, msg);
    EXPECT_TRUE(s.ok()) << to_string(s);
    TcRuleState st;
    if (!s.ok()) return st;
    Status d = decode_filter(nlmsg_hdr(msg.get()), context(), st);
    EXPECT_TRUE(d.ok()) << to_string(d);
    return st;
}

class TcRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(TcRoundTrip, DecodesToTheSameRule) {
    const TcRule r = rule_of(GetParam());
    const TcRuleState st = round_trip(r);
    flow::Flow echoed = r.flow;
    echoed.actions = tc_normal_form(r.flow.actions);
    EXPECT_EQ(flow::format_flow(st.rule.flow), flow::format_flow(echoed));
    EXPECT_EQ(st.rule.flow, echoed);
    EXPECT_EQ(st.rule.cookie, r.cookie);
    EXPECT_EQ(st.rule.prio, r.prio);
    EXPECT_EQ(st.rule.chain, r.chain);
    EXPECT_EQ(st.rule.handle, r.handle);
    EXPECT_EQ(st.rule.skip, r.skip);
}

// Every key and action of the translation table (docs/tc-flower.md).
INSTANTIATE_TEST_SUITE_P(
    TranslationTable, TcRoundTrip,
    ::testing::Values(
        "priority=100,ip actions=output:rep1",
        "priority=100,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:00/ff:ff:ff:00:00:00 actions=output:up",
        "priority=100,arp actions=drop",
        "priority=100,ip,nw_src=10.0.0.0/8,nw_dst=192.0.2.1 actions=output:up",
        "priority=100,ip,nw_dst=10.0.0.0/255.0.255.0 actions=output:up",
        "priority=100,ipv6,ipv6_src=2001:db8::/32,ipv6_dst=2001:db8::1 actions=output:up",
        "priority=100,tcp,tp_src=1024,tp_dst=0x50/0xfff0 actions=output:up",
        "priority=100,udp,tp_dst=53 actions=output:up",
        "priority=100,sctp,tp_dst=9 actions=output:up",
        "priority=100,tcp,tcp_flags=+syn-ack actions=drop",
        "priority=100,icmp,icmp_type=8,icmp_code=0 actions=output:up",
        "priority=100,icmp6,icmp_type=135 actions=output:up",
        "priority=100,ip,nw_tos=32,nw_ecn=1,nw_ttl=64 actions=output:up",
        "priority=100,dl_vlan=100,dl_vlan_pcp=3,ip actions=pop_vlan,output:rep1",
        "priority=100,dl_vlan=100 actions=mod_vlan_vid:200,output:up",
        "priority=100,ip actions=push_vlan:0x8100,mod_vlan_vid:10,output:up",
        "priority=100,ip actions=push_vlan:0x88a8,mod_vlan_vid:10,mod_vlan_pcp:5,output:up",
        "priority=100,ip,tun_id=5001,tun_src=198.51.100.0/24,tun_dst=192.0.2.10 actions=output:rep0",
        "priority=100,ip,ct_state=+trk+est-new,ct_zone=5,ct_mark=0x10/0xf0 actions=output:up",
        "table=1,priority=10,ip actions=ct(commit,zone=7),output:up",
        "priority=100,ip actions=ct(zone=3,table=1)",
        "priority=100,ip actions=ct_clear,goto_table:4",
        "priority=100,ip actions=output:rep1,output:up",
        "priority=100,ip actions=meter:3,output:up",
        "priority=100,ip actions=mod_dl_src:02:00:00:00:00:aa,mod_dl_dst:02:00:00:00:00:bb,output:up",
        "priority=100,ip actions=mod_nw_src:10.1.1.1,mod_nw_dst:10.2.2.2,dec_ttl,output:up",
        "priority=100,tcp actions=mod_tp_src:1000,mod_tp_dst:2000,output:up",
        "priority=100,udp actions=mod_nw_tos:32,mod_nw_ttl:9,mod_tp_dst:53,output:up",
        "priority=100,ipv6 actions=set_field:2001:db8::5->ipv6_dst,dec_ttl,output:up"));

TEST(TcTranslate, TunnelEncapAndDecap) {
    TcRule r = rule_of("priority=100,ip actions=drop");
    flow::TunnelEncap enc;
    enc.type = flow::TunnelType::Vxlan;
    enc.id = 5001;
    enc.src = {192, 0, 2, 10};
    enc.dst = {198, 51, 100, 7};
    enc.dst_port = 4789;
    enc.port = "vxlan_sys_4789";
    r.flow.actions = {enc};
    EXPECT_EQ(round_trip(r).rule.flow.actions, r.flow.actions);
    r.flow.actions = {flow::TunnelDecap{}, flow::Output{"rep0"}};
    EXPECT_EQ(round_trip(r).rule.flow.actions, r.flow.actions);
}

TEST(TcTranslate, NormalFormIsWhatTheKernelEchoes) {
    using flow::Action;
    const std::vector<Action> in = {flow::Ct{false, 3, std::nullopt}, flow::GotoTable{2}};
    const std::vector<Action> ct_table = {flow::Ct{false, 3, 2}};
    EXPECT_EQ(tc_normal_form(in), ct_table);
    const std::vector<Action> push = {flow::PushVlan{0x8100}, flow::SetVlanVid{10}, flow::SetVlanPcp{0}, flow::Output{"up"}};
    const std::vector<Action> push_norm = {flow::PushVlan{0x8100}, flow::SetVlanVid{10}, flow::Output{"up"}};
    EXPECT_EQ(tc_normal_form(push), push_norm);
    EXPECT_EQ(tc_normal_form({flow::PushVlan{0x8100}}), (std::vector<Action>{flow::PushVlan{0x8100}, flow::SetVlanVid{0}}));
    EXPECT_EQ(tc_normal_form({}), (std::vector<Action>{flow::Drop{}}));
    // The kernel reads the same rule back in normal form.
    TcRule r = rule_of("priority=100,ip actions=push_vlan:0x8100,mod_vlan_vid:10,mod_vlan_pcp:0,output:up");
    EXPECT_EQ(round_trip(r).rule.flow.actions, tc_normal_form(r.flow.actions));
}

TEST(TcTranslate, EmptyActionsDrop) {
    TcRule r = rule_of("priority=100,ip actions=drop");
    r.flow.actions.clear();
    EXPECT_EQ(round_trip(r).rule.flow.actions, (std::vector<flow::Action>{flow::Drop{}}));
}

TEST(TcTranslate, UntranslatableRulesNameTheField) {
    auto fails = [](const TcRule& r) {
        NlMsgPtr m;
        return build_new_filter(r, context(), Install::Create, m);
    };
    auto s = fails(rule_of("priority=1,ip,tun_id=0x100000000 actions=drop"));
    EXPECT_EQ(s.error, EOPNOTSUPP);
    EXPECT_NE(s.reason.find("tun_id"), std::string::npos);
    s = fails(rule_of("priority=1,ip,ct_state=+snat actions=drop"));
    EXPECT_NE(s.reason.find("snat"), std::string::npos);
    s = fails(rule_of("priority=1,ip actions=NORMAL"));
    EXPECT_NE(s.reason.find("NORMAL"), std::string::npos);
    s = fails(rule_of("priority=1,ip actions=output:nowhere"));
    EXPECT_EQ(s.error, ENODEV);
    s = fails(rule_of("priority=1,ip actions=meter:9,output:up"));
    EXPECT_EQ(s.error, ENOENT);
    s = fails(rule_of("priority=1,vlan_tci=0x1064/0x1ff0 actions=drop"));
    EXPECT_NE(s.reason.find("vlan_vid"), std::string::npos);
}

TEST(TcTranslate, PriorityOrderIsPreserved) {
    EXPECT_LT(prio_for(200), prio_for(100));  // higher OpenFlow priority runs first in tc
    EXPECT_EQ(prio_for(65535), 1);
    EXPECT_EQ(prio_for(0), 65535);
    EXPECT_EQ(openflow_priority_of(prio_for(100)), 100);
    EXPECT_NE(handle_for(0), 0u);
}

TEST(Pedit, SetIpv4DestinationIsOneWordWithChecksums) {
    auto parsed = flow::parse_policy_flow("tcp actions=mod_nw_dst:10.2.2.2");
    PeditPlan plan;
    ASSERT_TRUE(plan_pedit(parsed.flow->actions, parsed.flow->match, plan).ok());
    ASSERT_EQ(plan.keys.size(), 1u);
    EXPECT_EQ(plan.keys[0].htype, TCA_PEDIT_KEY_EX_HDR_TYPE_IP4);
    EXPECT_EQ(plan.keys[0].off, 16u);
    EXPECT_EQ(plan.keys[0].mask, 0u);  // the whole word changes
    const uint8_t want[4] = {10, 2, 2, 2};
    uint32_t val;
    std::memcpy(&val, want, 4);
    EXPECT_EQ(plan.keys[0].val, val);
    EXPECT_EQ(plan.csum_flags, static_cast<uint32_t>(TCA_CSUM_UPDATE_FLAG_IPV4HDR | TCA_CSUM_UPDATE_FLAG_TCP |
                                                     TCA_CSUM_UPDATE_FLAG_UDP));
}

TEST(Pedit, EthernetSourceSpansTwoWords) {
    auto parsed = flow::parse_policy_flow("ip actions=mod_dl_src:02:11:22:33:44:55");
    PeditPlan plan;
    ASSERT_TRUE(plan_pedit(parsed.flow->actions, parsed.flow->match, plan).ok());
    ASSERT_EQ(plan.keys.size(), 2u);
    EXPECT_EQ(plan.keys[0].off, 4u);  // bytes 4..7: dst[4..5] kept, src[0..1] set
    const uint8_t keep0[4] = {0xff, 0xff, 0, 0};
    uint32_t mask0;
    std::memcpy(&mask0, keep0, 4);
    EXPECT_EQ(plan.keys[0].mask, mask0);
    EXPECT_EQ(plan.keys[1].off, 8u);
    EXPECT_EQ(plan.csum_flags, 0u);
}

TEST(Pedit, DscpKeepsEcnBits) {
    auto parsed = flow::parse_policy_flow("ip actions=mod_nw_tos:184");
    PeditPlan plan;
    ASSERT_TRUE(plan_pedit(parsed.flow->actions, parsed.flow->match, plan).ok());
    ASSERT_EQ(plan.keys.size(), 1u);
    uint8_t keep[4];
    std::memcpy(keep, &plan.keys[0].mask, 4);
    EXPECT_EQ(keep[1], 0x03);  // ECN bits of the TOS byte are kept
    uint8_t val[4];
    std::memcpy(val, &plan.keys[0].val, 4);
    EXPECT_EQ(val[1], 184);
}

TEST(Police, RateTableMatchesTheRate) {
    const auto p = police_params(MeterRate{8000, 0}, 15.625);  // 8 Mbit/s = 1,000,000 bytes/s
    EXPECT_EQ(p.rate_bytes_per_s, 1000000u);
    EXPECT_EQ(p.cell_log, 3);
    ASSERT_EQ(p.rtab.size(), 256u);
    // 8 bytes at 1 MB/s take 8 us = 125 ticks of 1/15.625 us.
    EXPECT_EQ(p.rtab[0], 125u);
    EXPECT_EQ(p.rtab[255], 125u * 256);
    EXPECT_GT(p.burst_ticks, 0u);
}

}  // namespace
}  // namespace snoc::offload::tc
