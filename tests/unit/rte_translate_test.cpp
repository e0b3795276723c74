// Canonical flows -> rte_flow rules and their testpmd rendering, without
// DPDK: the same translation the rte_flow backend runs on a real PMD
// (tests/rte_flow/ proves the renderings parse in a real dpdk-testpmd).
#include <gtest/gtest.h>

#include <map>

#include "flow/policy_syntax.h"
#include "offload/rte_flow/rte_testpmd.h"
#include "offload/rte_flow/rte_translate.h"

namespace snoc::offload::rte {
namespace {

HwRule rule_from(const std::string& policy, const std::string& port = "rep0", uint64_t cookie = 0x51) {
    auto parsed = flow::parse_policy_flow(policy);
    EXPECT_TRUE(parsed.flow.has_value()) << policy;
    HwRule r;
    r.cookie = cookie;
    r.port = port;
    if (parsed.flow) {
        r.flow = *parsed.flow;
        r.priority = parsed.flow->priority;
        r.table = parsed.flow->table;
    }
    return r;
}

TranslateContext context(Mode mode = Mode::Transfer) {
    static const std::map<std::string, uint16_t> ids = {{"rep0", 1}, {"rep1", 2}, {"uplink", 0}, {"vxlan0", 0}};
    TranslateContext c;
    c.mode = mode;
    c.port_id_of = [](const std::string& n) -> std::optional<uint16_t> {
        auto it = ids.find(n);
        if (it == ids.end()) return std::nullopt;
        return it->second;
    };
    c.transfer_proxy_of = [](uint16_t) -> uint16_t { return 0; };
    c.tunnel_of = [](const std::string& n) -> std::optional<flow::TunnelType> {
        if (n == "vxlan0") return flow::TunnelType::Vxlan;
        return std::nullopt;
    };
    return c;
}

std::string render(const HwRule& r, const TranslateContext& c, uint32_t prio = 0) {
    Rule out;
    const Status s = translate(r, prio, c, out);
    if (!s.ok()) return "error: " + s.reason;
    return render_testpmd(out);
}

TEST(RteTranslate, TransferForwardWithCountIsRepresentedPortToRepresentedPort) {
    const auto r = rule_from("priority=200,tcp,nw_dst=10.0.0.0/24,tp_dst=80 actions=output:rep1");
    EXPECT_EQ(render(r, context(), 3),
              "flow create 0 priority 3 transfer pattern represented_port ethdev_port_id is 1 / eth type is 0x800 / "
              "ipv4 proto is 6 dst spec 10.0.0.0 dst mask 255.255.255.0 / tcp dst is 80 / end "
              "actions count / represented_port ethdev_port_id 2 / end");
}

TEST(RteTranslate, ItemsCarrySpecAndMaskInNetworkOrder) {
    const auto r = rule_from("udp,nw_src=192.168.1.7,tp_src=5000 actions=drop");
    Rule out;
    ASSERT_TRUE(translate(r, 0, context(), out).ok());
    ASSERT_EQ(out.pattern.size(), 4u);
    const Item& ip = out.pattern[2];
    EXPECT_EQ(ip.type, ItemType::Ipv4);
    const auto src = std::find_if(ip.fields.begin(), ip.fields.end(), [](const ItemField& f) { return f.field == "src"; });
    ASSERT_NE(src, ip.fields.end());
    EXPECT_EQ(src->spec[0], 192);
    EXPECT_EQ(src->spec[3], 7);
    EXPECT_EQ(src->mask[3], 0xff);
    const Item& udp = out.pattern[3];
    EXPECT_EQ(udp.type, ItemType::Udp);
    ASSERT_EQ(udp.fields.size(), 1u);
    EXPECT_EQ(udp.fields[0].spec[0], 5000 >> 8);
    EXPECT_EQ(udp.fields[0].spec[1], 5000 & 0xff);
    ASSERT_EQ(out.actions.size(), 2u);
    EXPECT_EQ(out.actions[0].type, ActionType::Count);
    EXPECT_EQ(out.actions[1].type, ActionType::Drop);
}

TEST(RteTranslate, VlanMatchPutsEthTypeInTheVlanItem) {
    const auto r = rule_from("dl_vlan=100,dl_vlan_pcp=3,ip actions=pop_vlan,output:rep1");
    EXPECT_EQ(render(r, context()),
              "flow create 0 priority 0 transfer pattern represented_port ethdev_port_id is 1 / eth / "
              "vlan tci spec 0x6064 tci mask 0xefff inner_type is 0x800 / ipv4 / end "
              "actions count / of_pop_vlan / represented_port ethdev_port_id 2 / end");
}

TEST(RteTranslate, RewritesBecomeSetActions) {
    const auto r = rule_from(
        "tcp,nw_dst=10.0.0.2 actions=mod_dl_src:02:00:00:00:00:aa,mod_nw_dst:10.0.0.9,mod_tp_dst:8080,"
        "mod_nw_ttl:9,dec_ttl,push_vlan:0x8100,mod_vlan_vid:7,mod_vlan_pcp:2,meter:4,output:rep1");
    EXPECT_EQ(render(r, context()),
              "flow create 0 priority 0 transfer pattern represented_port ethdev_port_id is 1 / eth type is 0x800 / "
              "ipv4 proto is 6 dst is 10.0.0.2 / end actions count / set_mac_src mac_addr 02:00:00:00:00:aa / "
              "set_ipv4_dst ipv4_addr 10.0.0.9 / set_tp_dst port 8080 / set_ttl ttl_value 9 / dec_ttl / "
              "of_push_vlan ethertype 0x8100 / of_set_vlan_vid vlan_vid 7 / of_set_vlan_pcp vlan_pcp 2 / "
              "meter mtr_id 4 / represented_port ethdev_port_id 2 / end");
}

TEST(RteTranslate, Ipv6AndIcmp6AndDscp) {
    const auto r = rule_from("icmp6,ipv6_dst=fd00::1,icmp_type=128,nw_tos=32 actions=mod_nw_tos:64,output:rep1");
    EXPECT_EQ(render(r, context()),
              "flow create 0 priority 0 transfer pattern represented_port ethdev_port_id is 1 / eth type is 0x86dd / "
              "ipv6 tc spec 0x20 tc mask 0xfc proto is 58 dst is fd00::1 / icmp6 type is 128 / end "
              "actions count / set_ipv6_dscp dscp_value 16 / represented_port ethdev_port_id 2 / end");
}

TEST(RteTranslate, TcpFlagsAreTheHeaderFlagsByte) {
    const auto r = rule_from("tcp,tcp_flags=+syn-ack actions=drop");
    EXPECT_EQ(render(r, context()),
              "flow create 0 priority 0 transfer pattern represented_port ethdev_port_id is 1 / eth type is 0x800 / "
              "ipv4 proto is 6 / tcp flags spec 0x2 flags mask 0x12 / end actions count / drop / end");
}

TEST(RteTranslate, GotoTableIsJumpAndTheGroupIsTheTable) {
    const auto r = rule_from("table=2,priority=10,ip actions=goto_table:5");
    EXPECT_EQ(render(r, context(), 1),
              "flow create 0 group 2 priority 1 transfer pattern represented_port ethdev_port_id is 1 / "
              "eth type is 0x800 / ipv4 / end actions count / jump group 5 / end");
}

TEST(RteTranslate, IngressModeDeliversToQueueOrRssAndMarks) {
    TranslateContext c = context(Mode::Ingress);
    c.rx_queues = 2;
    c.count = false;
    c.mark = true;
    const auto q = rule_from("udp,tp_dst=4791 actions=set_queue:1,output:rep0", "rep0", 0x100000002);
    EXPECT_EQ(render(q, c),
              "flow create 1 priority 0 ingress pattern eth type is 0x800 / ipv4 proto is 17 / udp dst is 4791 / end "
              "actions mark id 3 / queue index 1 / end");
    const auto rss = rule_from("ip actions=output:rep0", "rep0", 7);
    EXPECT_EQ(render(rss, c),
              "flow create 1 priority 0 ingress pattern eth type is 0x800 / ipv4 / end "
              "actions mark id 7 / rss queues 0 1 end / end");
    const auto other = rule_from("ip actions=output:rep1");
    EXPECT_NE(render(other, c).find("port_id id 2 / end"), std::string::npos) << render(other, c);
}

TEST(RteTranslate, VxlanDecapOnTheTunnelPortMatchesOuterHeaders) {
    auto r = rule_from("tun_id=100,tun_src=198.51.100.7,ip,nw_dst=10.0.0.2 actions=output:rep1", "vxlan0");
    r.flow.actions.insert(r.flow.actions.begin(), flow::TunnelDecap{});
    EXPECT_EQ(render(r, context()),
              "flow create 0 priority 0 transfer pattern represented_port ethdev_port_id is 0 / eth / "
              "ipv4 src is 198.51.100.7 / udp dst is 4789 / vxlan vni is 100 / eth type is 0x800 / ipv4 dst is 10.0.0.2 / "
              "end actions count / vxlan_decap / represented_port ethdev_port_id 2 / end");
}

TEST(RteTranslate, VxlanEncapNeedsOuterMacsAndRendersTheSetLine) {
    auto r = rule_from("ip actions=drop");
    flow::TunnelEncap e;
    e.id = 42;
    e.src = {192, 0, 2, 1};
    e.dst = {198, 51, 100, 7};
    e.port = "vxlan0";
    r.flow.actions = {e};
    TranslateContext c = context();
    Rule out;
    const Status no_mac = translate(r, 0, c, out);
    EXPECT_EQ(no_mac.error, EHOSTUNREACH);
    EXPECT_NE(no_mac.reason.find("198.51.100.7"), std::string::npos) << no_mac.reason;
    c.encap_macs = [](const std::array<uint8_t, 4>&) {
        return std::optional<std::pair<std::array<uint8_t, 6>, std::array<uint8_t, 6>>>(
            {{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}});
    };
    EXPECT_EQ(render(r, c),
              "set vxlan ip-version ipv4 vni 42 udp-src 0 udp-dst 4789 ip-src 192.0.2.1 ip-dst 198.51.100.7 "
              "eth-src 02:00:00:00:00:01 eth-dst 02:00:00:00:00:02\n"
              "flow create 0 priority 0 transfer pattern represented_port ethdev_port_id is 1 / eth type is 0x800 / "
              "ipv4 / end actions count / vxlan_encap / represented_port ethdev_port_id 0 / end");
}

TEST(RteTranslate, WhatRteFlowCannotSayFailsNamingIt) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ct_state=+trk+est,ip actions=output:rep1", "match on ct_state"},
        {"ip actions=ct(commit,zone=1),output:rep1", "ct: snoc does not generate"},
        {"ip actions=NORMAL", "NORMAL"},
        {"ip actions=output:nowhere", "output port nowhere is not a DPDK port"},
        {"sctp,tp_dst=9 actions=drop", "ip_proto 132"},
        {"tcp,tcp_flags=+ns actions=drop", "tcp_flags beyond the 8 flag bits"},
        {"ip actions=set_queue:1,output:rep1", "set_queue in a transfer rule"},
        {"ip actions=set_field:10.0.0.0/255.0.0.0->nw_dst,output:rep1", "set_field on part of ipv4_dst"},
        {"ip actions=mod_nw_ecn:1,output:rep1", "set_field on ip_ecn has no rte_flow set action"},
    };
    for (const auto& [policy, expect] : cases) {
        const auto r = rule_from(policy);
        Rule out;
        const Status s = translate(r, 0, context(), out);
        EXPECT_FALSE(s.ok()) << policy;
        EXPECT_NE(s.reason.find(expect), std::string::npos) << policy << " -> " << s.reason;
    }
    const auto on_unknown_port = rule_from("ip actions=drop", "eth9");
    Rule out;
    const Status s = translate(on_unknown_port, 0, context(), out);
    EXPECT_EQ(s.error, ENODEV);
    EXPECT_NE(s.reason.find("port eth9"), std::string::npos) << s.reason;
}

TEST(RteTranslate, PrioritiesAreRankedPerGroupHighestFirst) {
    std::vector<HwRule> rules;
    for (auto [table, prio] : std::vector<std::pair<uint32_t, uint16_t>>{{0, 100}, {0, 300}, {0, 100}, {0, 32768}, {1, 5}}) {
        HwRule r;
        r.table = table;
        r.priority = prio;
        rules.push_back(r);
    }
    const PriorityRanks ranks(rules);
    EXPECT_EQ(ranks.rank(0, 32768), 0u);
    EXPECT_EQ(ranks.rank(0, 300), 1u);
    EXPECT_EQ(ranks.rank(0, 100), 2u);
    EXPECT_EQ(ranks.rank(1, 5), 0u);
    EXPECT_EQ(ranks.rank(0, 7), 3u);  // unknown: after every ranked level
    EXPECT_EQ(ranks.rank(4, 7), 0u);
}

TEST(RteTranslate, MarkIdIsNeverZero) {
    EXPECT_EQ(mark_id_for(0), 1u);
    EXPECT_EQ(mark_id_for(0x0000000100000001ULL), 1u);  // the halves cancel
    EXPECT_EQ(mark_id_for(0x10), 0x10u);
}

TEST(RteTranslate, EveryItemFieldIsInTheTableOnce) {
    std::set<std::pair<ItemType, std::string_view>> seen;
    for (const auto& f : item_fields()) {
        EXPECT_TRUE(seen.insert({f.item, f.field}).second) << to_string(f.item) << " " << f.field;
        EXPECT_GT(f.bytes, 0);
        EXPECT_LE(f.bytes, 16);
    }
}

TEST(RteTranslate, SetQueueParsesAndPrintsInThePolicySyntax) {
    auto parsed = flow::parse_policy_flow("udp actions=set_queue:3,output:rep0");
    ASSERT_TRUE(parsed.flow.has_value());
    ASSERT_EQ(parsed.flow->actions.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<flow::SetQueue>(parsed.flow->actions[0]));
    EXPECT_EQ(std::get<flow::SetQueue>(parsed.flow->actions[0]).queue, 3u);
    EXPECT_NE(flow::format_flow(*parsed.flow).find("set_queue:3,output:rep0"), std::string::npos);
    EXPECT_FALSE(flow::parse_policy_flow("udp actions=set_queue:x").flow.has_value());
}

}  // namespace
}  // namespace snoc::offload::rte
