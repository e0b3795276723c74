// The provider table: registration order, each backend's written semantics
// (lifecycle, byte counting, dump marks), the tc entry's rendering per
// residency, the rte_flow entry's check with the reason it gives.
#include <gtest/gtest.h>

#include "controller/backend_providers.h"
#include "flow/policy_syntax.h"

namespace snoc {
namespace {

using offload::Backend;

offload::HwRule rule(const std::string& text, offload::Residency residency = offload::Residency::Any) {
    auto parsed = flow::parse_policy_flow(text);
    EXPECT_TRUE(parsed.flow) << text;
    offload::HwRule r;
    r.cookie = 0x5c0c000000000001ULL;
    r.port = "pf0vf1";
    if (parsed.flow) r.flow = *parsed.flow;
    r.priority = r.flow.priority;
    r.residency = residency;
    return r;
}

TEST(BackendProviders, RegisteredInOrderOneEntryPerKind) {
    const auto& all = backend_providers();
    ASSERT_GE(all.size(), 2u);
    EXPECT_EQ(all[0].kind, Backend::TcFlower);
    EXPECT_EQ(all[1].kind, Backend::RteFlow);
#ifdef SNOC_HAVE_EMULATED
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[2].kind, Backend::Emulated);
#else
    EXPECT_EQ(all.size(), 2u);
    EXPECT_EQ(find_provider(Backend::Emulated), nullptr);
#endif
    for (const auto& p : all) EXPECT_EQ(find_provider(p.kind), &p) << to_string(p.kind);
}

TEST(BackendProviders, EachEntrySaysItsLifecycleAndWhatItsBytesCount) {
    const auto* tc = find_provider(Backend::TcFlower);
    ASSERT_NE(tc, nullptr);
    EXPECT_EQ(tc->opening, offload::Opening::Shared);
    EXPECT_TRUE(static_cast<bool>(tc->open));  // a shared backend must be openable
    EXPECT_EQ(tc->bytes, offload::ByteCounting::FromNetworkHeader);
    const auto* rte = find_provider(Backend::RteFlow);
    ASSERT_NE(rte, nullptr);
    EXPECT_EQ(rte->opening, offload::Opening::Elsewhere);
    EXPECT_FALSE(static_cast<bool>(rte->open));
    EXPECT_TRUE(rte->dump_marks.empty());
#ifdef SNOC_HAVE_EMULATED
    const auto* emu = find_provider(Backend::Emulated);
    ASSERT_NE(emu, nullptr);
    EXPECT_EQ(emu->opening, offload::Opening::ByNic);
    EXPECT_EQ(emu->bytes, offload::ByteCounting::WholeFrames);
    EXPECT_TRUE(emu->dump_marks.empty());  // OVS never sees its rules
#endif
    EXPECT_EQ(to_string(offload::Opening::ByNic), "by-nic");
    EXPECT_EQ(to_string(offload::ByteCounting::WholeFrames), "whole-frames");
}

TEST(BackendProviders, TcRulesInOvsDumpsAreKnownByTheCookieMarkInEitherByteOrder) {
    // "snoc" = 73 6e 6f 63, printed by OVS as a host-order 32-bit word.
    EXPECT_TRUE(has_backend_mark("636f6e73-0000-0000-5c0c-000000000001"));  // little-endian host
    EXPECT_TRUE(has_backend_mark("736e6f63-0000-0000-5c0c-000000000001"));  // big-endian host
    EXPECT_FALSE(has_backend_mark("636f6e72-0000-0000-5c0c-000000000001"));  // one nibble off
    EXPECT_FALSE(has_backend_mark("636f6e7"));                                // shorter than the mark
    EXPECT_FALSE(has_backend_mark("5c0c0000-0000-0000-0000-000000000001"));
    EXPECT_FALSE(has_backend_mark(""));
}

TEST(BackendProviders, TcRenderingSaysTheSkipFlagOfEachResidency) {
    const auto* tc = find_provider(Backend::TcFlower);
    ASSERT_NE(tc, nullptr);
    const std::string text = "priority=100,ip,nw_dst=10.0.0.2 actions=output:pf0vf2";
    const auto any = tc->render(rule(text, offload::Residency::Any), {});
    const auto hw = tc->render(rule(text, offload::Residency::HardwareOnly), {});
    const auto sw = tc->render(rule(text, offload::Residency::SoftwareOnly), {});
    EXPECT_EQ(any.summary, "tc-flower rule on pf0vf1 ingress");
    EXPECT_EQ(hw.summary, "tc-flower rule on pf0vf1 ingress (skip_sw)");
    EXPECT_EQ(sw.summary, "tc-flower rule on pf0vf1 ingress (skip_hw)");
    EXPECT_EQ(any.command.rfind("tc filter add dev pf0vf1 ingress", 0), 0u) << any.command;
    EXPECT_NE(hw.command.find(" skip_sw"), std::string::npos) << hw.command;
    EXPECT_NE(sw.command.find(" skip_hw"), std::string::npos) << sw.command;
    EXPECT_EQ(any.command.find(" skip_"), std::string::npos) << any.command;
}

std::string outputs(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += (i ? ",output:pf0vf" : "output:pf0vf") + std::to_string(2 + i % 3);
    return s;
}

// 32 tc actions fit a filter, 33 do not, counted as the encoder writes
// them: set_field needs pedit + csum, so 31 canonical actions can be 33.
TEST(BackendProviders, TcCheckCountsActionsAsTheFilterHoldsThem) {
    const auto* tc = find_provider(Backend::TcFlower);
    ASSERT_NE(tc, nullptr);
    EXPECT_EQ(tc->check(rule("ip actions=" + outputs(32)), {}), std::nullopt);
    const auto over = tc->check(rule("ip actions=" + outputs(33)), {});
    ASSERT_TRUE(over);
    EXPECT_EQ(over->code, offload::ReasonCode::TooManyActions);
    EXPECT_EQ(over->detail, "a tc filter holds at most 32 actions (TCA_ACT_MAX_PRIO); this rule needs 33");
    const std::string rewrite = "tcp actions=set_field:80->tp_dst,";
    EXPECT_EQ(tc->check(rule(rewrite + outputs(30)), {}), std::nullopt);  // pedit + csum + 30 mirred = 32
    const auto folded = tc->check(rule(rewrite + outputs(31)), {});       // 32 canonical actions, 33 tc ones
    ASSERT_TRUE(folded);
    EXPECT_NE(folded->detail.find("needs 33"), std::string::npos) << folded->detail;
}

TEST(BackendProviders, RteFlowCheckNamesWhatItCannotSay) {
    const auto* rte = find_provider(Backend::RteFlow);
    ASSERT_NE(rte, nullptr);
    offload::RenderContext ctx;
    ctx.dpdk_port_of = [](const std::string& n) -> std::optional<uint16_t> {
        if (n == "pf0vf1") return 1;
        if (n == "pf0vf2") return 2;
        return std::nullopt;
    };
    EXPECT_EQ(rte->check(rule("ip,nw_dst=10.0.0.2 actions=output:pf0vf2"), ctx), std::nullopt);
    const auto ct = rte->check(rule("ct_state=-trk,ip actions=ct(table=1)"), ctx);
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct->code, offload::ReasonCode::ConntrackUnsupported);
    EXPECT_EQ(ct->subject, "rte_flow");
    const auto out = rte->check(rule("ip actions=output:nowhere"), ctx);  // an output DPDK does not own
    ASSERT_TRUE(out);
    EXPECT_EQ(out->code, offload::ReasonCode::ActionUnsupported);
    EXPECT_NE(out->detail.find("nowhere"), std::string::npos) << out->detail;
    auto elsewhere = rule("ip actions=output:pf0vf2");
    elsewhere.port = "nowhere";  // the rule's own port
    const auto port = rte->check(elsewhere, ctx);
    ASSERT_TRUE(port);
    EXPECT_EQ(port->code, offload::ReasonCode::UnknownPort);
    EXPECT_NE(port->detail.find("nowhere"), std::string::npos) << port->detail;
}

}  // namespace
}  // namespace snoc
