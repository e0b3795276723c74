// Canonical flow -> eSwitch entry: the key / mask bytes the BPF program
// compares, the folded action, and refusals that name what is unsupported.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "offload/emulated/esw_translate.h"
#include "flow/policy_syntax.h"

namespace snoc::offload::emulated {
namespace {

const EswPortMap kPorts = {{"rep0", 11}, {"rep1", 12}, {"uplink", 20}};

HwRule rule(const std::string& policy, const std::string& port = "rep0") {
    auto parsed = flow::parse_policy_flow(policy);
    EXPECT_TRUE(parsed.flow.has_value()) << policy;
    HwRule r;
    r.cookie = 7;
    r.port = port;
    if (parsed.flow) {
        r.flow = *parsed.flow;
        r.priority = parsed.flow->priority;
    }
    return r;
}

TEST(EswTranslate, MatchBytesAreNetworkOrderUnderTheirMasks) {
    EswEntry e;
    ASSERT_TRUE(translate(rule("priority=300,tcp,nw_src=10.1.0.0/16,tp_dst=443 actions=output:rep1"), kPorts, e).ok());
    EXPECT_EQ(e.priority, 300u);
    EXPECT_EQ(e.key.in_ifindex, 11u);
    EXPECT_EQ(e.mask.in_ifindex, 0xffffffffu);
    EXPECT_EQ(e.key.eth_type, htons(0x0800));
    EXPECT_EQ(e.key.ip_proto, 6);
    EXPECT_EQ(e.key.ipv4_src, htonl(0x0a010000));
    EXPECT_EQ(e.mask.ipv4_src, htonl(0xffff0000));
    EXPECT_EQ(e.key.tp_dst, htons(443));
    EXPECT_EQ(e.mask.tp_src, 0);
    EXPECT_EQ(e.action.action, ESW_ACT_FORWARD);
    EXPECT_EQ(e.action.out_ifindex, 12u);
}

TEST(EswTranslate, VlanMatchImpliesATag) {
    EswEntry e;
    ASSERT_TRUE(translate(rule("dl_vlan=100,dl_vlan_pcp=5 actions=strip_vlan,output:uplink"), kPorts, e).ok());
    EXPECT_EQ(e.key.vlan_tci, 100 | ESW_VLAN_PRESENT | (5 << 13));
    EXPECT_EQ(e.mask.vlan_tci, ESW_VLAN_VID_MASK | ESW_VLAN_PRESENT | ESW_VLAN_PCP_MASK);
    EXPECT_EQ(e.action.vlan_op, ESW_VLAN_POP);
    EXPECT_EQ(e.action.out_ifindex, 20u);
}

TEST(EswTranslate, PushThenSetVidBuildsOneTag) {
    EswEntry e;
    ASSERT_TRUE(translate(rule("ip actions=push_vlan:0x88a8,mod_vlan_vid:42,output:rep1"), kPorts, e).ok());
    EXPECT_EQ(e.action.vlan_op, ESW_VLAN_PUSH);
    EXPECT_EQ(e.action.vlan_proto, htons(0x88a8));
    EXPECT_EQ(e.action.vlan_tci, 42);
}

TEST(EswTranslate, IcmpTypeSitsInTheLowByteOfTpSrc) {
    EswEntry e;
    ASSERT_TRUE(translate(rule("icmp,icmp_type=8 actions=drop"), kPorts, e).ok());
    EXPECT_EQ(e.key.tp_src, htons(8));
    EXPECT_EQ(e.mask.tp_src, htons(0xff));
    EXPECT_EQ(e.action.action, ESW_ACT_DROP);
}

TEST(EswTranslate, NoOutputDropsAndNormalTraps) {
    EswEntry e;
    ASSERT_TRUE(translate(rule("ip actions=mod_vlan_vid:5"), kPorts, e).ok());
    EXPECT_EQ(e.action.action, ESW_ACT_DROP);
    ASSERT_TRUE(translate(rule("ip actions=NORMAL"), kPorts, e).ok());
    EXPECT_EQ(e.action.action, ESW_ACT_TRAP);
}

TEST(EswTranslate, RefusalsNameWhatCannotBeDone) {
    EswEntry e;
    Status s = translate(rule("tun_id=5 actions=output:rep1"), kPorts, e);
    EXPECT_EQ(s.error, EOPNOTSUPP);
    EXPECT_NE(s.reason.find("tun_id"), std::string::npos) << s.reason;
    s = translate(rule("ip actions=dec_ttl,output:rep1"), kPorts, e);
    EXPECT_EQ(s.error, EOPNOTSUPP);
    EXPECT_NE(s.reason.find("dec_ttl"), std::string::npos) << s.reason;
    s = translate(rule("ip actions=output:rep1,output:uplink"), kPorts, e);
    EXPECT_EQ(s.error, EOPNOTSUPP);
    EXPECT_NE(s.reason.find("one output per rule"), std::string::npos) << s.reason;
    s = translate(rule("ip actions=output:rep9"), kPorts, e);
    EXPECT_EQ(s.error, ENODEV);
    EXPECT_NE(s.reason.find("rep9"), std::string::npos) << s.reason;
    s = translate(rule("ip actions=drop", "rep7"), kPorts, e);
    EXPECT_EQ(s.error, ENODEV);
    HwRule other_table = rule("ip actions=drop");
    other_table.table = 3;
    s = translate(other_table, kPorts, e);
    EXPECT_EQ(s.error, EOPNOTSUPP);
    EXPECT_NE(s.reason.find("table 3"), std::string::npos) << s.reason;
}

TEST(EswTranslate, DescribeIsOneLineAnOperatorCanRead) {
    EXPECT_EQ(describe(rule("priority=100,udp,tp_dst=53 actions=push_vlan:0x8100,mod_vlan_vid:7,output:rep1"), kPorts),
              "esw rule prio 100 in_port rep0 match udp,tp_dst=53 action push_vlan:0x8100,tci=0x0007 forward:rep1");
    EXPECT_NE(describe(rule("ip actions=dec_ttl"), kPorts).find("not installable"), std::string::npos);
}

}  // namespace
}  // namespace snoc::offload::emulated
