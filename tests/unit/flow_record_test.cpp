// FlowRecord: the in-memory record of snoc's flows on a bridge, diffed
// without a dump. The daemon tests (tests/ovs/openflow_test.cpp) check it
// against a real switch; these check the diff rules on their own.
#include <gtest/gtest.h>

#include <cerrno>

#include "flow/policy_syntax.h"
#include "ovs-integration/flow_record.h"
#include "ovs-integration/openflow_render.h"

namespace snoc::ovs {
namespace {

flow::Flow rule(const std::string& text, const std::string& name) {
    auto p = flow::parse_policy_flow(text);
    EXPECT_TRUE(p.flow) << text;
    flow::Flow f = p.flow.value_or(flow::Flow{});
    f.cookie = policy_cookie(name);
    return f;
}

std::vector<flow::Flow> base() {
    return {rule("priority=10,ip,nw_dst=10.0.0.1 actions=output:p1", "a"),
            rule("priority=10,ip,nw_dst=10.0.0.2 actions=output:p2", "b"),
            rule("priority=10,ip,nw_dst=10.0.0.3 actions=output:br0", "c")};
}

TEST(FlowRecord, SameAsDiffFlowsAgainstTheSwitch) {
    FlowRecord r;
    std::vector<flow::Flow> installed = base();
    installed[2] = rule("priority=10,ip,nw_dst=10.0.0.3 actions=output:LOCAL", "c");  // canonical
    r.assign(installed);
    std::vector<flow::Flow> desired = base();  // names the bridge: canonicalised on the way
    desired[0] = rule("priority=10,ip,nw_dst=10.0.0.1 actions=drop", "a");       // actions only
    desired[1] = rule("priority=10,ip,nw_dst=10.0.0.2 actions=output:p2", "b2");  // cookie: re-add
    desired.push_back(rule("priority=20,tcp actions=drop", "d"));                 // new
    FlowMods mods;
    ASSERT_TRUE(r.diff(desired, "br0", mods).ok());
    EXPECT_EQ(mods.unchanged, 1u);
    EXPECT_EQ(mods.modified, 2u);
    EXPECT_EQ(mods.added, 1u);
    EXPECT_EQ(mods.deleted, 0u);
    ASSERT_EQ(mods.mods.size(), 3u);
    EXPECT_EQ(mods.mods[0].kind, FlowMod::Kind::Modify);
    EXPECT_EQ(mods.mods[1].kind, FlowMod::Kind::Add);
    EXPECT_EQ(mods.mods[2].kind, FlowMod::Kind::Add);

    FlowMods expected;
    std::vector<flow::Flow> canonical = desired;
    canonical[2] = installed[2];
    ASSERT_TRUE(diff_flows(canonical, installed, expected).ok());
    EXPECT_EQ(expected.mods.size(), mods.mods.size());

    r.apply(mods.mods);
    ASSERT_TRUE(r.diff(desired, "br0", mods).ok());
    EXPECT_TRUE(mods.mods.empty());
    EXPECT_EQ(r.size(), 4u);
}

TEST(FlowRecord, DeletesWhatIsNoLongerWanted) {
    FlowRecord r;
    r.assign(base());
    std::vector<flow::Flow> desired = base();
    desired.erase(desired.begin() + 1);
    FlowMods mods;
    ASSERT_TRUE(r.diff(desired, "brX", mods).ok());
    ASSERT_EQ(mods.mods.size(), 1u);
    EXPECT_EQ(mods.mods[0].kind, FlowMod::Kind::Delete);
    EXPECT_EQ(mods.mods[0].flow, base()[1]);
    r.apply(mods.mods);
    EXPECT_EQ(r.size(), 2u);
}

TEST(FlowRecord, DuplicateIdentitiesAreRefusedRecordedOrNew) {
    FlowRecord r;
    r.assign(base());
    FlowMods mods;
    std::vector<flow::Flow> twice_known = base();
    twice_known.push_back(rule("priority=10,ip,nw_dst=10.0.0.1 actions=drop", "x"));
    EXPECT_EQ(r.diff(twice_known, "br0", mods).error, EINVAL);
    std::vector<flow::Flow> twice_new = base();
    twice_new.push_back(rule("priority=30,udp actions=drop", "y"));
    twice_new.push_back(rule("priority=30,udp actions=output:p1", "z"));
    const auto s = r.diff(twice_new, "br0", mods);
    EXPECT_EQ(s.error, EINVAL);
    EXPECT_NE(s.reason.find("same table, priority and match"), std::string::npos) << s.reason;
    std::vector<flow::Flow> no_cookie = base();
    no_cookie[0].cookie.reset();
    EXPECT_EQ(r.diff(no_cookie, "br0", mods).error, EINVAL);
}

}  // namespace
}  // namespace snoc::ovs
