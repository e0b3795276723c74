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
    EXPECT_NE(h.rule_reason.find("OVS-DPDK"), std::string::npos) << h.rule_reason;
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
        EXPECT_EQ(h.rule_reason, h.status.reason);
    }
}

}  // namespace
}  // namespace snoc::apply
