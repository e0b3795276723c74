// The capability check: a verdict per rule and backend, with every reason.
#include <gtest/gtest.h>

#include "offload/capability.h"
#include "flow/policy_syntax.h"
#include "offload/tunnel_lowering.h"

namespace snoc::offload {
namespace {

using flow::ActionKind;
using flow::Field;

PortDirectory ports() {
    PortDirectory p;
    p["up"] = PortInfo{"up", PortKind::Uplink, "nic0", std::nullopt, {}, {}, {}, {}, 0};
    p["a"] = PortInfo{"a", PortKind::VfRepresentor, "nic0", 0, {}, {}, {}, {}, 0};
    p["b"] = PortInfo{"b", PortKind::VfRepresentor, "nic0", 1, {}, {}, {}, {}, 0};
    p["other"] = PortInfo{"other", PortKind::VfRepresentor, "nic1", 0, {}, {}, {}, {}, 0};
    p["v"] = PortInfo{"v", PortKind::Veth, "", std::nullopt, {}, {}, {}, {}, 0};
    PortInfo vx{"vx", PortKind::Tunnel, "nic0", std::nullopt, flow::TunnelType::Vxlan, std::array<uint8_t, 4>{198, 51, 100, 1},
                std::nullopt, 42, 4789};
    p["vx"] = vx;
    PortInfo gen = vx;
    gen.name = "gen";
    gen.tunnel_type = flow::TunnelType::Geneve;
    p["gen"] = gen;
    return p;
}

NicProfile profile() {
    NicProfile p;
    p.name = "testnic";
    BackendCaps caps;
    caps.match = {{Field::EthType, MaskSupport::Exact},
                  {Field::IpProto, MaskSupport::Exact},
                  {Field::Ipv4Dst, MaskSupport::Prefix},
                  {Field::TpDst, MaskSupport::Exact},
                  {Field::TunId, MaskSupport::Exact}};
    caps.actions = {ActionKind::Output, ActionKind::Drop, ActionKind::SetField, ActionKind::TunnelEncap,
                    ActionKind::TunnelDecap};
    caps.set_fields = {Field::EthDst};
    caps.tunnels = {flow::TunnelType::Vxlan};
    caps.max_actions = 2;
    p.backends[Backend::TcFlower] = caps;
    p.quirks.push_back({"no-drop-on-tp", "test quirk", Backend::TcFlower, {Field::TpDst}, {ActionKind::Drop}, {}, true});
    return p;
}

flow::Flow parse(const std::string& text) {
    auto r = flow::parse_policy_flow(text);
    EXPECT_TRUE(r.flow) << text << ": " << (r.error ? r.error->message : "");
    auto lowered = lower_tunnels(*r.flow, ports());
    EXPECT_TRUE(std::holds_alternative<flow::Flow>(lowered));
    return std::get<flow::Flow>(lowered);
}

std::vector<std::string> codes(const BackendVerdict& v) {
    std::vector<std::string> out;
    for (const auto& r : v.reasons) out.push_back(std::string(to_string(r.code)) + ":" + r.subject);
    return out;
}

BackendVerdict check(const std::string& text, Backend b = Backend::TcFlower) {
    return check_rule(parse(text), ports(), "nic0", profile(), b);
}

TEST(Capability, OffloadableRuleHasNoReasons) {
    auto v = check("in_port=a,ip,nw_dst=10.0.0.0/8 actions=output:b");
    EXPECT_TRUE(v.offloadable);
    EXPECT_TRUE(v.reasons.empty());
}

TEST(Capability, NamesEveryUnsupportedFieldAndMask) {
    auto v = check("in_port=a,tcp,nw_dst=10.0.0.0/255.0.255.0,nw_src=1.1.1.1,tp_dst=0x50/0xfff0 actions=output:b");
    EXPECT_FALSE(v.offloadable);
    EXPECT_EQ(codes(v), (std::vector<std::string>{"match-unsupported:ipv4_src", "mask-unsupported:ipv4_dst",
                                                  "mask-unsupported:tp_dst"}));
}

TEST(Capability, NamesActionsSetFieldsAndLimits) {
    auto v = check("in_port=a,ip actions=mod_dl_src:02:00:00:00:00:01,pop_vlan,output:b");
    EXPECT_EQ(codes(v), (std::vector<std::string>{"set-field-unsupported:eth_src", "action-unsupported:pop_vlan",
                                                  "too-many-actions:actions"}));
}

TEST(Capability, PortsMustBeOnThisNicsEswitch) {
    EXPECT_EQ(codes(check("in_port=v,ip actions=output:a")), (std::vector<std::string>{"port-not-on-eswitch:v"}));
    EXPECT_EQ(codes(check("in_port=a,ip actions=output:other")),
              (std::vector<std::string>{"crosses-eswitches:other"}));
    EXPECT_EQ(codes(check("ip actions=output:a")), (std::vector<std::string>{"missing-in-port:in_port"}));
    EXPECT_EQ(codes(check("in_port=a,ip actions=output:LOCAL")), (std::vector<std::string>{"port-not-on-eswitch:LOCAL"}));
}

TEST(Capability, NormalIsSoftwareOnly) {
    EXPECT_EQ(codes(check("in_port=a,ip actions=NORMAL")), (std::vector<std::string>{"software-only-action:normal"}));
}

TEST(Capability, TunnelTypesAreChecked) {
    EXPECT_TRUE(check("in_port=a,ip actions=output:vx").offloadable);
    EXPECT_EQ(codes(check("in_port=a,ip actions=output:gen")), (std::vector<std::string>{"tunnel-unsupported:geneve"}));
    EXPECT_TRUE(check("in_port=vx,tun_id=42,ip actions=output:a").offloadable);
    EXPECT_EQ(codes(check("in_port=gen,ip actions=output:a")), (std::vector<std::string>{"tunnel-unsupported:geneve"}));
}

TEST(Capability, ConntrackNeedsTheProfileFlag) {
    EXPECT_EQ(codes(check("in_port=a,ip,ct_state=+trk+est actions=output:b")),
              (std::vector<std::string>{"conntrack-unsupported:ct_state"}));
    EXPECT_EQ(codes(check("in_port=a,ip actions=ct(zone=1,table=1)")), (std::vector<std::string>{"conntrack-unsupported:ct"}));
}

TEST(Capability, QuirksApplyWhenAllConditionsHold) {
    EXPECT_EQ(codes(check("in_port=a,tcp,tp_dst=22 actions=drop")), (std::vector<std::string>{"quirk:no-drop-on-tp"}));
    EXPECT_TRUE(check("in_port=a,tcp,tp_dst=22 actions=output:b").offloadable);
}

TEST(Capability, QuirksCanRequireBitsToBeMatchedAsSet) {
    NicProfile p = profile();
    auto& caps = p.backends[Backend::TcFlower];
    caps.conntrack = true;
    caps.match[Field::CtState] = MaskSupport::Arbitrary;
    offload::Quirk q;
    q.id = "no-new";
    q.description = "+new is not offloaded";
    q.when_bits_set[Field::CtState] = flow::kCtNew;
    p.quirks = {q};
    auto verdict = [&](const std::string& text) { return check_rule(parse(text), ports(), "nic0", p, Backend::TcFlower); };
    EXPECT_EQ(codes(verdict("in_port=a,ip,ct_state=+trk+new actions=output:b")),
              (std::vector<std::string>{"quirk:no-new"}));
    EXPECT_TRUE(verdict("in_port=a,ip,ct_state=+trk-new actions=output:b").offloadable);  // matched as clear
    EXPECT_TRUE(verdict("in_port=a,ip,ct_state=+trk+est actions=output:b").offloadable);
}

TEST(Capability, MissingBackendIsOneReason) {
    auto v = check("in_port=a,ip actions=output:b", Backend::RteFlow);
    EXPECT_EQ(codes(v), (std::vector<std::string>{"backend-unsupported:rte_flow"}));
}

TEST(Capability, RuleNicFollowsTheInPort) {
    EXPECT_EQ(rule_nic(parse("in_port=a actions=drop"), ports()), "nic0");
    EXPECT_EQ(rule_nic(parse("in_port=other actions=drop"), ports()), "nic1");
    EXPECT_EQ(rule_nic(parse("in_port=vx actions=drop"), ports()), "nic0");
    EXPECT_FALSE(rule_nic(parse("in_port=v actions=drop"), ports()));
    EXPECT_FALSE(rule_nic(parse("actions=drop"), ports()));
}

TEST(Capability, TcSoftwareRunsAnythingButNormal) {
    EXPECT_TRUE(check_tc_software(parse("in_port=v,ip,ct_state=+trk actions=ct(commit),output:a"), ports()).offloadable);
    EXPECT_FALSE(check_tc_software(parse("in_port=v,ip actions=NORMAL"), ports()).offloadable);
    EXPECT_FALSE(check_tc_software(parse("ip actions=output:a"), ports()).offloadable);
}

TEST(Capability, PrefixMasks) {
    EXPECT_TRUE(is_prefix_mask(Field::Ipv4Dst, flow::Masked::from_uint(0, 0xffffff00, 4)));
    EXPECT_FALSE(is_prefix_mask(Field::Ipv4Dst, flow::Masked::from_uint(0, 0xff00ff00, 4)));
    EXPECT_TRUE(is_prefix_mask(Field::TpDst, flow::Masked::from_uint(0, 0xfff0, 2)));
    EXPECT_FALSE(is_prefix_mask(Field::TpDst, flow::Masked::from_uint(0, 0x0ff0, 2)));
    // VLAN id has 12 significant bits: 0x0ff0 is a prefix of those.
    EXPECT_TRUE(is_prefix_mask(Field::VlanVid, flow::Masked::from_uint(0, 0x0ff0, 2)));
}

}  // namespace
}  // namespace snoc::offload
