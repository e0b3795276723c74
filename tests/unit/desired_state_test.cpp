// desired_state(): what apply makes true from a spec and its plan — OVS ports
// with ownership marks, policy flows with OVS names and owner cookies, and
// the direct rule tables per NIC (and one for veths) with their residency.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "controller/apply/desired_state.h"
#include "controller/plan.h"
#include "controller/spec_loader.h"
#include "ovs-integration/openflow_render.h"
#include "test_support.h"

namespace snoc::apply {
namespace {

using offload::Placement;
using offload::Residency;

struct Loaded {
    spec::Spec spec;
    plan::Plan plan;
    DesiredState desired;
};

Loaded load(const std::string& text, const ProfileMap& profiles = test::builtin_profiles()) {
    Diagnostics diags;
    auto s = spec::load_spec(text, "t.yaml", profiles, diags);
    EXPECT_TRUE(s) << (diags.all().empty() ? "" : format(diags.all()[0]));
    if (!s) return {};
    Loaded l{*s, plan::build_plan(*s, profiles), {}};
    l.desired = desired_state(l.spec, l.plan);
    return l;
}

Loaded load_file(const std::string& rel) { return load(test::read_file(test::source_dir() / rel)); }

const RuleTable* table_of(const DesiredState& d, const std::string& nic) {
    for (const auto& t : d.tables) {
        if (t.nic == nic) return &t;
    }
    return nullptr;
}

const offload::HwRule* hw_rule(const DesiredState& d, uint64_t cookie, const RuleTable** in = nullptr) {
    for (const auto& t : d.tables) {
        for (const auto& r : t.rules) {
            if (r.cookie == cookie) {
                if (in) *in = &t;
                return &r;
            }
        }
    }
    return nullptr;
}

const plan::RulePlan& rule_plan(const plan::Plan& p, const std::string& name) {
    for (const auto& r : p.rules) {
        if (r.name == name) return r;
    }
    ADD_FAILURE() << "no rule " << name;
    static const plan::RulePlan none;
    return none;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST(DesiredState, OvsPortsCarryTheOwnershipMarks) {
    const Loaded l = load_file("configs/minimal.yaml");
    const auto& o = l.desired.ovs;
    EXPECT_EQ(o.bridge, "br-edge");
    EXPECT_EQ(o.datapath_type, "");  // "system" is OVS's default, written as empty
    EXPECT_EQ(o.other_config.at("hw-offload"), "true");
    ASSERT_EQ(o.ports.size(), l.plan.ovs.ports.size());
    std::set<std::string> names;
    for (size_t i = 0; i < o.ports.size(); ++i) {
        EXPECT_EQ(o.ports[i].name, l.plan.ovs.ports[i].name);
        EXPECT_EQ(o.ports[i].external_ids.at("snoc-owner"), "snoc") << o.ports[i].name;
        names.insert(o.ports[i].name);
    }
    EXPECT_TRUE(names.count("enp3s0f0np0"));
    EXPECT_TRUE(names.count("uplinkvf0"));
    for (const auto& p : o.ports) {
        if (p.name == "uplinkvf0") {
            EXPECT_EQ(p.external_ids.at("snoc-workload"), "web");
        }
        if (p.name == "uplinkvf1") {
            EXPECT_EQ(p.external_ids.at("snoc-workload"), "cache");
        }
    }
}

TEST(DesiredState, NetdevDatapathTypeIsKept) {
    const Loaded l = load("ovs: {bridge: br-u, datapath_type: netdev}\n"
                          "workloads: [{name: a, attach: veth}]\n");
    EXPECT_EQ(l.desired.ovs.bridge, "br-u");
    EXPECT_EQ(l.desired.ovs.datapath_type, "netdev");
}

TEST(DesiredState, PolicyFlowsUseOvsPortNamesAndOwnerCookies) {
    const Loaded l = load_file("configs/minimal.yaml");
    ASSERT_EQ(l.desired.flows.size(), l.spec.policies.size());
    for (size_t i = 0; i < l.spec.policies.size(); ++i) {
        const auto& f = l.desired.flows[i];
        ASSERT_TRUE(f.cookie.has_value());
        EXPECT_EQ(*f.cookie, ovs::policy_cookie(l.spec.policies[i].name)) << l.spec.policies[i].name;
        EXPECT_EQ(f.priority, l.spec.policies[i].flow.priority);
    }
    // web-out: "in_port=web ... output:uplink" in OVS's names.
    const auto& web_out = l.desired.flows[0];
    ASSERT_TRUE(web_out.match.in_port.has_value());
    EXPECT_EQ(*web_out.match.in_port, "uplinkvf0");
    ASSERT_EQ(web_out.actions.size(), 1u);
    EXPECT_EQ(web_out.actions[0], flow::Action(flow::Output{"enp3s0f0np0"}));
    // web-in: "in_port=uplink ... output:web".
    EXPECT_EQ(*l.desired.flows[1].match.in_port, "enp3s0f0np0");
    EXPECT_EQ(l.desired.flows[1].actions[0], flow::Action(flow::Output{"uplinkvf0"}));
    // Meters pass through from the plan.
    EXPECT_EQ(l.desired.meters, l.plan.ovs.meters);
}

TEST(DesiredState, MetersAreThePlansOfctlSpecs) {
    const Loaded l = load_file("configs/arm-edge-8.yaml");
    ASSERT_FALSE(l.desired.meters.empty());
    EXPECT_EQ(l.desired.meters, l.plan.ovs.meters);
    EXPECT_EQ(l.desired.meters[0].rfind("meter=1", 0), 0u) << l.desired.meters[0];
}

TEST(DesiredState, OneTablePerNicWithUplinkAndRepresentors) {
    const Loaded l = load_file("configs/minimal.yaml");
    ASSERT_EQ(l.desired.tables.size(), 1u);  // no veths: no "" table
    const RuleTable* t = table_of(l.desired, "uplink");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->backend, offload::Backend::TcFlower);
    EXPECT_TRUE(has(t->ports, "enp3s0f0np0"));
    EXPECT_TRUE(has(t->ports, "uplinkvf0"));
    EXPECT_TRUE(has(t->ports, "uplinkvf1"));
    EXPECT_EQ(std::set<std::string>(t->ports.begin(), t->ports.end()).size(), t->ports.size()) << "duplicate ports";
}

TEST(DesiredState, OnlyHardwareAndTcSoftwareRulesBecomeDirectRules) {
    const Loaded l = load_file("configs/minimal.yaml");
    size_t direct = 0;
    for (const auto& t : l.desired.tables) direct += t.rules.size();
    size_t expected = 0;
    for (const auto& r : l.plan.rules) {
        const bool direct_rule = r.placement == Placement::Hardware || r.placement == Placement::TcSoftware;
        expected += direct_rule ? 1 : 0;
        EXPECT_EQ(hw_rule(l.desired, r.cookie) != nullptr, direct_rule) << r.name;
    }
    EXPECT_EQ(direct, expected);
    EXPECT_GT(direct, 0u);
    // NORMAL stays in OVS: no direct rule.
    EXPECT_EQ(rule_plan(l.plan, "arp").placement, Placement::Ovs);
    EXPECT_EQ(hw_rule(l.desired, ovs::policy_cookie("arp")), nullptr);
}

TEST(DesiredState, HwRuleAttachesAtTheRepresentorWithNetdevOutputs) {
    const Loaded l = load_file("configs/minimal.yaml");
    ASSERT_EQ(rule_plan(l.plan, "web-out").placement, Placement::Hardware);
    const RuleTable* in = nullptr;
    const offload::HwRule* r = hw_rule(l.desired, ovs::policy_cookie("web-out"), &in);
    ASSERT_NE(r, nullptr);
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(in->nic, "uplink");
    EXPECT_EQ(r->port, "uplinkvf0");
    EXPECT_EQ(r->table, 0u);
    EXPECT_EQ(r->priority, 100);
    EXPECT_FALSE(r->flow.cookie.has_value());
    ASSERT_EQ(r->flow.actions.size(), 1u);
    EXPECT_EQ(r->flow.actions[0], flow::Action(flow::Output{"enp3s0f0np0"}));
    if (r->flow.match.in_port) {
        EXPECT_EQ(*r->flow.match.in_port, "uplinkvf0");
    }
    EXPECT_TRUE(has(in->ports, r->port));
}

TEST(DesiredState, ResidencyIsHardwareOnlyWhereTheProfileSkipsSoftware) {
    const std::string spec = "nics: [{name: n, pf: eth1, profile: sim, num_vfs: 2}]\n"
                             "workloads: [{name: a, attach: {vf: 0}}, {name: b, attach: {vf: 1}}]\n"
                             "policies: [{name: a-to-b, rule: 'priority=5,in_port=a,ip actions=output:b'}]\n";
    ProfileMap profiles = test::builtin_profiles();
    offload::BackendCaps& caps = profiles.at("sim").backends.at(offload::Backend::TcFlower);

    caps.skip_sw = true;
    Loaded l = load(spec, profiles);
    ASSERT_EQ(l.plan.rules.size(), 1u);
    ASSERT_EQ(l.plan.rules[0].placement, Placement::Hardware);
    const offload::HwRule* r = hw_rule(l.desired, ovs::policy_cookie("a-to-b"));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->residency, Residency::HardwareOnly);

    caps.skip_sw = false;
    l = load(spec, profiles);
    r = hw_rule(l.desired, ovs::policy_cookie("a-to-b"));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->residency, Residency::Any);
}

TEST(DesiredState, TcPolicySkipHwKeepsTheRuleInTheNicsTableAsSoftwareOnly) {
    const Loaded l = load("nics: [{name: n, pf: eth1, profile: sim, num_vfs: 2}]\n"
                          "ovs: {tc_policy: skip_hw}\n"
                          "workloads: [{name: a, attach: {vf: 0}}, {name: b, attach: {vf: 1}}]\n"
                          "policies: [{name: r, rule: 'in_port=a actions=output:b'}]\n");
    ASSERT_EQ(l.plan.rules.size(), 1u);
    ASSERT_EQ(l.plan.rules[0].placement, Placement::TcSoftware);
    const RuleTable* in = nullptr;
    const offload::HwRule* r = hw_rule(l.desired, ovs::policy_cookie("r"), &in);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->residency, Residency::SoftwareOnly);
    EXPECT_EQ(in->nic, "n");
    EXPECT_EQ(r->port, "nvf0");  // representor prefix defaults to the NIC name
}

TEST(DesiredState, VethRulesGoToTheTableWithoutNic) {
    const Loaded l = load_file("configs/vxlan-cloud.yaml");
    const RuleTable* veth = table_of(l.desired, "");
    ASSERT_NE(veth, nullptr);
    EXPECT_TRUE(has(veth->ports, "v-logship"));
    // No NIC port is in the veth table.
    for (const auto& p : veth->ports) EXPECT_NE(p.rfind("pf0vf", 0), 0u) << p;
    EXPECT_FALSE(has(veth->ports, "p0"));

    ASSERT_EQ(rule_plan(l.plan, "logship-out").placement, Placement::TcSoftware);
    const RuleTable* in = nullptr;
    const offload::HwRule* r = hw_rule(l.desired, ovs::policy_cookie("logship-out"), &in);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(in, veth);
    EXPECT_EQ(r->residency, Residency::SoftwareOnly);
    EXPECT_EQ(r->port, "v-logship");
}

TEST(DesiredState, TunnelPortsBecomeOvsKernelTunnelDevices) {
    const Loaded l = load_file("configs/vxlan-cloud.yaml");
    EXPECT_EQ(netdev_of(l.spec, "vx-cloud"), "vxlan_sys_4789");
    EXPECT_EQ(netdev_of(l.spec, "app"), "pf0vf0");
    EXPECT_EQ(netdev_of(l.spec, "p0"), "p0");
    EXPECT_EQ(netdev_of(l.spec, "logship"), "v-logship");

    // Decap: the rule sits on the tunnel device, in the underlay NIC's table.
    ASSERT_EQ(rule_plan(l.plan, "cloud-to-app").placement, Placement::Hardware);
    const RuleTable* in = nullptr;
    const offload::HwRule* decap = hw_rule(l.desired, ovs::policy_cookie("cloud-to-app"), &in);
    ASSERT_NE(decap, nullptr);
    EXPECT_EQ(decap->port, "vxlan_sys_4789");
    EXPECT_EQ(in->nic, "p0");
    EXPECT_TRUE(has(in->ports, "vxlan_sys_4789"));
    EXPECT_EQ(decap->residency, Residency::HardwareOnly);  // bluefield-2 takes skip_sw
    // Its output is the representor's netdev.
    bool outputs_app = false;
    for (const auto& a : decap->flow.actions) {
        if (const auto* o = std::get_if<flow::Output>(&a)) outputs_app = outputs_app || o->port == "pf0vf0";
    }
    EXPECT_TRUE(outputs_app);

    // Encap: the tunnel action leaves through the tunnel device.
    ASSERT_EQ(rule_plan(l.plan, "svc-to-cloud").placement, Placement::Hardware);
    const offload::HwRule* encap = hw_rule(l.desired, ovs::policy_cookie("svc-to-cloud"));
    ASSERT_NE(encap, nullptr);
    EXPECT_EQ(encap->port, "pf0vf1");
    const flow::TunnelEncap* enc = nullptr;
    for (const auto& a : encap->flow.actions) {
        if (const auto* e = std::get_if<flow::TunnelEncap>(&a)) enc = e;
    }
    ASSERT_NE(enc, nullptr);
    EXPECT_EQ(enc->port, "vxlan_sys_4789");
    EXPECT_EQ(enc->id, 5001u);
    EXPECT_EQ(enc->dst, (std::array<uint8_t, 4>{198, 51, 100, 7}));
    // The OVS flow keeps the tunnel's OVS port name.
    for (const auto& f : l.desired.flows) {
        if (f.cookie != ovs::policy_cookie("svc-to-cloud")) continue;
        ASSERT_FALSE(f.actions.empty());
        EXPECT_EQ(f.actions.back(), flow::Action(flow::Output{"vx-cloud"}));
    }
}

TEST(DesiredState, TunnelDevicesFollowTypeAndPort) {
    Diagnostics diags;
    auto s = spec::load_spec("nics: [{name: n, pf: eth1, profile: sim, num_vfs: 1}]\n"
                             "ovs:\n"
                             "  tunnels:\n"
                             "    - {name: vx2, type: vxlan, remote_ip: 192.0.2.1, local_ip: 192.0.2.2, key: 1, dst_port: 8472}\n"
                             "    - {name: gn, type: geneve, remote_ip: 192.0.2.1, local_ip: 192.0.2.2, key: 2}\n"
                             "workloads: [{name: a, attach: {vf: 0}}]\n",
                             "t.yaml", test::builtin_profiles(), diags);
    ASSERT_TRUE(s) << (diags.all().empty() ? "" : format(diags.all()[0]));
    EXPECT_EQ(netdev_of(*s, "vx2"), "vxlan_sys_8472");
    EXPECT_EQ(netdev_of(*s, "gn"), "genev_sys_6081");
    EXPECT_EQ(netdev_of(*s, "a"), "nvf0");
    EXPECT_EQ(netdev_of(*s, "n"), "eth1");
}

TEST(DesiredState, PortMapsNameWorkloadsAndNics) {
    const Loaded l = load_file("configs/vxlan-cloud.yaml");
    const auto& d = l.desired;
    EXPECT_EQ(d.workload_of_port.at("pf0vf0"), "app");
    EXPECT_EQ(d.workload_of_port.at("pf0vf1"), "gateway-svc");
    EXPECT_EQ(d.workload_of_port.at("v-logship"), "logship");
    EXPECT_EQ(d.workload_of_port.count("p0"), 0u);  // an uplink is nobody's
    EXPECT_EQ(d.nic_of_port.at("pf0vf0"), "p0");
    EXPECT_EQ(d.nic_of_port.at("pf0vf1"), "p0");
    EXPECT_EQ(d.nic_of_port.at("p0"), "p0");
    EXPECT_EQ(d.nic_of_port.count("v-logship"), 0u);  // a veth has no NIC
}

TEST(DesiredState, RuleInfoByCookie) {
    const Loaded l = load_file("configs/vxlan-cloud.yaml");
    ASSERT_EQ(l.desired.rules.size(), l.plan.rules.size());
    for (const auto& rp : l.plan.rules) {
        const RuleInfo& info = l.desired.rules.at(rp.cookie);
        EXPECT_EQ(info.name, rp.name);
        EXPECT_EQ(info.planned, rp.placement) << rp.name;
        EXPECT_EQ(info.reasons, rp.reasons) << rp.name;
        EXPECT_EQ(info.port, rp.attach_port) << rp.name;
        EXPECT_EQ(info.nic, rp.nic) << rp.name;
    }
    EXPECT_EQ(l.desired.rules.at(ovs::policy_cookie("svc-to-cloud")).workload, "gateway-svc");
    EXPECT_EQ(l.desired.rules.at(ovs::policy_cookie("logship-out")).workload, "logship");
    // A decap rule enters on the tunnel port, which is no workload's.
    EXPECT_EQ(l.desired.rules.at(ovs::policy_cookie("cloud-to-app")).workload, "");
    // Why not in hardware travels with the rule.
    EXPECT_FALSE(l.desired.rules.at(ovs::policy_cookie("logship-out")).reasons.empty());
}

TEST(DesiredState, TwoNicsTwoTables) {
    const Loaded l = load("nics:\n"
                          "  - {name: a, pf: ethA, profile: sim, num_vfs: 1}\n"
                          "  - {name: b, pf: ethB, profile: sim, num_vfs: 1}\n"
                          "workloads: [{name: x, attach: {nic: a, vf: 0}}, {name: y, attach: {nic: b, vf: 0}},"
                          " {name: z, attach: veth}]\n"
                          "policies:\n"
                          "  - {name: x-out, rule: 'priority=5,in_port=x,ip actions=output:a'}\n"
                          "  - {name: y-out, rule: 'priority=5,in_port=y,ip actions=output:b'}\n");
    const RuleTable* ta = table_of(l.desired, "a");
    const RuleTable* tb = table_of(l.desired, "b");
    const RuleTable* tv = table_of(l.desired, "");
    ASSERT_NE(ta, nullptr);
    ASSERT_NE(tb, nullptr);
    ASSERT_NE(tv, nullptr);
    EXPECT_EQ(l.desired.tables.size(), 3u);
    EXPECT_EQ(std::set<std::string>(ta->ports.begin(), ta->ports.end()), (std::set<std::string>{"ethA", "avf0"}));
    EXPECT_EQ(std::set<std::string>(tb->ports.begin(), tb->ports.end()), (std::set<std::string>{"ethB", "bvf0"}));
    EXPECT_EQ(tv->ports, (std::vector<std::string>{"v-z"}));
    ASSERT_EQ(ta->rules.size(), 1u);
    EXPECT_EQ(ta->rules[0].cookie, ovs::policy_cookie("x-out"));
    EXPECT_EQ(ta->rules[0].flow.actions[0], flow::Action(flow::Output{"ethA"}));
    ASSERT_EQ(tb->rules.size(), 1u);
    EXPECT_EQ(tb->rules[0].cookie, ovs::policy_cookie("y-out"));
    EXPECT_TRUE(tv->rules.empty());
}

}  // namespace
}  // namespace snoc::apply
