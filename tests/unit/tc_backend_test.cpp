// The tc backend's translation both ways: HwRule -> TcRule (attach point,
// chain, preference, handle, skip flags) and a read-back TcRuleState ->
// HwRuleState (residency, placement from in_hw, counters).
#include <gtest/gtest.h>

#include "flow/policy_syntax.h"
#include "offload/tc/tc_backend.h"

namespace snoc::offload::tc {
namespace {

HwRule hw_rule(const std::string& text, uint32_t table, uint16_t priority, Residency residency) {
    auto parsed = flow::parse_policy_flow(text);
    EXPECT_TRUE(parsed.flow) << text;
    HwRule r;
    r.cookie = 0x5c0c0000000a0b0cULL;
    r.port = "pf0vf1";
    r.table = table;
    r.priority = priority;
    if (parsed.flow) r.flow = *parsed.flow;
    r.flow.match.in_port.reset();
    r.flow.table = static_cast<uint8_t>(table);
    r.flow.priority = priority;
    r.residency = residency;
    return r;
}

TEST(TcBackend, ToTcRuleAttachesAtThePortWithChainPreferenceAndHandle) {
    const HwRule r = hw_rule("ip,nw_dst=10.0.0.1 actions=output:p0", 3, 200, Residency::Any);
    const TcRule t = to_tc_rule(r);
    EXPECT_EQ(t.dev, "pf0vf1");
    EXPECT_EQ(t.chain, 3u);
    EXPECT_EQ(t.prio, 65535 - 200);
    EXPECT_EQ(t.prio, prio_for(200));
    EXPECT_EQ(t.handle, handle_for(r.cookie));
    EXPECT_NE(t.handle, 0u);
    EXPECT_EQ(t.cookie, r.cookie);
    EXPECT_EQ(t.flow.table, 3);
    EXPECT_EQ(t.flow.priority, 200);
    EXPECT_EQ(t.flow.match, r.flow.match);
    EXPECT_EQ(t.flow.actions, r.flow.actions);
}

// Desired rules come from policy flows that name their in_port; the kernel
// keeps no such key (the device is the in_port), so the tc rule must not
// carry it or every sync would see a difference and replace the rule.
TEST(TcBackend, ToTcRuleDropsTheInPortItsDeviceStandsFor) {
    HwRule r = hw_rule("ip,nw_dst=10.0.0.1 actions=output:p0", 0, 200, Residency::Any);
    r.flow.match.in_port = "pf0vf1";
    const TcRule t = to_tc_rule(r);
    EXPECT_FALSE(t.flow.match.in_port.has_value());
    HwRule without = r;
    without.flow.match.in_port.reset();
    EXPECT_EQ(t.flow.match, to_tc_rule(without).flow.match);
}

TEST(TcBackend, ResidencyBecomesSkipFlags) {
    EXPECT_EQ(to_tc_rule(hw_rule("ip actions=drop", 0, 1, Residency::HardwareOnly)).skip, SkipPolicy::SkipSw);
    EXPECT_EQ(to_tc_rule(hw_rule("ip actions=drop", 0, 1, Residency::SoftwareOnly)).skip, SkipPolicy::SkipHw);
    EXPECT_EQ(to_tc_rule(hw_rule("ip actions=drop", 0, 1, Residency::Any)).skip, SkipPolicy::None);
}

TEST(TcBackend, TheFlowCarriesTheRulesTableAndPriorityEvenWhenItsOwnDiffer) {
    HwRule r = hw_rule("ip actions=drop", 2, 50, Residency::Any);
    r.flow.table = 0;
    r.flow.priority = 7;
    const TcRule t = to_tc_rule(r);
    EXPECT_EQ(t.flow.table, 2);
    EXPECT_EQ(t.flow.priority, 50);
    EXPECT_EQ(t.prio, prio_for(50));
}

TEST(TcBackend, HigherOpenFlowPriorityRunsFirstInTc) {
    const TcRule hi = to_tc_rule(hw_rule("ip actions=drop", 0, 300, Residency::Any));
    const TcRule lo = to_tc_rule(hw_rule("ip actions=drop", 0, 10, Residency::Any));
    EXPECT_LT(hi.prio, lo.prio);
}

TEST(TcBackend, DifferentCookiesGetDifferentHandles) {
    HwRule a = hw_rule("ip actions=drop", 0, 1, Residency::Any);
    HwRule b = a;
    b.cookie = a.cookie + 1;
    EXPECT_NE(to_tc_rule(a).handle, to_tc_rule(b).handle);
    // Stable: the same cookie always gives the same handle.
    EXPECT_EQ(to_tc_rule(a).handle, to_tc_rule(a).handle);
}

TEST(TcBackend, CookiesFoldingToOneHandleGetDistinctHandlesDeterministically) {
    HwRule a = hw_rule("ip actions=drop", 0, 1, Residency::Any);
    HwRule b = a, c = a, other_prio = a;
    a.cookie = 0x5e;                   // handle 0x5e
    b.cookie = 0x0000005e00000000ULL;  // folds to 0x5e as well
    c.cookie = 0x5f;                   // 0x5f: the slot b would move to
    other_prio.cookie = 0x0000000100000001ULL ^ 0x5e;  // also 0x5e, but another preference
    other_prio.priority = 7;
    std::vector<TcRule> rules = {to_tc_rule(b), to_tc_rule(c), to_tc_rule(a), to_tc_rule(other_prio)};
    ASSERT_EQ(rules[0].handle, rules[2].handle);
    assign_unique_handles(rules);
    EXPECT_EQ(rules[2].handle, 0x5eu);  // the lowest cookie keeps its handle
    EXPECT_EQ(rules[1].handle, 0x5fu);  // c was not colliding: untouched
    EXPECT_EQ(rules[0].handle, 0x60u);  // b takes the next free one
    EXPECT_EQ(rules[3].handle, to_tc_rule(other_prio).handle);  // another group: untouched
    // Any input order gives the same handles.
    std::vector<TcRule> again = {to_tc_rule(a), to_tc_rule(other_prio), to_tc_rule(c), to_tc_rule(b)};
    assign_unique_handles(again);
    EXPECT_EQ(again[0].handle, 0x5eu);
    EXPECT_EQ(again[3].handle, 0x60u);
}

class TcBackendRoundTrip : public ::testing::TestWithParam<std::tuple<Residency, uint16_t, uint32_t>> {};

TEST_P(TcBackendRoundTrip, ReadBackGivesTheSameRule) {
    const auto [residency, priority, table] = GetParam();
    const HwRule r = hw_rule("tcp,nw_src=10.1.0.0/16,tp_dst=443 actions=mod_vlan_vid:5,output:p0", table, priority,
                             residency);
    TcRuleState st;
    st.rule = to_tc_rule(r);
    st.in_hw = true;
    const HwRuleState back = from_tc_state(st);
    EXPECT_EQ(back.rule, r);
}

INSTANTIATE_TEST_SUITE_P(
    ResidencyPriorityTable, TcBackendRoundTrip,
    ::testing::Combine(::testing::Values(Residency::Any, Residency::HardwareOnly, Residency::SoftwareOnly),
                       ::testing::Values(uint16_t{0}, uint16_t{1}, uint16_t{100}, uint16_t{65534}),
                       ::testing::Values(uint32_t{0}, uint32_t{7})));

TEST(TcBackend, PriorityTopIsSharedWithTheOneBelow) {
    // tc preference 0 means "pick one": 65535 and 65534 both map to 1.
    EXPECT_EQ(to_tc_rule(hw_rule("ip actions=drop", 0, 65535, Residency::Any)).prio, 1);
    EXPECT_EQ(to_tc_rule(hw_rule("ip actions=drop", 0, 65534, Residency::Any)).prio, 1);
}

TEST(TcBackend, PlacementComesFromInHw) {
    TcRuleState st;
    st.rule = to_tc_rule(hw_rule("ip actions=drop", 0, 1, Residency::Any));
    st.in_hw = true;
    EXPECT_EQ(from_tc_state(st).placement, Placement::Hardware);
    st.in_hw = false;
    st.not_in_hw = true;
    EXPECT_EQ(from_tc_state(st).placement, Placement::TcSoftware);
    // in_hw_count (OVS's "offloaded") does not decide it.
    st.in_hw_count = 2;
    EXPECT_EQ(from_tc_state(st).placement, Placement::TcSoftware);
}

TEST(TcBackend, CountersAndIdleTimeAreCopied) {
    TcRuleState st;
    st.rule = to_tc_rule(hw_rule("ip actions=drop", 0, 1, Residency::Any));
    st.total = {1000, 64000};
    st.hw = {900, 57600};
    st.last_used_ms = 1500;
    const HwRuleState h = from_tc_state(st);
    EXPECT_EQ(h.packets, 1000u);
    EXPECT_EQ(h.bytes, 64000u);
    EXPECT_EQ(h.hw_packets, 900u);
    EXPECT_EQ(h.hw_bytes, 57600u);
    ASSERT_TRUE(h.idle_ms.has_value());
    EXPECT_EQ(*h.idle_ms, 1500u);
    st.last_used_ms.reset();
    EXPECT_FALSE(from_tc_state(st).idle_ms.has_value());
}

TEST(TcBackend, ForeignRuleKeepsCookieZero) {
    // A filter snoc did not install decodes with cookie 0; read-back keeps it.
    TcRuleState st;
    st.rule.dev = "eth9";
    st.rule.prio = 5;
    st.rule.chain = 1;
    const HwRuleState h = from_tc_state(st);
    EXPECT_EQ(h.rule.cookie, 0u);
    EXPECT_EQ(h.rule.port, "eth9");
    EXPECT_EQ(h.rule.table, 1u);
    EXPECT_EQ(h.rule.priority, openflow_priority_of(5));
    EXPECT_EQ(h.rule.residency, Residency::Any);
}

}  // namespace
}  // namespace snoc::offload::tc
