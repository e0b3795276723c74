// The plan: steps in the order each NIC needs, OVS state with ownership
// marks, cookies, placements and capacity, and text / JSON that agree.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "controller/plan.h"
#include "controller/plan_output.h"
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
