#include "controller/apply/rte_flow_handoff.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace snoc::apply {
namespace {

ovs::DesiredOvs bridge(std::string datapath, std::string hw_offload) {
    ovs::DesiredOvs d;
    d.bridge = "br-dpu";
    d.datapath_type = std::move(datapath);
    d.other_config["hw-offload"] = std::move(hw_offload);
    return d;
}

TEST(RteFlowHandoff, OvsDpdkWithHwOffloadOffloadsThePolicyItself) {
    const auto h = rte_flow_handoff("uplink", bridge("netdev", "true"));
    EXPECT_TRUE(h.status.ok());
    EXPECT_EQ(h.placement, offload::Placement::Ovs);
    EXPECT_NE(h.note.find("OVS-DPDK offloads NIC uplink's policy flows itself"), std::string::npos) << h.note;
    EXPECT_EQ(h.rule_reason.code, offload::ReasonCode::LeftToOvs);
    EXPECT_EQ(offload::describe(h.rule_reason).rfind("left-to-ovs ovs-dpdk: left to OVS-DPDK", 0), 0u)
        << offload::describe(h.rule_reason);
}

TEST(RteFlowHandoff, AnythingElseNeedsTheDpdkProcessThatOwnsThePorts) {
    for (const auto& d : {bridge("", "true"), bridge("netdev", "false"), bridge("system", "true")}) {
        const auto h = rte_flow_handoff("uplink", d);
        EXPECT_FALSE(h.status.ok());
        EXPECT_EQ(h.status.error, ENOTSUP);
        EXPECT_EQ(h.placement, offload::Placement::Failed);
        EXPECT_TRUE(h.note.empty());
        EXPECT_NE(h.status.reason.find("must be created by the DPDK process that owns NIC uplink's ports"),
                  std::string::npos)
            << h.status.reason;
        // An install failure is named as one, with the same words (not a NIC quirk).
        EXPECT_EQ(h.rule_reason.code, offload::ReasonCode::InstallFailed);
        EXPECT_EQ(h.rule_reason.subject, "rte_flow");
        EXPECT_EQ(h.rule_reason.detail, h.status.reason);
    }
}

}  // namespace
}  // namespace snoc::apply
