#include <gtest/gtest.h>

#include "flow/policy_syntax.h"
#include "offload/tunnel_lowering.h"

namespace snoc::offload {
namespace {

PortDirectory ports() {
    PortDirectory p;
    PortInfo fixed{"vx", PortKind::Tunnel, "nic0", std::nullopt, flow::TunnelType::Vxlan,
                   std::array<uint8_t, 4>{198, 51, 100, 1}, std::array<uint8_t, 4>{192, 0, 2, 1}, 42, 4789};
    PortInfo vxf{"vxf", PortKind::Tunnel, "nic0", std::nullopt, flow::TunnelType::Geneve, std::nullopt, std::nullopt,
                 std::nullopt, 0};
    p["vx"] = fixed;
    p["vxf"] = vxf;
    p["a"] = PortInfo{"a", PortKind::VfRepresentor, "nic0", 0, {}, {}, {}, {}, 0};
    return p;
}

std::variant<flow::Flow, LoweringError> lower(const std::string& text) {
    auto parsed = flow::parse_policy_flow(text);
    EXPECT_TRUE(parsed.flow) << text;
    return lower_tunnels(*parsed.flow, ports());
}

TEST(TunnelLowering, OutputToAFixedTunnelUsesThePortOptions) {
    auto r = lower("in_port=a actions=output:vx");
    const auto& f = std::get<flow::Flow>(r);
    ASSERT_EQ(f.actions.size(), 1u);
    const auto& enc = std::get<flow::TunnelEncap>(f.actions[0]);
    EXPECT_EQ(enc.type, flow::TunnelType::Vxlan);
    EXPECT_EQ(enc.id, 42u);
    EXPECT_EQ(enc.dst, (std::array<uint8_t, 4>{198, 51, 100, 1}));
    EXPECT_EQ(enc.src, (std::array<uint8_t, 4>{192, 0, 2, 1}));
    EXPECT_EQ(enc.dst_port, 4789);
    EXPECT_EQ(enc.port, "vx");
}

TEST(TunnelLowering, SetFieldsOverrideAndAreConsumed) {
    auto r = lower("in_port=a actions=set_field:7->tun_id,set_field:203.0.113.9->tun_dst,output:vxf,output:a");
    const auto& f = std::get<flow::Flow>(r);
    ASSERT_EQ(f.actions.size(), 2u);
    const auto& enc = std::get<flow::TunnelEncap>(f.actions[0]);
    EXPECT_EQ(enc.type, flow::TunnelType::Geneve);
    EXPECT_EQ(enc.id, 7u);
    EXPECT_EQ(enc.dst, (std::array<uint8_t, 4>{203, 0, 113, 9}));
    EXPECT_TRUE(std::holds_alternative<flow::Output>(f.actions[1]));
}

TEST(TunnelLowering, FlowKeyedPortsNeedTheirValues) {
    auto r = lower("in_port=a actions=set_field:203.0.113.9->tun_dst,output:vxf");
    ASSERT_TRUE(std::holds_alternative<LoweringError>(r));
    EXPECT_NE(std::get<LoweringError>(r).message.find("key=flow"), std::string::npos);
    auto r2 = lower("in_port=a actions=set_field:9->tun_id,output:vxf");
    ASSERT_TRUE(std::holds_alternative<LoweringError>(r2));
    EXPECT_NE(std::get<LoweringError>(r2).message.find("remote_ip=flow"), std::string::npos);
}

TEST(TunnelLowering, TrafficFromATunnelIsDecapsulatedFirst) {
    auto r = lower("in_port=vx,tun_id=42 actions=output:a");
    const auto& f = std::get<flow::Flow>(r);
    ASSERT_EQ(f.actions.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<flow::TunnelDecap>(f.actions[0]));
}

TEST(TunnelLowering, TunnelSetFieldsWithoutATunnelOutputStay) {
    auto r = lower("in_port=a actions=set_field:5->tun_id,output:a");
    const auto& f = std::get<flow::Flow>(r);
    ASSERT_EQ(f.actions.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<flow::Output>(f.actions[0]));
    EXPECT_TRUE(std::holds_alternative<flow::SetField>(f.actions[1]));
}

}  // namespace
}  // namespace snoc::offload
