// The plan: steps in the order each NIC needs, OVS state with ownership
// marks, cookies, placements and capacity, and text / JSON that agree.
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "controller/plan.h"
#include "controller/plan_output.h"
#include "controller/port_directory.h"
#include "controller/spec_loader.h"
#include "ovs-integration/openflow_render.h"
#include "test_support.h"

namespace snoc {
namespace {

plan::Plan plan_of(const std::string& text) {
    Diagnostics diags;
    auto s = spec::load_spec(text, "t.yaml", test::builtin_profiles(), diags);
    EXPECT_TRUE(s) << (diags.all().empty() ? "" : format(diags.all()[0]));
    return plan::build_plan(*s, test::builtin_profiles());
}

plan::Plan plan_of_file(const std::string& rel) {
    return plan_of(test::read_file(test::source_dir() / rel));
}

std::vector<std::string> nic_step_descriptions(const plan::Plan& p) {
    std::vector<std::string> out;
    for (const auto& s : p.steps) {
        if (s.phase == plan::Phase::Nic && s.subject.find(" vf ") == std::string::npos) out.push_back(s.description);
    }
    return out;
}

TEST(Plan, BringUpOrderFollowsTheProfile) {
    // ice (E810): the mode may only change with no VFs.
    auto ice = nic_step_descriptions(plan_of("nics: [{name: n, pci: '0000:17:00.0', profile: e810, num_vfs: 4, hw_tc_offload: false}]\n"));
    ASSERT_EQ(ice.size(), 3u);
    EXPECT_NE(ice[0].find("no VFs exist"), std::string::npos);
    EXPECT_EQ(ice[1], "eswitch mode is switchdev");
    EXPECT_EQ(ice[2], "4 VFs exist");
    // mlx5: create VFs, unbind, change mode, bind.
    auto mlx = nic_step_descriptions(plan_of("nics: [{name: n, pci: '0000:03:00.0', profile: connectx-6dx, num_vfs: 2, hw_tc_offload: false}]\n"));
    ASSERT_EQ(mlx.size(), 4u);
    EXPECT_EQ(mlx[0], "2 VFs exist");
    EXPECT_NE(mlx[1].find("unbound"), std::string::npos);
    EXPECT_EQ(mlx[2], "eswitch mode is switchdev");
    EXPECT_NE(mlx[3].find("bound to their driver again"), std::string::npos);
}

TEST(Plan, OvsStateMarksOwnershipAndNamesPortsNaturally) {
    auto p = plan_of_file("configs/minimal.yaml");
    EXPECT_EQ(p.ovs.bridge, "br-edge");
    EXPECT_EQ(p.ovs.other_config.at("hw-offload"), "true");
    ASSERT_EQ(p.ovs.ports.size(), 3u);
    EXPECT_EQ(p.ovs.ports[0].name, "enp3s0f0np0");
    EXPECT_EQ(p.ovs.ports[1].name, "uplinkvf0");
    EXPECT_EQ(p.ovs.ports[1].external_ids.at("snoc-workload"), "web");
    for (const auto& port : p.ovs.ports) EXPECT_EQ(port.external_ids.at("snoc-owner"), "snoc");
}

TEST(Plan, FlowsCarryStableOwnerCookiesAndOvsPortNames) {
    auto p = plan_of_file("configs/minimal.yaml");
    ASSERT_EQ(p.rules.size(), p.ovs.flows.size());
    for (const auto& r : p.rules) {
        EXPECT_TRUE(ovs::is_snoc_cookie(r.cookie));
        EXPECT_EQ(r.cookie, ovs::policy_cookie(r.name));
    }
    EXPECT_NE(p.ovs.flows[0].find("in_port=uplinkvf0"), std::string::npos);
    EXPECT_NE(p.ovs.flows[0].find("output:enp3s0f0np0"), std::string::npos);
    EXPECT_EQ(p.ovs.flows[0].rfind("cookie=0x5c0c", 0), 0u);
    EXPECT_NE(ovs::policy_cookie("a"), ovs::policy_cookie("b"));
}

TEST(Plan, RteFlowNicRulesAreShownAsTestpmdCommands) {
    std::string text = test::read_file(test::source_dir() / "configs/minimal.yaml");
    const std::string vfs = "    num_vfs: 2";
    text.replace(text.find(vfs), vfs.size(), vfs + "\n    backend: rte_flow");
    text += "  - name: no-ct\n    rule: \"priority=50,in_port=web,ct_state=-trk,ip actions=ct(table=1)\"\n";
    const auto p = plan_of(text);
    std::map<std::string, std::string> commands;
    for (const auto& s : p.steps) {
        if (s.phase == plan::Phase::HardwareRules) commands[s.subject] = s.command;
    }
    // Ports as DPDK numbers them with -a <pci>,representor=vf[0-1]: PF 0, VF N's representor N+1;
    // transfer rules go through the PF (the eSwitch's proxy); priorities ranked, 200 before 100.
    EXPECT_EQ(commands["rule web-out"],
              "flow create 0 priority 1 transfer pattern represented_port ethdev_port_id is 1 / eth type is 0x800 / "
              "ipv4 / end actions count / represented_port ethdev_port_id 0 / end");
    EXPECT_EQ(commands["rule cache-from-web"],
              "flow create 0 priority 0 transfer pattern represented_port ethdev_port_id is 1 / eth type is 0x800 / "
              "ipv4 proto is 6 dst is 10.10.0.11 / tcp dst is 6379 / end actions count / "
              "represented_port ethdev_port_id 2 / end");
    // The profile lets ct through, rte_flow as snoc writes it does not: the rule stays in OVS, saying why.
    EXPECT_EQ(commands.count("rule no-ct"), 0u);
    const auto no_ct = std::find_if(p.rules.begin(), p.rules.end(), [](const auto& r) { return r.name == "no-ct"; });
    ASSERT_NE(no_ct, p.rules.end());
    EXPECT_EQ(no_ct->placement, offload::Placement::Ovs);
    ASSERT_FALSE(no_ct->reasons.empty());
    EXPECT_EQ(no_ct->reasons[0].code, offload::ReasonCode::ConntrackUnsupported);
    EXPECT_EQ(no_ct->reasons[0].subject, "rte_flow");
    Diagnostics d;
    const auto s = spec::load_spec(text, "t.yaml", test::builtin_profiles(), d);
    ASSERT_TRUE(s);
    const auto ethdevs = spec::dpdk_ethdev_names(*s, s->nics[0]);
    EXPECT_EQ(ethdevs.at("enp3s0f0np0"), "0000:03:00.0");
    EXPECT_EQ(ethdevs.at("uplinkvf1"), "0000:03:00.0_representor_vf1");
}

// The example DPU config: an rte_flow NIC on an OVS-DPDK (netdev) bridge.
// Its uplink and representors become DPDK ports by PCI devargs, DPDK is
// initialised in ovs-vswitchd, and no tc-vs-netdev warning is given.
TEST(Plan, RteFlowNicOnANetdevBridgeHasDpdkPorts) {
    const std::string text = test::read_file(test::source_dir() / "configs/bluefield-dpdk.yaml");
    Diagnostics d;
    const auto s = spec::load_spec(text, "t.yaml", test::builtin_profiles(), d);
    ASSERT_TRUE(s);
    EXPECT_EQ(d.warning_count(), 0u) << (d.all().empty() ? "" : format(d.all()[0]));
    const auto p = plan::build_plan(*s, test::builtin_profiles());
    EXPECT_EQ(p.ovs.other_config.at("dpdk-init"), "true");
    std::map<std::string, const plan::OvsPort*> ports;
    for (const auto& port : p.ovs.ports) ports[port.name] = &port;
    ASSERT_TRUE(ports.count("p0") && ports.count("uplinkvf3"));
    EXPECT_EQ(ports["p0"]->type, "dpdk");
    EXPECT_EQ(ports["p0"]->options.at("dpdk-devargs"), "0000:03:00.0");
    EXPECT_EQ(ports["uplinkvf3"]->type, "dpdk");
    EXPECT_EQ(ports["uplinkvf3"]->options.at("dpdk-devargs"), "0000:03:00.0,representor=vf3");
    EXPECT_EQ(ports["uplinkvf3"]->tag, 30);
}

TEST(Plan, DpdkPortsOnlyForRteFlowNicsOnANetdevBridge) {
    std::string text = test::read_file(test::source_dir() / "configs/bluefield-dpdk.yaml");
    // The same NIC under OVS's kernel datapath: kernel netdev ports, DPDK
    // left alone, and a warning that OVS will not use rte_flow.
    const std::string dp = "datapath_type: netdev";
    text.replace(text.find(dp), dp.size(), "datapath_type: system");
    Diagnostics d;
    const auto s = spec::load_spec(text, "t.yaml", test::builtin_profiles(), d);
    ASSERT_TRUE(s);
    ASSERT_EQ(d.warning_count(), 1u);
    EXPECT_NE(d.all()[0].message.find("NIC uplink uses backend rte_flow, but OVS's kernel datapath"), std::string::npos) << d.all()[0].message;
    const auto p = plan::build_plan(*s, test::builtin_profiles());
    EXPECT_EQ(p.ovs.other_config.count("dpdk-init"), 0u);
    for (const auto& port : p.ovs.ports) {
        EXPECT_EQ(port.type, "") << port.name;
        EXPECT_EQ(port.options.count("dpdk-devargs"), 0u) << port.name;
    }
    // An operator's own dpdk-init is kept as written.
    std::string own = test::read_file(test::source_dir() / "configs/bluefield-dpdk.yaml");
    own.replace(own.find(dp), dp.size(), dp + "\n  other_config:\n    dpdk-init: \"try\"");
    EXPECT_EQ(plan_of(own).ovs.other_config.at("dpdk-init"), "try");
}

TEST(Plan, PlacementsAndReasons) {
    auto p = plan_of_file("configs/vxlan-cloud.yaml");
    std::map<std::string, const plan::RulePlan*> by_name;
    for (const auto& r : p.rules) by_name[r.name] = &r;
    EXPECT_EQ(by_name.at("svc-to-cloud")->placement, offload::Placement::Hardware);
    EXPECT_EQ(by_name.at("cloud-to-app")->placement, offload::Placement::Hardware);
    EXPECT_EQ(by_name.at("app-est-out")->placement, offload::Placement::Hardware);
    // BlueField-2's tc path rejects ct_state +new: the first packets of a connection stay in OVS.
    const auto* commit = by_name.at("app-ct-commit");
    EXPECT_EQ(commit->placement, offload::Placement::Ovs);
    ASSERT_EQ(commit->reasons.size(), 1u);
    EXPECT_EQ(commit->reasons[0].subject, "ct-state-new-not-offloaded");
    EXPECT_EQ(by_name.at("logship-out")->placement, offload::Placement::TcSoftware);
    EXPECT_EQ(by_name.at("logship-out")->reasons.at(0).code, offload::ReasonCode::PortNotOnEswitch);
    const auto* arp = by_name.at("arp");
    EXPECT_EQ(arp->placement, offload::Placement::Ovs);
    ASSERT_EQ(arp->reasons.size(), 2u);
    EXPECT_EQ(arp->reasons[0].code, offload::ReasonCode::MissingInPort);
    EXPECT_EQ(arp->reasons[1].code, offload::ReasonCode::SoftwareOnlyAction);
}

TEST(Plan, WithoutTcInOvsARuleWithNoNicHasHardwareWordedReasons) {
    // OVS on the userspace datapath (the emulated NIC's deployment): no tc
    // software path exists, so the reasons speak of the eSwitch, not of tc.
    auto p = plan_of_file("configs/emulated-edge.yaml");
    const plan::RulePlan* arp = nullptr;
    for (const auto& r : p.rules) {
        if (r.name == "arp") arp = &r;
    }
    ASSERT_NE(arp, nullptr);
    EXPECT_EQ(arp->placement, offload::Placement::Ovs);
    ASSERT_EQ(arp->reasons.size(), 2u);
    EXPECT_EQ(arp->reasons[0].code, offload::ReasonCode::MissingInPort);
    EXPECT_EQ(arp->reasons[1].code, offload::ReasonCode::SoftwareOnlyAction);
    for (const auto& reason : arp->reasons) {
        EXPECT_FALSE(std::regex_search(reason.detail, std::regex("\\btc\\b"))) << reason.detail;
        EXPECT_NE(reason.detail.find("hardware"), std::string::npos) << reason.detail;
    }
}

TEST(Plan, TableCapacityGoesToTheHighestPriorities) {
    // OCTEON's profile holds 16 rules; arm-edge-8 has 17 offloadable ones.
    auto p = plan_of_file("configs/arm-edge-8.yaml");
    size_t hardware = 0;
    const plan::RulePlan* full = nullptr;
    for (const auto& r : p.rules) {
        if (r.placement == offload::Placement::Hardware) ++hardware;
        for (const auto& reason : r.reasons) {
            if (reason.code == offload::ReasonCode::TableFull) full = &r;
        }
    }
    EXPECT_EQ(hardware, 16u);
    ASSERT_NE(full, nullptr);
    EXPECT_EQ(full->name, "scrape-metrics");  // the lowest priority of the offloadable rules
    for (const auto& r : p.rules) {
        if (r.placement == offload::Placement::Hardware) {
            EXPECT_GE(r.priority, full->priority);
        }
    }
}

TEST(Plan, SkipHwKeepsOffloadableRulesInTcSoftware) {
    auto p = plan_of("nics: [{name: n, pf: eth1, profile: sim, num_vfs: 2}]\n"
                     "ovs: {tc_policy: skip_hw}\n"
                     "workloads: [{name: a, attach: {vf: 0}}, {name: b, attach: {vf: 1}}]\n"
                     "policies: ['in_port=a actions=output:b']\n");
    ASSERT_EQ(p.rules.size(), 1u);
    EXPECT_EQ(p.rules[0].placement, offload::Placement::TcSoftware);
}

// The plan decides each rule's hardware form once: a rule that goes to a
// table carries it (port and flow in netdev names, residency), the tables
// hold exactly those, in spec order, and nothing else does.
TEST(Plan, EveryTableRuleIsTheHardwareFormOfOnePlannedRule) {
    const auto p = plan_of_file("configs/vxlan-cloud.yaml");
    std::map<std::string, std::vector<uint64_t>> expected;  // NIC -> cookies in spec order
    size_t with_hw = 0;
    for (const auto& r : p.rules) {
        const bool in_table = r.placement == offload::Placement::Hardware ||
                              r.placement == offload::Placement::TcSoftware;
        EXPECT_EQ(r.hw.has_value(), in_table) << r.name;
        if (!r.hw) continue;
        ++with_hw;
        EXPECT_EQ(r.hw->cookie, r.cookie) << r.name;
        EXPECT_EQ(r.hw->priority, r.priority) << r.name;
        EXPECT_FALSE(r.hw->flow.cookie) << r.name;
        expected[r.nic].push_back(r.cookie);
    }
    EXPECT_GE(with_hw, 3u);
    for (const auto& t : p.tables) {
        std::vector<uint64_t> got;
        for (const auto& h : t.rules) {
            got.push_back(h.cookie);
            EXPECT_NE(std::find(t.ports.begin(), t.ports.end(), h.port), t.ports.end()) << h.port;
        }
        EXPECT_EQ(got, expected[t.nic]) << "table of NIC '" << t.nic << "'";
    }
    // A decap rule sits on OVS's tunnel device and says decap in its flow.
    const auto decap = std::find_if(p.rules.begin(), p.rules.end(), [](const auto& r) { return r.name == "cloud-to-app"; });
    ASSERT_NE(decap, p.rules.end());
    ASSERT_TRUE(decap->hw);
    EXPECT_EQ(decap->hw->port, "vxlan_sys_4789");
    EXPECT_EQ(decap->attach_port, "vx-cloud");
    EXPECT_EQ(decap->hw->residency, offload::Residency::HardwareOnly);  // bluefield-2 allows skip_sw
    ASSERT_TRUE(decap->hw->flow.match.in_port);
    EXPECT_EQ(*decap->hw->flow.match.in_port, "vxlan_sys_4789");
}

// Residency, three ways: skip_sw where the profile allows it, any where it
// does not, software only under OVS's tc_policy skip_hw.
TEST(Plan, ResidencyFollowsTheProfileAndTcPolicy) {
    const std::string tail = "workloads: [{name: a, attach: {vf: 0}}, {name: b, attach: {vf: 1}}]\n"
                             "policies: ['in_port=a actions=output:b']\n";
    const auto residency = [&](const std::string& profile, const std::string& ovs) {
        const auto p = plan_of("nics: [{name: n, pf: eth1, profile: " + profile + ", num_vfs: 2}]\n" + ovs + tail);
        EXPECT_EQ(p.rules.size(), 1u);
        EXPECT_TRUE(!p.rules.empty() && p.rules[0].hw) << profile;
        return p.rules.empty() || !p.rules[0].hw ? offload::Residency::Any : p.rules[0].hw->residency;
    };
    EXPECT_EQ(residency("sim", ""), offload::Residency::HardwareOnly);
    EXPECT_EQ(residency("netdevsim", ""), offload::Residency::Any);
    EXPECT_EQ(residency("sim", "ovs: {tc_policy: skip_hw}\n"), offload::Residency::SoftwareOnly);
}

// A rule the table has no room for keeps no hardware form: apply would
// otherwise install it.
TEST(Plan, ARuleBeyondTheTableHasNoHardwareForm) {
    const auto p = plan_of_file("configs/arm-edge-8.yaml");
    const auto full = std::find_if(p.rules.begin(), p.rules.end(), [](const auto& r) { return r.name == "scrape-metrics"; });
    ASSERT_NE(full, p.rules.end());
    EXPECT_EQ(full->placement, offload::Placement::Ovs);
    EXPECT_FALSE(full->hw);
    size_t in_nic_tables = 0;
    for (const auto& t : p.tables) {
        if (t.nic.empty()) continue;
        in_nic_tables += t.rules.size();
        for (const auto& h : t.rules) EXPECT_NE(h.cookie, full->cookie);
    }
    EXPECT_EQ(in_nic_tables, 16u);  // OCTEON's profile: 16 rules
}

// Validation lowers each rule once; the plan's hardware form is that
// lowered flow with netdev names.
TEST(Plan, ValidationLowersEachRuleOnceAndThePlanUsesIt) {
    Diagnostics diags;
    const auto s = spec::load_spec(test::read_file(test::source_dir() / "configs/vxlan-cloud.yaml"), "t.yaml",
                                   test::builtin_profiles(), diags);
    ASSERT_TRUE(s);
    const auto& pol = s->policies;
    const auto enc = std::find_if(pol.begin(), pol.end(), [](const auto& r) { return r.name == "svc-to-dr-site"; });
    ASSERT_NE(enc, pol.end());
    ASSERT_TRUE(enc->lowered);
    const auto has_encap = [](const flow::Flow& f) {
        return std::any_of(f.actions.begin(), f.actions.end(),
                           [](const flow::Action& a) { return std::holds_alternative<flow::TunnelEncap>(a); });
    };
    EXPECT_FALSE(has_encap(enc->flow));  // as written: set_field + output
    EXPECT_TRUE(has_encap(*enc->lowered));
    const auto p = plan::build_plan(*s, test::builtin_profiles());
    const auto rp = std::find_if(p.rules.begin(), p.rules.end(), [](const auto& r) { return r.name == "svc-to-dr-site"; });
    ASSERT_NE(rp, p.rules.end());
    ASSERT_TRUE(rp->hw);
    EXPECT_TRUE(has_encap(rp->hw->flow));
}

// A rule the profile allows but its table's backend cannot hold stays in
// OVS with the backend's reason: 33 outputs are 33 tc actions.
TEST(Plan, ARuleTooLongForATcFilterStaysInOvs) {
    std::string outs;
    for (int i = 0; i < 33; ++i) outs += std::string(i ? "," : "") + "output:b";
    const auto p = plan_of("nics: [{name: n, pf: eth1, profile: sim, num_vfs: 2}]\n"
                           "workloads: [{name: a, attach: {vf: 0}}, {name: b, attach: {vf: 1}}]\n"
                           "policies: ['in_port=a actions=" + outs + "', 'in_port=b actions=output:a']\n");
    ASSERT_EQ(p.rules.size(), 2u);
    EXPECT_EQ(p.rules[0].placement, offload::Placement::Ovs);
    EXPECT_FALSE(p.rules[0].hw);
    ASSERT_FALSE(p.rules[0].reasons.empty());
    EXPECT_EQ(p.rules[0].reasons.back().code, offload::ReasonCode::TooManyActions);
    EXPECT_EQ(p.rules[1].placement, offload::Placement::Hardware);
}

TEST(Plan, JsonAndTextShowTheSameVerdicts) {
    auto p = plan_of_file("configs/arm-edge-8.yaml");
    std::ostringstream text, json;
    print_plan(p, OutputFormat::Text, text);
    print_plan(p, OutputFormat::Json, json);
    const auto j = nlohmann::json::parse(json.str());
    ASSERT_EQ(j["rules"].size(), p.rules.size());
    for (const auto& r : j["rules"]) {
        const std::string name = r["name"];
        const std::string placement = r["placement"];
        // The text table has the name then the placement on one line.
        EXPECT_NE(text.str().find(name), std::string::npos) << name;
        for (const auto& reason : r["reasons"]) {
            const std::string detail = reason["detail"];
            EXPECT_NE(text.str().find(detail), std::string::npos) << detail;
        }
        EXPECT_TRUE(placement == "hardware" || placement == "ovs" || placement == "tc-software");
    }
    EXPECT_EQ(j["summary"]["by_placement"]["hardware"], 16);
}

}  // namespace
}  // namespace snoc
