// Datapath keys as OVS 3.1 prints them on newer kernels and in forms the
// first parser did not know (issue 17, "Datapath reasons"): unknown key
// attributes (key32 = OVS_KEY_ATTR_IPV6_EXTHDRS, which OVS 3.1 has no name
// for), QinQ, ARP, flag bits without a name and `<empty>` keys / actions.
//
// Every line follows lib/odp-util.c of OVS 3.1 (odp_flow_format with
// verbose = true, as `dpctl/dump-flows -m` calls it; tests/odp.at):
// - an attribute type OVS does not know prints as key<N>(<hex bytes>[/<mask
//   bytes>]), bytes separated by blanks (format_generic_odp_key);
// - format_flags() prints a flag set as names joined by '|', with the bits
//   it has no name for last, as one hex number ("new|trk|0x100"); the TCP
//   names of the reserved bits 0x200, 0x400, 0x800 are "[200]", "[400]",
//   "[800]" (packet_tcp_flag_to_string); format_flags_masked() prints
//   "+name-name" with "[Unknown]" for a bit without a name;
// - a key of no attributes prints as "<empty>", as does an action list
//   whose bytes hold no action.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flow/flow.h"
#include "flow/net_address.h"
#include "ovs-integration/dpflow_actions.h"
#include "ovs-integration/dpflow_explain.h"
#include "ovs-integration/dpflow_parse.h"
#include "ovs-integration/dpflow_view.h"

namespace snoc::ovs {
namespace {

using flow::Field;
using offload::ReasonCode;

DpFlow line(const std::string& text) {
    auto r = parse_dpflow_line(text);
    EXPECT_TRUE(r.flow) << text << ": " << r.error.value_or("");
    // The per-poll scan reads every line the same way.
    DpFlowView view;
    const auto scan_error = scan_dpflow_line(text, view);
    EXPECT_FALSE(scan_error) << text << ": " << scan_error.value_or("");
    return r.flow.value_or(DpFlow{});
}

uint64_t value(const DpFlow& f, Field field) {
    EXPECT_TRUE(f.match.has(field)) << flow::to_string(field);
    if (!f.match.has(field)) return ~uint64_t{0};
    return f.match.get(field).value_uint(flow::field_info(field).bytes);
}

uint64_t mask(const DpFlow& f, Field field) {
    EXPECT_TRUE(f.match.has(field)) << flow::to_string(field);
    if (!f.match.has(field)) return 0;
    return f.match.get(field).mask_uint(flow::field_info(field).bytes);
}

std::string ip(const DpFlow& f, Field field) {
    if (!f.match.has(field)) return "(none)";
    net::IpAddress a;
    a.v6 = flow::field_info(field).kind == flow::FieldKind::Ipv6;
    a.bytes = f.match.get(field).value;
    return net::format_ip(a);
}

std::vector<std::string> codes(const std::vector<offload::Reason>& reasons) {
    std::vector<std::string> out;
    for (const auto& r : reasons) out.push_back(std::string(offload::to_string(r.code)) + ":" + r.subject);
    return out;
}

const offload::Reason* find_reason(const std::vector<offload::Reason>& reasons, const std::string& subject) {
    for (const auto& r : reasons) {
        if (r.subject == subject) return &r;
    }
    return nullptr;
}

// rep0 and rep1 on one NIC whose profile takes everything these flows
// match but VLAN and IPv6 fields, so the reasons below are the NIC's.
OffloadContext context() {
    OffloadContext c;
    c.ports["rep0"] = offload::PortInfo{"rep0", offload::PortKind::VfRepresentor, "nic0", 0, {}, {}, {}, {}, 0};
    c.ports["rep1"] = offload::PortInfo{"rep1", offload::PortKind::VfRepresentor, "nic0", 1, {}, {}, {}, {}, 0};
    offload::NicProfile p;
    p.name = "testnic";
    offload::BackendCaps caps;
    caps.match = {{Field::EthSrc, offload::MaskSupport::Exact},    {Field::EthDst, offload::MaskSupport::Exact},
                  {Field::EthType, offload::MaskSupport::Exact},   {Field::IpProto, offload::MaskSupport::Exact},
                  {Field::Ipv4Src, offload::MaskSupport::Prefix},  {Field::Ipv4Dst, offload::MaskSupport::Prefix},
                  {Field::TpSrc, offload::MaskSupport::Exact},     {Field::TpDst, offload::MaskSupport::Exact},
                  {Field::IcmpType, offload::MaskSupport::Exact},  {Field::IcmpCode, offload::MaskSupport::Exact},
                  {Field::TcpFlags, offload::MaskSupport::Arbitrary}, {Field::CtState, offload::MaskSupport::Arbitrary}};
    caps.actions = {flow::ActionKind::Output, flow::ActionKind::Drop};
    p.backends[offload::Backend::TcFlower] = caps;
    c.nic_profiles["nic0"] = p;
    return c;
}

// The metadata prefix of a kernel-datapath line with -m (tests/data/dpflows/kernel-*-m.txt).
const std::string kKernelMeta =
    "ufid:2654d386-166b-4f72-ab30-8fa6873e6186, skb_priority(0/0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),"
    "ct_mark(0/0),ct_label(0/0),recirc_id(0),dp_hash(0/0),in_port(rep0),packet_type(ns=0/0,id=0/0),";
const std::string kStats = ", packets:4, bytes:280, used:0.420s, dp:ovs, actions:rep1";

// --- 1. Unknown key attributes (key32 = OVS_KEY_ATTR_IPV6_EXTHDRS) -----------

// A newer kernel puts OVS_KEY_ATTR_IPV6_EXTHDRS (32) after the IPv6 key of
// every IPv6 flow; OVS 3.1 has no name for it and ovs-vswitchd never asked
// for it, so its mask is zero.
std::string ipv6_line(const std::string& key32) {
    return kKernelMeta +
           "eth(src=02:00:00:00:00:01,dst=33:33:00:00:00:02),eth_type(0x86dd),"
           "ipv6(src=fe80::ff:fe00:1,dst=ff02::2,label=0/0,proto=58,tclass=0/0,hlimit=255,frag=no)," +
           key32 + ",icmpv6(type=133,code=0)" + kStats;
}

TEST(DpKeyReasons, FullyWildcardedUnknownKeyIsNoReason) {
    const DpFlow f = line(ipv6_line("key32(00 00/00 00)"));
    EXPECT_TRUE(f.unmapped_keys.empty()) << f.unmapped_keys.front();
    EXPECT_EQ(f.match.in_port, "rep0");
    EXPECT_EQ(value(f, Field::EthType), 0x86ddu);
    EXPECT_EQ(ip(f, Field::Ipv6Src), "fe80::ff:fe00:1");
    EXPECT_TRUE(flow::is_exact(Field::Ipv6Dst, f.match.get(Field::Ipv6Dst)));
    EXPECT_EQ(value(f, Field::IpProto), 58u);
    EXPECT_EQ(value(f, Field::IcmpType), 133u);
    EXPECT_EQ(value(f, Field::IcmpCode), 0u);
    EXPECT_EQ(mask(f, Field::IcmpCode), 0xffu);
    EXPECT_FALSE(f.match.has(Field::IpDscp));  // tclass=0/0
    // The NIC's own reasons, and nothing about key32.
    const auto reasons = explain_not_offloaded(f, DpPortMap{}, context());
    EXPECT_EQ(codes(reasons), (std::vector<std::string>{"match-unsupported:ipv6_src", "match-unsupported:ipv6_dst",
                                                        "match-unsupported:ip_ttl"}));
}

TEST(DpKeyReasons, WildcardedUnknownKeysOfAnyWidthAreNoReason) {
    // One byte, four bytes, a longer mask written in pairs: all zero masks.
    for (const char* key : {"key40(ff/00)", "key33(01 02 03 04/00 00 00 00)", "key32(ff ff/00 00)"}) {
        const DpFlow f = line(ipv6_line(key));
        EXPECT_TRUE(f.unmapped_keys.empty()) << key << ": " << f.unmapped_keys.front();
    }
}

TEST(DpKeyReasons, UnknownKeyWithAMaskKeepsItsReason) {
    // Extension headers matched (a mask bit set): snoc cannot say that to a NIC.
    const DpFlow masked = line(ipv6_line("key32(00 04/00 04)"));
    EXPECT_EQ(masked.unmapped_keys, (std::vector<std::string>{"key32(00 04/00 04)"}));
    const auto reasons = explain_not_offloaded(masked, DpPortMap{}, context());
    ASSERT_FALSE(reasons.empty());
    EXPECT_EQ(codes(reasons).front(), "match-unsupported:key32(00 04/00 04)");
    // Exact (OVS prints no mask when it is all ones): "no extension header"
    // is a constraint too, even though the value is zero; what a zero means
    // is not known for a key OVS cannot even name.
    const DpFlow exact = line(ipv6_line("key32(00 00)"));
    EXPECT_EQ(exact.unmapped_keys, (std::vector<std::string>{"key32(00 00)"}));
    // A partial mask of a value that is zero under it still constrains.
    const DpFlow zero_under_mask = line(ipv6_line("key32(00 00/01 00)"));
    EXPECT_EQ(zero_under_mask.unmapped_keys, (std::vector<std::string>{"key32(00 00/01 00)"}));
}

// --- 2. QinQ ---------------------------------------------------------------

// OVS 3.1 with vlan-limit 2 (its default): outer tag, then the inner one in
// encap(...), then the payload in a second encap(...).
std::string qinq_line(const std::string& outer_tpid, const std::string& inner_vlan) {
    return kKernelMeta + "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(" + outer_tpid +
           "),vlan(vid=100,pcp=5),encap(eth_type(0x8100)," + inner_vlan +
           ",encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0/0,ttl=64/0,frag=no),"
           "icmp(type=8,code=0)))" +
           kStats;
}

TEST(DpKeyReasons, QinqMapsTheOuterTagAndReportsTheInnerOne) {
    const DpFlow f = line(qinq_line("0x88a8", "vlan(vid=200,pcp=0)"));
    // dl_vlan / vlan_vid is the outermost tag, as in OpenFlow.
    EXPECT_EQ(value(f, Field::VlanVid), 100u);
    EXPECT_EQ(mask(f, Field::VlanVid), 0x0fffu);
    EXPECT_EQ(value(f, Field::VlanPcp), 5u);
    EXPECT_EQ(mask(f, Field::VlanPcp), 7u);
    EXPECT_EQ(value(f, Field::EthType), 0x0800u);  // the payload's type, after both tags
    EXPECT_EQ(ip(f, Field::Ipv4Src), "10.0.0.1");
    EXPECT_EQ(value(f, Field::IcmpType), 8u);
    // What the canonical model cannot say: the outer tag is an 802.1ad
    // S-tag (the canonical tag is 802.1Q), and there is an inner tag.
    EXPECT_EQ(f.unmapped_keys, (std::vector<std::string>{"eth_type(0x88a8)", "encap(vlan(vid=200,pcp=0))"}));
    const auto reasons = explain_not_offloaded(f, DpPortMap{}, context());
    const offload::Reason* outer = find_reason(reasons, "eth_type(0x88a8)");
    ASSERT_NE(outer, nullptr);
    EXPECT_EQ(outer->code, ReasonCode::MatchUnsupported);
    EXPECT_NE(outer->detail.find("outer VLAN tag"), std::string::npos) << outer->detail;
    EXPECT_NE(outer->detail.find("802.1ad"), std::string::npos) << outer->detail;
    const offload::Reason* inner = find_reason(reasons, "encap(vlan(vid=200,pcp=0))");
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(inner->code, ReasonCode::MatchUnsupported);
    EXPECT_NE(inner->detail.find("inner VLAN tag"), std::string::npos) << inner->detail;
    EXPECT_NE(inner->detail.find("vlan_vid 100"), std::string::npos) << inner->detail;
}

TEST(DpKeyReasons, DoubleDot1qTagsReportOnlyTheInnerTag) {
    const DpFlow f = line(qinq_line("0x8100", "vlan(vid=200,pcp=0)"));
    EXPECT_EQ(value(f, Field::VlanVid), 100u);
    EXPECT_EQ(value(f, Field::VlanPcp), 5u);
    EXPECT_EQ(f.unmapped_keys, (std::vector<std::string>{"encap(vlan(vid=200,pcp=0))"}));
    // An inner tag with every bit wildcarded still says "a second tag is
    // there": the payload type sits behind it.
    const DpFlow any_inner = line(qinq_line("0x8100", "vlan(vid=0/0x0,pcp=0/0x0)"));
    EXPECT_EQ(value(any_inner, Field::VlanVid), 100u);
    EXPECT_EQ(any_inner.unmapped_keys, (std::vector<std::string>{"encap(vlan(vid=0/0x0,pcp=0/0x0))"}));
}

TEST(DpKeyReasons, SingleTagsStayCanonical) {
    const std::string tagged = kKernelMeta +
                               "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x8100),vlan(vid=7,pcp=0),"
                               "encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0/0,ttl=64/0,"
                               "frag=no),tcp(src=1024/0,dst=80))" +
                               kStats;
    const DpFlow f = line(tagged);
    EXPECT_EQ(value(f, Field::VlanVid), 7u);
    EXPECT_EQ(value(f, Field::EthType), 0x0800u);
    EXPECT_EQ(value(f, Field::TpDst), 80u);
    EXPECT_TRUE(f.unmapped_keys.empty()) << f.unmapped_keys.front();
}

// --- 3. ARP ----------------------------------------------------------------

TEST(DpKeyReasons, ArpKeysNameTheCanonicalFieldsTheyNeed) {
    // A real line (tests/data/dpflows/kernel-skip_hw-m.txt).
    const DpFlow f = line(
        "ufid:ebbbae3d-5877-4570-89ec-6ef510e7c197, skb_priority(0/0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),"
        "ct_mark(0/0),ct_label(0/0),recirc_id(0),dp_hash(0/0),in_port(rep0),packet_type(ns=0/0,id=0/0),"
        "eth(src=02:00:00:00:09:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.9.0.1,tip=10.9.0.2,op=1,"
        "sha=00:00:00:00:00:00/00:00:00:00:00:00,tha=00:00:00:00:00:00/00:00:00:00:00:00), packets:0, bytes:0, "
        "used:never, dp:tc, actions:rep1");
    EXPECT_EQ(value(f, Field::EthType), 0x0806u);
    const auto arp_op = flow::field_from_name("arp_op");
    const auto arp_spa = flow::field_from_name("arp_spa");
    const auto arp_tpa = flow::field_from_name("arp_tpa");
    if (arp_op && arp_spa && arp_tpa) {
        // The canonical model has ARP fields: the key maps onto them and the
        // NIC profile decides.
        EXPECT_TRUE(f.unmapped_keys.empty()) << f.unmapped_keys.front();
        EXPECT_EQ(value(f, *arp_op), 1u);
        EXPECT_EQ(ip(f, *arp_spa), "10.9.0.1");
        EXPECT_EQ(ip(f, *arp_tpa), "10.9.0.2");
        const auto reasons = explain_not_offloaded(f, DpPortMap{}, context());
        ASSERT_NE(find_reason(reasons, "arp_op"), nullptr);
        return;
    }
    // flow/flow.h has no ARP fields (yet): one reason per constrained
    // attribute, saying which canonical field is missing; the wildcarded
    // sha / tha are none.
    EXPECT_EQ(f.unmapped_keys, (std::vector<std::string>{"arp(sip=10.9.0.1)", "arp(tip=10.9.0.2)", "arp(op=1)"}));
    const auto reasons = explain_not_offloaded(f, DpPortMap{}, context());
    const offload::Reason* op = find_reason(reasons, "arp(op=1)");
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->code, ReasonCode::MatchUnsupported);
    EXPECT_NE(op->detail.find("arp_op"), std::string::npos) << op->detail;
    const offload::Reason* sip = find_reason(reasons, "arp(sip=10.9.0.1)");
    ASSERT_NE(sip, nullptr);
    EXPECT_NE(sip->detail.find("arp_spa"), std::string::npos) << sip->detail;
}

// --- 4. Flag bits without a name -------------------------------------------

std::string tcp_line(const std::string& flags) {
    return kKernelMeta +
           "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
           "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0/0,ttl=64/0,frag=no),tcp(src=1024/0,dst=80),tcp_flags(" +
           flags + ")" + kStats;
}

TEST(DpKeyReasons, TcpFlagsWithReservedBits) {
    // Exact: format_flags, the reserved bits by their bracketed names.
    const DpFlow exact = line(tcp_line("syn|[200]"));
    EXPECT_EQ(value(exact, Field::TcpFlags), 0x202u);
    EXPECT_EQ(mask(exact, Field::TcpFlags), 0xfffu);
    EXPECT_TRUE(exact.unmapped_keys.empty()) << exact.unmapped_keys.front();
    const DpFlow all = line(tcp_line("fin|syn|rst|psh|ack|urg|ece|cwr|ns|[200]|[400]|[800]"));
    EXPECT_EQ(value(all, Field::TcpFlags), 0xfffu);
    // Masked: format_flags_masked, +set -clear.
    const DpFlow masked = line(tcp_line("+syn-ack-[800]"));
    EXPECT_EQ(value(masked, Field::TcpFlags), 0x002u);
    EXPECT_EQ(mask(masked, Field::TcpFlags), 0x812u);
    const DpFlow masked_set = line(tcp_line("+[400]"));
    EXPECT_EQ(value(masked_set, Field::TcpFlags), 0x400u);
    EXPECT_EQ(mask(masked_set, Field::TcpFlags), 0x400u);
}

TEST(DpKeyReasons, CtStateWithBitsWithoutAName) {
    // Bits past dnat print as one hex number after the names.
    const std::string prefix = "ufid:1, recirc_id(0x1),in_port(rep0),ct_state(";
    const std::string rest = "),eth(),eth_type(0x0800),ipv4(frag=no)" + kStats;
    const DpFlow f = line(prefix + "new|trk|0x100" + rest);
    EXPECT_EQ(value(f, Field::CtState), flow::kCtNew | flow::kCtTrk);
    EXPECT_EQ(mask(f, Field::CtState), 0xffu);
    // The canonical ct_state is 8 bits: the ninth is a reason of its own.
    EXPECT_EQ(f.unmapped_keys, (std::vector<std::string>{"ct_state(0x100)"}));
    const auto reasons = explain_not_offloaded(f, DpPortMap{}, context());
    ASSERT_FALSE(reasons.empty());
    EXPECT_EQ(codes(reasons).front(), "match-unsupported:ct_state(0x100)");
    // Only unnamed bits: format_flags prints the hex number alone.
    const DpFlow only = line(prefix + "0x100" + rest);
    EXPECT_EQ(value(only, Field::CtState), 0u);
    EXPECT_EQ(mask(only, Field::CtState), 0xffu);
    EXPECT_EQ(only.unmapped_keys, (std::vector<std::string>{"ct_state(0x100)"}));
    // Masked, with a bit format_flags_masked calls [Unknown]: the named bits
    // map, the unknown one is reported as printed.
    const DpFlow unknown = line(prefix + "-new+est+trk+[Unknown]" + rest);
    EXPECT_EQ(value(unknown, Field::CtState), flow::kCtEst | flow::kCtTrk);
    EXPECT_EQ(mask(unknown, Field::CtState), flow::kCtNew | flow::kCtEst | flow::kCtTrk);
    EXPECT_EQ(unknown.unmapped_keys, (std::vector<std::string>{"ct_state(+[Unknown])"}));
    // Hex with a mask (-m prints ct_state so): bit 0x100 required set.
    const DpFlow hex = line(prefix + "0x121/0x1ff" + rest);
    EXPECT_EQ(value(hex, Field::CtState), 0x21u);
    EXPECT_EQ(mask(hex, Field::CtState), 0xffu);
    EXPECT_EQ(hex.unmapped_keys, (std::vector<std::string>{"ct_state(0x100/0x100)"}));
    // Required clear (the zero every packet without that bit carries): nothing to report.
    const DpFlow clear = line(prefix + "0x21/0x1ff" + rest);
    EXPECT_TRUE(clear.unmapped_keys.empty()) << clear.unmapped_keys.front();
}

TEST(DpKeyReasons, FlagTextThatIsNotOvssStaysAnError) {
    for (const char* bad : {"syn|[zz]", "syn|[1000]", "syn|0x1000", "syn|[]", "+syn+[Unknown]x", "syn||ack"}) {
        const auto r = parse_dpflow_line(tcp_line(bad));
        EXPECT_FALSE(r.flow) << bad;
        ASSERT_TRUE(r.error) << bad;
        EXPECT_NE(r.error->find(bad), std::string::npos) << bad << " -> " << *r.error;
    }
    const auto wide = parse_dpflow_line("in_port(1),ct_state(new|0x100000000), packets:1, bytes:2, used:never, actions:1");
    EXPECT_FALSE(wide.flow);
}

// --- 5. <empty> --------------------------------------------------------------

TEST(DpKeyReasons, EmptyKeyAndActions) {
    // A flow with no key attributes at all.
    const DpFlow empty_key =
        line("ufid:0c3c8b0e-0e2a-4d8e-9c51-2c7a1f8e6b10, <empty>, packets:0, bytes:0, used:never, actions:drop");
    EXPECT_EQ(empty_key.ufid, "0c3c8b0e-0e2a-4d8e-9c51-2c7a1f8e6b10");
    EXPECT_TRUE(empty_key.match.empty());
    EXPECT_FALSE(empty_key.match.in_port);
    EXPECT_TRUE(empty_key.unmapped_keys.empty());
    EXPECT_EQ(empty_key.key_text, "<empty>");
    EXPECT_EQ(empty_key.actions_text, "drop");
    EXPECT_EQ(codes(explain_not_offloaded(empty_key, DpPortMap{}, context())),
              (std::vector<std::string>{"missing-in-port:in_port"}));
    // Without a ufid the key text is the flow's identity.
    const DpFlowDump d = parse_dpflow_dump("<empty>, packets:3, bytes:180, used:0.1s, actions:drop\n");
    ASSERT_EQ(d.flows.size(), 1u);
    EXPECT_TRUE(d.errors.empty()) << d.errors.front().message;
    EXPECT_EQ(d.flows[0].packets, 3u);
    EXPECT_TRUE(d.flows[0].match.empty());

    // An action list with no action: no actions (a drop), never an output to a port called "<empty>".
    const DpFlow no_actions = line(kKernelMeta + "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
                                                 "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0/0,ttl=64/0,frag=no), "
                                                 "packets:1, bytes:98, used:never, dp:ovs, actions:<empty>");
    EXPECT_EQ(no_actions.actions_text, "<empty>");
    const DpActionsTranslation a = translate_dp_actions(no_actions.actions_text, DpPortMap{});
    EXPECT_TRUE(a.actions.empty());
    EXPECT_TRUE(a.untranslated.empty()) << a.untranslated.front().text;
    const DpFlowTranslation t = translate_dpflow(no_actions, DpPortMap{});
    EXPECT_TRUE(t.flow.actions.empty());
    EXPECT_TRUE(t.untranslatable.empty()) << t.untranslatable.front().subject;
    // <empty> with the bytes OVS could not read after it: those stay a reason.
    const DpActionsTranslation leftover =
        translate_dp_actions("<empty>,***4 leftover bytes*** (04000000)", DpPortMap{});
    EXPECT_TRUE(leftover.actions.empty());
    ASSERT_EQ(leftover.untranslated.size(), 1u);
    EXPECT_EQ(leftover.untranslated[0].text, "***4 leftover bytes*** (04000000)");
}

}  // namespace
}  // namespace snoc::ovs
