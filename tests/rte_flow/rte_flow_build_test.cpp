// rte_rule.h -> DPDK structures: every field lands where DPDK reads it.
#include <gtest/gtest.h>

#include <rte_byteorder.h>
#include <rte_flow.h>

#include "offload/rte_flow/dpdk/rte_flow_build.h"
#include "offload/rte_flow/dpdk/rte_flow_backend.h"
#include "offload/rte_flow/rte_translate.h"
#include "rte_policy.h"

namespace snoc::offload::rte {
namespace {

TranslateContext transfer_context() {
    TranslateContext c;
    c.port_id_of = [](const std::string& n) -> std::optional<uint16_t> {
        if (n == "rep0") return uint16_t{0x0102};
        if (n == "rep1") return uint16_t{3};
        return std::nullopt;
    };
    return c;
}

Rule translated(const std::string& policy, const TranslateContext& c) {
    HwRule r;
    EXPECT_TRUE(test::policy_rule(9, "rep0", policy, r)) << policy;
    Rule out;
    const Status s = translate(r, 4, c, out);
    EXPECT_TRUE(s.ok()) << s.reason;
    return out;
}

TEST(RteFlowBuild, EveryItemFieldHasAPlaceInItsStructure) { EXPECT_TRUE(every_item_field_placed()); }

TEST(RteFlowBuild, AttributesPatternAndActionsAreLaidOutForDpdk) {
    const Rule rule = translated("table=3,tcp,nw_src=10.1.2.3,tp_dst=443 actions=mod_tp_dst:8443,output:rep1", transfer_context());
    BuiltRule b(rule);
    EXPECT_EQ(b.attr()->group, 3u);
    EXPECT_EQ(b.attr()->priority, 4u);
    EXPECT_EQ(b.attr()->transfer, 1u);
    EXPECT_EQ(b.attr()->ingress, 0u);

    const rte_flow_item* it = b.pattern();
    ASSERT_EQ(it[0].type, RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT);
    EXPECT_EQ(static_cast<const rte_flow_item_ethdev*>(it[0].spec)->port_id, 0x0102);  // host order
    EXPECT_EQ(static_cast<const rte_flow_item_ethdev*>(it[0].mask)->port_id, 0xffff);
    ASSERT_EQ(it[1].type, RTE_FLOW_ITEM_TYPE_ETH);
    EXPECT_EQ(static_cast<const rte_flow_item_eth*>(it[1].spec)->hdr.ether_type, rte_cpu_to_be_16(0x0800));
    ASSERT_EQ(it[2].type, RTE_FLOW_ITEM_TYPE_IPV4);
    const auto* ip = static_cast<const rte_flow_item_ipv4*>(it[2].spec);
    const auto* ip_mask = static_cast<const rte_flow_item_ipv4*>(it[2].mask);
    EXPECT_EQ(ip->hdr.src_addr, rte_cpu_to_be_32(0x0a010203));
    EXPECT_EQ(ip_mask->hdr.src_addr, 0xffffffffu);
    EXPECT_EQ(ip->hdr.next_proto_id, 6);
    EXPECT_EQ(ip_mask->hdr.dst_addr, 0u);  // not matched
    ASSERT_EQ(it[3].type, RTE_FLOW_ITEM_TYPE_TCP);
    EXPECT_EQ(static_cast<const rte_flow_item_tcp*>(it[3].spec)->hdr.dst_port, rte_cpu_to_be_16(443));
    EXPECT_EQ(it[4].type, RTE_FLOW_ITEM_TYPE_END);

    const rte_flow_action* a = b.actions();
    EXPECT_EQ(a[0].type, RTE_FLOW_ACTION_TYPE_COUNT);
    ASSERT_EQ(a[1].type, RTE_FLOW_ACTION_TYPE_SET_TP_DST);
    EXPECT_EQ(static_cast<const rte_flow_action_set_tp*>(a[1].conf)->port, rte_cpu_to_be_16(8443));
    ASSERT_EQ(a[2].type, RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT);
    EXPECT_EQ(static_cast<const rte_flow_action_ethdev*>(a[2].conf)->port_id, 3);
    EXPECT_EQ(a[3].type, RTE_FLOW_ACTION_TYPE_END);
    // rte_flow_error's cause points into these arrays: it maps back to an index.
    EXPECT_EQ(b.item_index(&it[3]), 3);
    EXPECT_EQ(b.action_index(a[2].conf), 2);
    EXPECT_EQ(b.action_index(nullptr), -1);
}

TEST(RteFlowBuild, Ipv6TrafficClassSitsInBits20To27OfVtcFlow) {
    const Rule rule = translated("ipv6,ipv6_src=fd00::7,nw_tos=0xb8 actions=drop", transfer_context());
    BuiltRule b(rule);
    const rte_flow_item* it = b.pattern();
    ASSERT_EQ(it[2].type, RTE_FLOW_ITEM_TYPE_IPV6);
    const auto* ip = static_cast<const rte_flow_item_ipv6*>(it[2].spec);
    const auto* mask = static_cast<const rte_flow_item_ipv6*>(it[2].mask);
    EXPECT_EQ(rte_be_to_cpu_32(ip->hdr.vtc_flow), 0xb8u << 20);
    EXPECT_EQ(rte_be_to_cpu_32(mask->hdr.vtc_flow), 0xfcu << 20);
    EXPECT_EQ(ip->hdr.src_addr[0], 0xfd);
    EXPECT_EQ(ip->hdr.src_addr[15], 0x07);
}

TEST(RteFlowBuild, VlanRssAndEncapConfigurations) {
    TranslateContext c = transfer_context();
    c.mode = Mode::Ingress;
    c.rx_queues = 3;
    c.count = false;
    const Rule rule = translated("dl_vlan=10,ip actions=output:rep0", c);
    BuiltRule b(rule);
    const rte_flow_item* it = b.pattern();
    ASSERT_EQ(it[1].type, RTE_FLOW_ITEM_TYPE_VLAN);
    EXPECT_EQ(static_cast<const rte_flow_item_vlan*>(it[1].spec)->hdr.vlan_tci, rte_cpu_to_be_16(10));
    EXPECT_EQ(static_cast<const rte_flow_item_vlan*>(it[1].spec)->hdr.eth_proto, rte_cpu_to_be_16(0x0800));
    const rte_flow_action* a = b.actions();
    ASSERT_EQ(a[0].type, RTE_FLOW_ACTION_TYPE_RSS);
    const auto* rss = static_cast<const rte_flow_action_rss*>(a[0].conf);
    ASSERT_EQ(rss->queue_num, 3u);
    EXPECT_EQ(rss->queue[2], 2);

    Rule encap;
    encap.actions.push_back(Action{ActionType::VxlanEncap, 0, {}, {}, {}});
    encap.actions[0].encap.vni = 0x123456;
    encap.actions[0].encap.ip_dst = {198, 51, 100, 7};
    BuiltRule e(encap);
    ASSERT_EQ(e.actions()[0].type, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP);
    const auto* def = static_cast<const rte_flow_action_vxlan_encap*>(e.actions()[0].conf)->definition;
    ASSERT_EQ(def[3].type, RTE_FLOW_ITEM_TYPE_VXLAN);
    const auto* vx = static_cast<const rte_flow_item_vxlan*>(def[3].spec);
    EXPECT_EQ(vx->vni[0], 0x12);
    EXPECT_EQ(vx->vni[2], 0x56);
    EXPECT_EQ(static_cast<const rte_flow_item_ipv4*>(def[1].spec)->hdr.dst_addr, rte_cpu_to_be_32(0xc6336407));
    EXPECT_EQ(def[4].type, RTE_FLOW_ITEM_TYPE_END);
}

TEST(RteFlowBuild, FlowErrorsNameTypeCauseAndMessage) {
    EXPECT_EQ(describe_flow_error(RTE_FLOW_ERROR_TYPE_ACTION, 2, "action not supported", ENOTSUP),
              "ACTION (action 2): action not supported");
    EXPECT_EQ(describe_flow_error(RTE_FLOW_ERROR_TYPE_ITEM_MASK, 1, "bad mask", EINVAL), "ITEM_MASK (item 1): bad mask");
    EXPECT_EQ(describe_flow_error(RTE_FLOW_ERROR_TYPE_ATTR_TRANSFER, -1, nullptr, ENOTSUP),
              "ATTR_TRANSFER: Operation not supported");
}

}  // namespace
}  // namespace snoc::offload::rte
