// The comparison behind tests/vm/ovs-dpdk.sh, on what OVS-DPDK 3.1 really
// printed there (tests/data/ovs-dpdk/: `dpctl/dump-flows -m` and the
// "Failed flow: flow create ..." lines of its log, captured with
// `tests/vm/run.sh --out DIR tests/vm/ovs-dpdk.sh`), and on edits of it that
// must be caught.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "crosscheck.h"
#include "testpmd_flow.h"

namespace snoc::testpmd {
namespace {

std::string data(const std::string& name) {
    std::ifstream in(std::string(SNOC_SOURCE_DIR) + "/tests/data/ovs-dpdk/" + name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const std::map<std::string, uint16_t> kPorts{{"dp0", 0}, {"dp1", 1}};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

TEST(TestpmdFlowLine, ReadsAnOvsLine) {
    std::string why;
    const auto f = parse_flow_line(
        "2026-12-04T15:22:36.938Z|00068|netdev_offload_dpdk(hw_offload6)|WARN|dp0: Failed flow:   flow create 0 "
        "priority 0 group 0 transfer pattern eth type is 0x0800 has_vlan is 0 / ipv4 src is 10.9.0.1 proto is 0x11 "
        "fragment_offset is 0x0 / udp dst spec 7 dst mask 61440 / end actions count / port_id original 0 id 1 / end",
        &why);
    ASSERT_TRUE(f) << why;
    EXPECT_EQ(f->port, 0u);
    EXPECT_TRUE(f->transfer);
    EXPECT_FALSE(f->ingress);
    ASSERT_EQ(f->pattern.size(), 3u);
    EXPECT_EQ(f->pattern[0].fields.at("type").spec, "2048");  // 0x0800
    EXPECT_EQ(f->pattern[1].fields.at("proto").spec, "17");   // 0x11
    EXPECT_EQ(f->pattern[1].fields.at("src").spec, "10.9.0.1");
    EXPECT_EQ(f->pattern[2].fields.at("dst"), (FieldMatch{"7", "61440"}));
    ASSERT_EQ(f->actions.size(), 2u);
    EXPECT_EQ(f->actions[1].name, "port_id");
    EXPECT_EQ(f->actions[1].args.at("id"), "1");
}

TEST(TestpmdFlowLine, ReadsListsAndFlagsInActions) {
    const auto f = parse_flow_line(
        "flow create 3 ingress group 1 pattern eth / end actions mark id 7 / rss queues 0 1 end / end");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->group, 1u);
    ASSERT_EQ(f->actions.size(), 2u);
    EXPECT_EQ(f->actions[1].args.at("queues"), "0 1");
}

TEST(TestpmdFlowLine, MalformedLinesSayWhere) {
    std::string why;
    EXPECT_FALSE(parse_flow_line("flow destroy 0 rule 1", &why));
    EXPECT_NE(why.find("flow create"), std::string::npos) << why;
    EXPECT_FALSE(parse_flow_line("flow create x pattern eth / end actions drop / end", &why));
    EXPECT_NE(why.find("port number"), std::string::npos) << why;
    EXPECT_FALSE(parse_flow_line("flow create 0 transfer pattern eth type 0x800 / end actions drop / end", &why));
    EXPECT_NE(why.find("\"is\" or \"spec\""), std::string::npos) << why;
    EXPECT_FALSE(parse_flow_line("flow create 0 pattern eth / end actions drop /", &why));
    EXPECT_NE(why.find("end"), std::string::npos) << why;
}

TEST(OvsDpdkCrossCheck, EveryRuleOvsLoggedEqualsSnocsTranslation) {
    const auto c = cross_check(data("dump-flows.txt"), data("offload.log"), kPorts);
    EXPECT_TRUE(c.errors.empty()) << c.report();
    EXPECT_EQ(c.ovs.size(), 13u) << c.report();
    EXPECT_EQ(c.megaflows.size(), 13u);
    EXPECT_TRUE(c.agree()) << c.report();
    // The rules of the policy's shapes are among them.
    bool tcp = false, vlan_pop = false, masked_udp = false;
    for (const auto& r : c.ovs) {
        for (const auto& i : r.flow.pattern) tcp = tcp || i.name == "tcp";
        for (const auto& a : r.flow.actions) vlan_pop = vlan_pop || a.name == "of_pop_vlan";
        for (const auto& i : r.flow.pattern) {
            masked_udp = masked_udp || (i.name == "udp" && i.fields.contains("dst") && i.fields.at("dst").mask == "61440");
        }
    }
    EXPECT_TRUE(tcp && vlan_pop && masked_udp) << c.report();
}

TEST(OvsDpdkCrossCheck, AFieldOvsMatchesDifferentlyIsADifferenceNamingIt) {
    const auto log = replaced(data("offload.log"), "udp dst is 5000", "udp dst is 5001");
    const auto c = cross_check(data("dump-flows.txt"), log, kPorts);
    EXPECT_FALSE(c.agree());
    EXPECT_NE(c.report().find("udp.dst: 5001 vs 5000"), std::string::npos) << c.report();
}

TEST(OvsDpdkCrossCheck, AnActionOvsDoesDifferentlyIsADifference) {
    const auto log = replaced(data("offload.log"), "tcp dst is 80 / end actions count / port_id original 0 id 1",
                              "tcp dst is 80 / end actions count / drop");
    const auto c = cross_check(data("dump-flows.txt"), log, kPorts);
    EXPECT_FALSE(c.agree());
    EXPECT_NE(c.report().find("action 0: drop vs represented_port ethdev_port_id 1"), std::string::npos)
        << c.report();
}

TEST(OvsDpdkCrossCheck, AMegaflowOvsNeverTriedIsAMiss) {
    // Remove every logged attempt for the TCP megaflow.
    std::string log, line;
    std::istringstream in(data("offload.log"));
    while (std::getline(in, line)) {
        if (line.find("tcp dst is 80") == std::string::npos) log += line + "\n";
    }
    const auto c = cross_check(data("dump-flows.txt"), log, kPorts);
    EXPECT_FALSE(c.agree());
    EXPECT_NE(c.report().find("MISS"), std::string::npos) << c.report();
}

TEST(OvsDpdkCrossCheck, WithoutLoggedRulesNothingAgrees) {
    const auto c = cross_check(data("dump-flows.txt"), "", kPorts);
    EXPECT_TRUE(c.ovs.empty());
    EXPECT_FALSE(c.agree());
}

TEST(OvsDpdkCrossCheck, AnUnknownPortIsRefusedNotGuessed) {
    const auto c = cross_check(data("dump-flows.txt"), data("offload.log"), {{"dp0", 0}});
    EXPECT_FALSE(c.agree());
    EXPECT_NE(c.report().find("port dp1 is not a DPDK port"), std::string::npos) << c.report();
}

TEST(OvsDpdkNormalisation, VlanPresenceOnlyWhereItIsImplied) {
    // Untagged with an IP type: has_vlan 0 says nothing eth.type does not.
    auto f = parse_flow_line("flow create 0 transfer pattern eth type is 0x0800 has_vlan is 0 / end actions drop / end");
    ASSERT_TRUE(f);
    normalise_ovs(*f);
    EXPECT_FALSE(f->pattern[0].fields.contains("has_vlan"));
    // Without a type it is a real constraint snoc does not write: kept.
    f = parse_flow_line("flow create 0 transfer pattern eth has_vlan is 0 / end actions drop / end");
    ASSERT_TRUE(f);
    normalise_ovs(*f);
    EXPECT_TRUE(f->pattern[0].fields.contains("has_vlan"));
    // has_vlan 1 with no vlan item after it: kept.
    f = parse_flow_line("flow create 0 transfer pattern eth type is 0x8100 has_vlan is 1 / end actions drop / end");
    ASSERT_TRUE(f);
    normalise_ovs(*f);
    EXPECT_TRUE(f->pattern[0].fields.contains("has_vlan"));
    EXPECT_TRUE(f->pattern[0].fields.contains("type"));
}

TEST(OvsDpdkNormalisation, MaskedSpecsCompareUnderTheirMask) {
    auto a = parse_flow_line(
        "flow create 0 transfer pattern ipv4 dst spec 10.9.1.5 dst mask 255.255.255.0 / udp dst spec 7 dst mask 61440 "
        "/ end actions drop / end");
    auto b = parse_flow_line(
        "flow create 0 transfer pattern ipv4 dst spec 10.9.1.0 dst mask 255.255.255.0 / udp dst spec 0 dst mask 0xf000 "
        "/ end actions drop / end");
    ASSERT_TRUE(a && b);
    normalise_ovs(*a);
    normalise_snoc(*b);
    EXPECT_TRUE(differences(*a, *b).empty());
    // A bit outside the mask differs on neither side; one inside does.
    auto c = parse_flow_line("flow create 0 transfer pattern ipv4 dst spec 10.9.2.0 dst mask 255.255.255.0 / udp dst "
                             "spec 0 dst mask 0xf000 / end actions drop / end");
    ASSERT_TRUE(c);
    normalise_snoc(*c);
    const auto d = differences(*a, *c);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0], "ipv4.dst: 10.9.1.0/255.255.255.0 vs 10.9.2.0/255.255.255.0");
}

}  // namespace
}  // namespace snoc::testpmd
