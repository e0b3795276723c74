// Tests of the policy flow syntax: parse_policy_flow() and the format_*()
// printers (flow/policy_syntax.h).
#include "flow/policy_syntax.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace snoc::flow {
namespace {

using ::testing::HasSubstr;

// Parses text that must be accepted; fails the test with the error otherwise.
Flow parse_ok(std::string_view text) {
    const auto parsed = parse_policy_flow(text);
    EXPECT_TRUE(parsed.flow.has_value()) << text << "\n  error: " << (parsed.error ? parsed.error->message : "");
    EXPECT_FALSE(parsed.error.has_value());
    return parsed.flow.value_or(Flow{});
}

SyntaxError parse_error(std::string_view text) {
    const auto parsed = parse_policy_flow(text);
    EXPECT_FALSE(parsed.flow.has_value()) << text << " was accepted as " << format_flow(parsed.flow.value_or(Flow{}));
    return parsed.error.value_or(SyntaxError{});
}

template <class T>
T only_action(const Flow& f) {
    EXPECT_EQ(f.actions.size(), 1u);
    if (f.actions.size() != 1 || !std::holds_alternative<T>(f.actions[0])) {
        ADD_FAILURE() << "expected a single action of the given kind, got " << format_actions(f.actions);
        return T{};
    }
    return std::get<T>(f.actions[0]);
}

// --- Round trip: parse, print the canonical form, parse back ---------------

struct RoundTripCase {
    std::string_view input;
    std::string_view canonical;
};

constexpr RoundTripCase kRoundTrips[] = {
    // flow attributes and ordering
    {"priority=100,in_port=web,tcp,tp_dst=80 actions=output:uplink",
     "priority=100,in_port=web,tcp,tp_dst=80 actions=output:uplink"},
    {"priority=7 actions=drop", "priority=7 actions=drop"},
    {"table=3,cookie=0x10,idle_timeout=5,hard_timeout=60,priority=0,arp actions=drop",
     "table=3,cookie=0x10,idle_timeout=5,hard_timeout=60,priority=0,arp actions=drop"},
    {"cookie=0,arp actions=drop", "cookie=0x0,priority=32768,arp actions=drop"},
    {"tcp,tp_dst=22,in_port=pf0vf1 actions=drop", "priority=32768,in_port=pf0vf1,tcp,tp_dst=22 actions=drop"},
    {"ct_zone=1,tun_id=1,ip,nw_dst=1.1.1.1,nw_src=2.2.2.2,dl_dst=00:00:00:00:00:01 actions=drop",
     "priority=32768,ip,dl_dst=00:00:00:00:00:01,nw_src=2.2.2.2,nw_dst=1.1.1.1,tun_id=0x1,ct_zone=1 actions=drop"},
    // protocol shorthands
    {"dl_type=0x88cc actions=drop", "priority=32768,dl_type=0x88cc actions=drop"},
    {"ip,nw_proto=47 actions=drop", "priority=32768,ip,nw_proto=47 actions=drop"},
    {"ipv6,nw_proto=6 actions=drop", "priority=32768,tcp6 actions=drop"},
    {"dl_type=0x0800,nw_proto=17 actions=drop", "priority=32768,udp actions=drop"},
    {"ip,tcp actions=drop", "priority=32768,tcp actions=drop"},
    // addresses
    {"ip,nw_src=10.0.0.0/8 actions=drop", "priority=32768,ip,nw_src=10.0.0.0/8 actions=drop"},
    {"ip,nw_src=10.0.0.1/32 actions=drop", "priority=32768,ip,nw_src=10.0.0.1 actions=drop"},
    {"ip,nw_dst=10.1.2.3/255.255.0.255 actions=drop", "priority=32768,ip,nw_dst=10.1.0.3/255.255.0.255 actions=drop"},
    {"ipv6,ipv6_src=2001:DB8:0:0::/32,ipv6_dst=fe80::1 actions=normal",
     "priority=32768,ipv6,ipv6_src=2001:db8::/32,ipv6_dst=fe80::1 actions=NORMAL"},
    {"ipv6,ipv6_dst=2001:db8::1/ffff:ffff::ffff actions=drop",
     "priority=32768,ipv6,ipv6_dst=2001:db8::1/ffff:ffff::ffff actions=drop"},
    {"dl_src=AA:BB:CC:DD:EE:FF,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop",
     "priority=32768,dl_src=aa:bb:cc:dd:ee:ff,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop"},
    // transport
    {"sctp,tp_src=1,tp_dst=2 actions=drop", "priority=32768,sctp,tp_src=1,tp_dst=2 actions=drop"},
    {"tcp,tp_dst=0x50/0xfff0 actions=drop", "priority=32768,tcp,tp_dst=80/0xfff0 actions=drop"},
    {"tcp,tcp_flags=+syn-ack actions=drop", "priority=32768,tcp,tcp_flags=+syn-ack actions=drop"},
    {"tcp,tcp_flags=-ack+syn+ns actions=drop", "priority=32768,tcp,tcp_flags=+syn-ack+ns actions=drop"},
    {"tcp,tcp_flags=0x002/0x012 actions=drop", "priority=32768,tcp,tcp_flags=+syn-ack actions=drop"},
    {"tcp,tcp_flags=0x800/0x800 actions=drop", "priority=32768,tcp,tcp_flags=0x800/0x800 actions=drop"},
    {"icmp,icmp_type=8,icmp_code=0 actions=drop", "priority=32768,icmp,icmp_type=8,icmp_code=0 actions=drop"},
    {"icmp6,icmpv6_type=135 actions=drop", "priority=32768,icmp6,icmp_type=135 actions=drop"},
    // VLAN
    {"dl_vlan=100,dl_vlan_pcp=3 actions=drop", "priority=32768,dl_vlan=100,dl_vlan_pcp=3 actions=drop"},
    {"vlan_tci=0x1064/0x1fff actions=drop", "priority=32768,dl_vlan=100 actions=drop"},
    {"vlan_tci=0x7064 actions=drop", "priority=32768,dl_vlan=100,dl_vlan_pcp=3 actions=drop"},
    {"vlan_tci=0x1000/0x1f00 actions=drop", "priority=32768,vlan_tci=0x1000/0x1f00 actions=drop"},
    {"vlan_tci=0x3000/0x3000 actions=drop", "priority=32768,vlan_tci=0x3000/0x3000 actions=drop"},
    // IP header
    {"ip,nw_tos=184,nw_ecn=3,nw_ttl=64 actions=drop", "priority=32768,ip,nw_tos=184,nw_ecn=3,nw_ttl=64 actions=drop"},
    {"ip,ip_dscp=46 actions=drop", "priority=32768,ip,nw_tos=184 actions=drop"},
    // tunnel and conntrack metadata
    {"tun_id=0x5,tun_src=1.1.1.1,tun_dst=2.2.2.0/24 actions=drop",
     "priority=32768,tun_id=0x5,tun_src=1.1.1.1,tun_dst=2.2.2.0/24 actions=drop"},
    {"tun_id=5/0xff actions=drop", "priority=32768,tun_id=0x5/0xff actions=drop"},
    {"ct_state=+trk+est-new,ct_zone=7,ct_mark=5/0xff actions=drop",
     "priority=32768,ct_state=-new+est+trk,ct_zone=7,ct_mark=5/0xff actions=drop"},
    {"ct_state=0x20/0x20,ct_mark=10 actions=drop", "priority=32768,ct_state=+trk,ct_mark=10 actions=drop"},
    // actions
    {"ip actions=push_vlan:0x8100,mod_vlan_vid:10,mod_vlan_pcp:5,pop_vlan,strip_vlan",
     "priority=32768,ip actions=push_vlan:0x8100,mod_vlan_vid:10,mod_vlan_pcp:5,pop_vlan,pop_vlan"},
    {"tcp actions=mod_dl_src:00:00:00:00:00:01,mod_dl_dst:00:00:00:00:00:02,mod_nw_src:1.2.3.4,"
     "mod_nw_dst:5.6.7.8,mod_tp_src:1,mod_tp_dst:2",
     "priority=32768,tcp actions=mod_dl_src:00:00:00:00:00:01,mod_dl_dst:00:00:00:00:00:02,mod_nw_src:1.2.3.4,"
     "mod_nw_dst:5.6.7.8,mod_tp_src:1,mod_tp_dst:2"},
    {"ip actions=mod_nw_tos:32,mod_nw_ecn:1,mod_nw_ttl:9,dec_ttl",
     "priority=32768,ip actions=mod_nw_tos:32,mod_nw_ecn:1,mod_nw_ttl:9,dec_ttl"},
    {"ip actions=set_field:46->ip_dscp,set_field:aa:bb:cc:dd:ee:ff->eth_src,set_field:1.2.3.4->ip_dst,"
     "set_field:80->tcp_dst",
     "priority=32768,ip actions=mod_nw_tos:184,mod_dl_src:aa:bb:cc:dd:ee:ff,mod_nw_dst:1.2.3.4,mod_tp_dst:80"},
    {"ip actions=set_field:0x1005->vlan_vid,set_field:5->vlan_vid,set_field:3->vlan_pcp",
     "priority=32768,ip actions=mod_vlan_vid:5,mod_vlan_vid:5,mod_vlan_pcp:3"},
    {"ipv6 actions=set_field:2001:db8::1->ipv6_src,set_tunnel:99,set_tunnel64:0x100,set_field:10.0.0.1->tun_dst,"
     "set_field:10.0.0.2->tun_src,output:vxlan0",
     "priority=32768,ipv6 actions=set_field:2001:db8::1->ipv6_src,set_field:0x63->tun_id,set_field:0x100->tun_id,"
     "set_field:10.0.0.1->tun_dst,set_field:10.0.0.2->tun_src,output:vxlan0"},
    {"ip actions=set_field:10.0.0.0/8->nw_src,set_field:0x5/0xff->tun_id,set_field:0/0xff00->tp_src",
     "priority=32768,ip actions=set_field:10.0.0.0/8->nw_src,set_field:0x5/0xff->tun_id,set_field:0/0xff00->tp_src"},
    {"icmp6 actions=set_field:1->icmp_type", "priority=32768,icmp6 actions=set_field:1->icmpv6_type"},
    {"icmp actions=set_field:3->icmp_code", "priority=32768,icmp actions=set_field:3->icmp_code"},
    {"ip actions=meter:3,ct,ct(),ct(commit),ct(zone=5,commit,table=2),ct_clear,goto_table:4,resubmit(,5)",
     "priority=32768,ip actions=meter:3,ct,ct,ct(commit),ct(commit,zone=5,table=2),ct_clear,goto_table:4,"
     "goto_table:5"},
    {"ip actions=output(port=uplink),LOCAL,local,web-1,normal",
     "priority=32768,ip actions=output:uplink,output:LOCAL,output:LOCAL,output:web-1,NORMAL"},
    // whitespace around separators
    {"  priority=1 ,  ip\t,\tnw_src=1.2.3.4   actions=  dec_ttl ,  output:a ,ct( commit , zone=1 ) ",
     "priority=1,ip,nw_src=1.2.3.4 actions=dec_ttl,output:a,ct(commit,zone=1)"},
};

TEST(PolicySyntaxRoundTrip, ParsesPrintsCanonicallyAndParsesBack) {
    for (const auto& c : kRoundTrips) {
        SCOPED_TRACE(c.input);
        const Flow first = parse_ok(c.input);
        const std::string printed = format_flow(first);
        EXPECT_EQ(printed, c.canonical);
        const Flow second = parse_ok(printed);
        EXPECT_EQ(second, first) << "reparsed from " << printed;
        EXPECT_EQ(format_flow(second), printed);
    }
}

// Cutting a rule anywhere must give a flow or an error inside the text.
TEST(PolicySyntaxRoundTrip, EveryPrefixOfEveryRuleParsesOrFailsCleanly) {
    for (const auto& c : kRoundTrips) {
        for (size_t n = 0; n <= c.input.size(); ++n) {
            const std::string_view text = c.input.substr(0, n);
            const auto parsed = parse_policy_flow(text);
            ASSERT_NE(parsed.flow.has_value(), parsed.error.has_value()) << text;
            if (parsed.flow) {
                EXPECT_EQ(parse_ok(format_flow(*parsed.flow)), *parsed.flow) << text;
                continue;
            }
            const auto& e = *parsed.error;
            EXPECT_FALSE(e.message.empty()) << text;
            if (text.empty()) continue;
            EXPECT_LT(e.offset, text.size()) << text;
            EXPECT_GE(e.length, 1u) << text;
            EXPECT_LE(e.offset + e.length, text.size()) << text;
        }
    }
}

// --- Canonical values ------------------------------------------------------

TEST(PolicySyntaxFields, FlowAttributes) {
    const Flow f = parse_ok("table=3,cookie=0xdeadbeef00,idle_timeout=10,hard_timeout=0x20,priority=0 actions=drop");
    EXPECT_EQ(f.table, 3);
    ASSERT_TRUE(f.cookie.has_value());
    EXPECT_EQ(*f.cookie, 0xdeadbeef00u);
    EXPECT_EQ(f.idle_timeout, 10);
    EXPECT_EQ(f.hard_timeout, 32);
    EXPECT_EQ(f.priority, 0);
    EXPECT_TRUE(f.match.empty());

    const Flow d = parse_ok("actions=drop");
    EXPECT_EQ(d.table, 0);
    EXPECT_EQ(d.priority, kDefaultPriority);
    EXPECT_FALSE(d.cookie.has_value());
}

TEST(PolicySyntaxFields, InPortIsAName) {
    EXPECT_EQ(parse_ok("in_port=pf0vf1 actions=drop").match.in_port, "pf0vf1");
    EXPECT_EQ(parse_ok("in_port=eth0.100 actions=drop").match.in_port, "eth0.100");
    EXPECT_EQ(parse_ok("in_port=local actions=drop").match.in_port, "LOCAL");
    // ovs-ofctl dump-flows quotes names that are not plain words.
    const Flow quoted = parse_ok(R"(in_port="v-web" actions=output:"v-api")");
    EXPECT_EQ(quoted.match.in_port, "v-web");
    EXPECT_EQ(std::get<flow::Output>(quoted.actions.at(0)).port, "v-api");
}

TEST(PolicySyntaxFields, Ethernet) {
    const Match m = parse_ok("dl_src=00:11:22:33:44:55,dl_dst=aa:00:00:00:00:00/ff:00:00:00:00:00 actions=drop").match;
    EXPECT_EQ(m.get(Field::EthSrc).value_uint(6), 0x001122334455u);
    EXPECT_EQ(m.get(Field::EthSrc).mask_uint(6), 0xffffffffffffu);
    EXPECT_EQ(m.get(Field::EthDst).value_uint(6), 0xaa0000000000u);
    EXPECT_EQ(m.get(Field::EthDst).mask_uint(6), 0xff0000000000u);
    EXPECT_EQ(parse_ok("ip actions=drop").match.get(Field::EthType).value_uint(2), 0x0800u);
    EXPECT_EQ(parse_ok("ipv6 actions=drop").match.get(Field::EthType).value_uint(2), 0x86ddu);
    EXPECT_EQ(parse_ok("arp actions=drop").match.get(Field::EthType).value_uint(2), 0x0806u);
    // Network byte order: 0x0800 is stored as 08 00.
    EXPECT_EQ(parse_ok("ip actions=drop").match.get(Field::EthType).value[0], 0x08);
}

TEST(PolicySyntaxFields, Vlan) {
    const Match m = parse_ok("dl_vlan=100,dl_vlan_pcp=5 actions=drop").match;
    EXPECT_EQ(m.get(Field::VlanVid).value_uint(2), 100u);
    EXPECT_TRUE(is_exact(Field::VlanVid, m.get(Field::VlanVid)));
    EXPECT_EQ(m.get(Field::VlanPcp).value_uint(1), 5u);
    EXPECT_TRUE(is_exact(Field::VlanPcp, m.get(Field::VlanPcp)));

    const Match tci = parse_ok("vlan_tci=0xa005/0xef0f actions=drop").match;  // pcp 5, vid 5 under 0xf0f
    EXPECT_EQ(tci.get(Field::VlanVid).value_uint(2), 0x005u);
    EXPECT_EQ(tci.get(Field::VlanVid).mask_uint(2), 0xf0fu);
    EXPECT_EQ(tci.get(Field::VlanPcp).value_uint(1), 5u);
    EXPECT_EQ(tci.get(Field::VlanPcp).mask_uint(1), 7u);

    EXPECT_EQ(parse_ok("vlan_vid=0x1fff actions=drop").match.get(Field::VlanVid).value_uint(2), 0xfffu);
    EXPECT_EQ(parse_ok("dl_vlan=0 actions=drop").match.get(Field::VlanVid).value_uint(2), 0u);
    EXPECT_FALSE(parse_ok("vlan_tci=0/0 actions=drop").match.has(Field::VlanVid));
}

TEST(PolicySyntaxFields, Ipv4) {
    const Match m = parse_ok("ip,nw_src=10.1.2.0/24,nw_dst=192.168.1.1/255.0.255.0 actions=drop").match;
    EXPECT_EQ(m.get(Field::Ipv4Src).value_uint(4), 0x0a010200u);
    EXPECT_EQ(m.get(Field::Ipv4Src).mask_uint(4), 0xffffff00u);
    EXPECT_EQ(prefix_length(Field::Ipv4Src, m.get(Field::Ipv4Src)), 24u);
    EXPECT_EQ(m.get(Field::Ipv4Dst).value_uint(4), 0xc0000100u);  // pre-masked
    EXPECT_EQ(m.get(Field::Ipv4Dst).mask_uint(4), 0xff00ff00u);
    // A /0 prefix matches everything, so nothing is stored.
    EXPECT_FALSE(parse_ok("ip,nw_src=1.2.3.4/0 actions=drop").match.has(Field::Ipv4Src));
}

TEST(PolicySyntaxFields, Ipv6) {
    const Match m = parse_ok("ipv6,ipv6_src=2001:db8::1/64,ipv6_dst=::1 actions=drop").match;
    const Masked& src = m.get(Field::Ipv6Src);
    const std::array<uint8_t, 4> head = {0x20, 0x01, 0x0d, 0xb8};
    for (size_t i = 0; i < head.size(); ++i) EXPECT_EQ(src.value[i], head[i]) << i;
    EXPECT_EQ(src.value[15], 0) << "the host part is masked away";
    for (size_t i = 0; i < 16; ++i) EXPECT_EQ(src.mask[i], i < 8 ? 0xff : 0x00) << i;
    EXPECT_EQ(m.get(Field::Ipv6Dst).value[15], 1);
    EXPECT_TRUE(is_exact(Field::Ipv6Dst, m.get(Field::Ipv6Dst)));
}

TEST(PolicySyntaxFields, IpHeader) {
    const Match m = parse_ok("ip,nw_proto=47,nw_tos=184,nw_ecn=2,nw_ttl=64 actions=drop").match;
    EXPECT_EQ(m.get(Field::IpProto).value_uint(1), 47u);
    EXPECT_EQ(m.get(Field::IpDscp).value_uint(1), 46u) << "nw_tos is stored as DSCP (tos >> 2)";
    EXPECT_TRUE(is_exact(Field::IpDscp, m.get(Field::IpDscp)));
    EXPECT_EQ(m.get(Field::IpEcn).value_uint(1), 2u);
    EXPECT_EQ(m.get(Field::IpTtl).value_uint(1), 64u);
    EXPECT_EQ(parse_ok("ipv6,ip_dscp=63 actions=drop").match.get(Field::IpDscp).value_uint(1), 63u);
    EXPECT_EQ(parse_ok("tcp actions=drop").match.get(Field::IpProto).value_uint(1), 6u);
    EXPECT_EQ(parse_ok("sctp6 actions=drop").match.get(Field::IpProto).value_uint(1), 132u);
    EXPECT_EQ(parse_ok("icmp6 actions=drop").match.get(Field::IpProto).value_uint(1), 58u);
}

TEST(PolicySyntaxFields, Transport) {
    const Match m = parse_ok("udp,tp_src=0x35,tp_dst=4789/0xff00 actions=drop").match;
    EXPECT_EQ(m.get(Field::TpSrc).value_uint(2), 53u);
    EXPECT_EQ(m.get(Field::TpSrc).mask_uint(2), 0xffffu);
    EXPECT_EQ(m.get(Field::TpDst).value_uint(2), 4789u & 0xff00u);
    EXPECT_EQ(m.get(Field::TpDst).mask_uint(2), 0xff00u);

    const Match flags = parse_ok("tcp,tcp_flags=+syn-ack-rst+cwr actions=drop").match;
    EXPECT_EQ(flags.get(Field::TcpFlags).value_uint(2), 0x082u);
    EXPECT_EQ(flags.get(Field::TcpFlags).mask_uint(2), 0x096u);
    const Match numeric = parse_ok("tcp,tcp_flags=0x2 actions=drop").match;
    EXPECT_TRUE(is_exact(Field::TcpFlags, numeric.get(Field::TcpFlags)));

    const Match icmp = parse_ok("icmp,icmp_type=3,icmp_code=1 actions=drop").match;
    EXPECT_EQ(icmp.get(Field::IcmpType).value_uint(1), 3u);
    EXPECT_EQ(icmp.get(Field::IcmpCode).value_uint(1), 1u);
}

TEST(PolicySyntaxFields, TunnelAndConntrack) {
    const Match m = parse_ok("tun_id=0x1234567890/0xffffffffff,tun_src=1.2.3.4/16,tun_dst=5.6.7.8 actions=drop").match;
    EXPECT_EQ(m.get(Field::TunId).value_uint(8), 0x1234567890u);
    EXPECT_EQ(m.get(Field::TunId).mask_uint(8), 0xffffffffffu);
    EXPECT_EQ(m.get(Field::TunSrc).value_uint(4), 0x01020000u);
    EXPECT_EQ(m.get(Field::TunSrc).mask_uint(4), 0xffff0000u);
    EXPECT_EQ(m.get(Field::TunDst).value_uint(4), 0x05060708u);

    const Match ct = parse_ok("ct_state=+trk-inv,ct_zone=7,ct_mark=0x10/0xf0 actions=drop").match;
    EXPECT_EQ(ct.get(Field::CtState).value_uint(4), uint64_t{kCtTrk});
    EXPECT_EQ(ct.get(Field::CtState).mask_uint(4), uint64_t{kCtTrk | kCtInv});
    EXPECT_EQ(ct.get(Field::CtZone).value_uint(2), 7u);
    EXPECT_TRUE(is_exact(Field::CtZone, ct.get(Field::CtZone)));
    EXPECT_EQ(ct.get(Field::CtMark).value_uint(4), 0x10u);
    EXPECT_EQ(ct.get(Field::CtMark).mask_uint(4), 0xf0u);
    const Match all = parse_ok("ct_state=+new+est+rel+rpl+inv+trk+snat+dnat actions=drop").match;
    EXPECT_EQ(all.get(Field::CtState).value_uint(4), 0xffu);
}

// Every name a field is known by reads the same as its ovs-ofctl name.
TEST(PolicySyntaxFields, AliasesMatchTheOfctlName) {
    const std::pair<std::string_view, std::string_view> aliases[] = {
        {"eth_src=00:00:00:00:00:01", "dl_src=00:00:00:00:00:01"},
        {"eth_dst=00:00:00:00:00:01", "dl_dst=00:00:00:00:00:01"},
        {"eth_type=0x88cc", "dl_type=0x88cc"},
        {"vlan_vid=0x1005", "dl_vlan=5"},
        {"vlan_tci=0x1005/0x1fff", "dl_vlan=5"},
        {"vlan_pcp=2", "dl_vlan_pcp=2"},
        {"ip,ip_src=1.2.3.4", "ip,nw_src=1.2.3.4"},
        {"ip,ipv4_src=1.2.3.4", "ip,nw_src=1.2.3.4"},
        {"ip,ip_dst=1.2.3.4", "ip,nw_dst=1.2.3.4"},
        {"ip,ipv4_dst=1.2.3.4", "ip,nw_dst=1.2.3.4"},
        {"ip,ip_proto=47", "ip,nw_proto=47"},
        {"ip,ip_dscp=10", "ip,nw_tos=40"},
        {"ip,ip_ecn=1", "ip,nw_ecn=1"},
        {"ip,ip_ttl=9", "ip,nw_ttl=9"},
        {"tcp,tcp_src=1,tcp_dst=2", "tcp,tp_src=1,tp_dst=2"},
        {"udp,udp_src=1,udp_dst=2", "udp,tp_src=1,tp_dst=2"},
        {"sctp,sctp_src=1,sctp_dst=2", "sctp,tp_src=1,tp_dst=2"},
        {"icmp6,icmpv6_type=1,icmpv6_code=2", "icmp6,icmp_type=1,icmp_code=2"},
        {"tunnel_id=0x9", "tun_id=9"},
        {"dl_type=0x0800,nw_proto=6", "tcp"},
        {"dl_type=0x86dd,nw_proto=58", "icmp6"},
    };
    for (const auto& [alias, ofctl] : aliases) {
        SCOPED_TRACE(alias);
        EXPECT_EQ(parse_ok(std::string(alias) + " actions=drop"), parse_ok(std::string(ofctl) + " actions=drop"));
    }
}

// snoc's canonical field names (NIC profiles, reasons) are accepted too.
TEST(PolicySyntaxFields, CanonicalNamesAreAccepted) {
    for (const auto& info : all_fields()) {
        const std::string rule = "ipv6," + std::string(info.name) + "=x actions=drop";
        const auto parsed = parse_policy_flow(rule);
        ASSERT_TRUE(parsed.error.has_value()) << rule;
        EXPECT_THAT(parsed.error->message, ::testing::Not(HasSubstr("unknown field"))) << rule;
    }
}

// --- Actions -------------------------------------------------------------

TEST(PolicySyntaxActions, EachActionParsesToItsCanonicalValue) {
    EXPECT_EQ(only_action<Output>(parse_ok("actions=output:uplink")).port, "uplink");
    EXPECT_EQ(only_action<Output>(parse_ok("actions=output(port=vm1)")).port, "vm1");
    EXPECT_EQ(only_action<Output>(parse_ok("actions=vxlan0")).port, "vxlan0");
    EXPECT_EQ(only_action<Output>(parse_ok("actions=output:LOCAL")).port, "LOCAL");
    only_action<Drop>(parse_ok("actions=drop"));
    only_action<Normal>(parse_ok("actions=normal"));
    only_action<Normal>(parse_ok("actions=NORMAL"));
    EXPECT_EQ(only_action<PushVlan>(parse_ok("actions=push_vlan:0x8100")).tpid, 0x8100);
    EXPECT_EQ(only_action<PushVlan>(parse_ok("actions=push_vlan:0x88a8")).tpid, 0x88a8);
    only_action<PopVlan>(parse_ok("actions=pop_vlan"));
    only_action<PopVlan>(parse_ok("actions=strip_vlan"));
    EXPECT_EQ(only_action<SetVlanVid>(parse_ok("actions=mod_vlan_vid:4095")).vid, 4095);
    EXPECT_EQ(only_action<SetVlanVid>(parse_ok("actions=set_field:0x1064->vlan_vid")).vid, 100);
    EXPECT_EQ(only_action<SetVlanVid>(parse_ok("actions=set_field:100->vlan_vid")).vid, 100);
    EXPECT_EQ(only_action<SetVlanPcp>(parse_ok("actions=mod_vlan_pcp:7")).pcp, 7);
    EXPECT_EQ(only_action<SetVlanPcp>(parse_ok("actions=set_field:6->vlan_pcp")).pcp, 6);
    only_action<DecTtl>(parse_ok("actions=dec_ttl"));
    EXPECT_EQ(only_action<Meter>(parse_ok("actions=meter:4294967295")).id, 4294967295u);
    only_action<CtClear>(parse_ok("actions=ct_clear"));
    EXPECT_EQ(only_action<GotoTable>(parse_ok("actions=goto_table:254")).table, 254);
    EXPECT_EQ(only_action<GotoTable>(parse_ok("actions=resubmit(,7)")).table, 7);

    const Ct plain = only_action<Ct>(parse_ok("ip actions=ct"));
    EXPECT_EQ(plain, Ct{});
    const Ct full = only_action<Ct>(parse_ok("ip actions=ct(table=2,zone=9,commit)"));
    EXPECT_TRUE(full.commit);
    EXPECT_EQ(full.zone, 9);
    EXPECT_EQ(full.table, std::optional<uint8_t>(2));
}

TEST(PolicySyntaxActions, SetFieldValues) {
    auto set = [](std::string_view rule) { return only_action<SetField>(parse_ok(rule)); };

    const SetField mac = set("actions=mod_dl_src:00:11:22:33:44:55");
    EXPECT_EQ(mac.field, Field::EthSrc);
    EXPECT_EQ(mac.value.value_uint(6), 0x001122334455u);
    EXPECT_TRUE(is_exact(Field::EthSrc, mac.value));
    EXPECT_EQ(set("actions=mod_dl_dst:00:00:00:00:00:02").field, Field::EthDst);

    const SetField ip = set("ip actions=mod_nw_dst:10.0.0.1");
    EXPECT_EQ(ip.field, Field::Ipv4Dst);
    EXPECT_EQ(ip.value.value_uint(4), 0x0a000001u);
    EXPECT_TRUE(is_exact(Field::Ipv4Dst, ip.value));
    EXPECT_EQ(set("ip actions=mod_nw_src:10.0.0.1").field, Field::Ipv4Src);

    const SetField port = set("tcp actions=mod_tp_dst:8080");
    EXPECT_EQ(port.field, Field::TpDst);
    EXPECT_EQ(port.value.value_uint(2), 8080u);
    EXPECT_EQ(set("tcp actions=mod_tp_src:1").field, Field::TpSrc);

    const SetField tos = set("ip actions=mod_nw_tos:184");
    EXPECT_EQ(tos.field, Field::IpDscp);
    EXPECT_EQ(tos.value.value_uint(1), 46u);
    EXPECT_TRUE(is_exact(Field::IpDscp, tos.value));
    EXPECT_EQ(set("ip actions=mod_nw_ecn:3").value.value_uint(1), 3u);
    EXPECT_EQ(set("ip actions=mod_nw_ttl:200").field, Field::IpTtl);

    const SetField tunnel = set("actions=set_tunnel:0x10");
    EXPECT_EQ(tunnel.field, Field::TunId);
    EXPECT_EQ(tunnel.value.value_uint(8), 16u);
    EXPECT_TRUE(is_exact(Field::TunId, tunnel.value));
    EXPECT_EQ(set("actions=set_tunnel64:0xffffffffffffffff").value.value_uint(8), ~uint64_t{0});

    const SetField masked = set("actions=set_field:0x5/0xff->tun_id");
    EXPECT_EQ(masked.value.mask_uint(8), 0xffu);
    EXPECT_FALSE(is_exact(Field::TunId, masked.value));

    const SetField v6 = set("ipv6 actions=set_field:::1->ipv6_dst");
    EXPECT_EQ(v6.field, Field::Ipv6Dst);
    EXPECT_EQ(v6.value.value[15], 1);

    EXPECT_EQ(set("actions=set_field:1.2.3.4->tun_dst").field, Field::TunDst);
    EXPECT_EQ(set("actions=set_field:1.2.3.4->tun_src").field, Field::TunSrc);
    EXPECT_EQ(set("icmp actions=set_field:3->icmp_type").field, Field::IcmpType);
}

TEST(PolicySyntaxActions, ActionListKeepsOrder) {
    const Flow f = parse_ok("ip actions=dec_ttl,push_vlan:0x8100,output:a,output:b");
    ASSERT_EQ(f.actions.size(), 4u);
    EXPECT_TRUE(std::holds_alternative<DecTtl>(f.actions[0]));
    EXPECT_TRUE(std::holds_alternative<PushVlan>(f.actions[1]));
    EXPECT_EQ(std::get<Output>(f.actions[2]).port, "a");
    EXPECT_EQ(std::get<Output>(f.actions[3]).port, "b");
}

// --- Rejections ----------------------------------------------------------

struct RejectCase {
    std::string_view input;
    std::string_view span;     // the text the error points at
    std::string_view message;  // a substring of the message
};

constexpr RejectCase kRejections[] = {
    // values
    {"ip,nw_src=10.0.0.300 actions=drop", "10.0.0.300",
     "expected an IPv4 address or prefix for nw_src, got \"10.0.0.300\""},
    {"ip,nw_src=10.0.0.0/33 actions=drop", "33", "prefix length of nw_src must be 0..32"},
    {"ip,nw_dst=10.0.0.0/255.0.x.0 actions=drop", "255.0.x.0", "expected a prefix length 0..32 or a dotted mask"},
    {"ipv6,ipv6_src=2001:db8::g actions=drop", "2001:db8::g", "expected an IPv6 address or prefix for ipv6_src"},
    {"ipv6,ipv6_dst=::/129 actions=drop", "129", "prefix length of ipv6_dst must be 0..128"},
    {"dl_src=00:11:22:33:44 actions=drop", "00:11:22:33:44", "expected a MAC address"},
    {"dl_dst=00:11:22:33:44:55/ff actions=drop", "ff", "expected a MAC mask"},
    {"tcp,tp_dst=65536 actions=drop", "65536", "tp_dst must be 0..65535"},
    {"tcp,tp_dst=http actions=drop", "http", "expected a decimal or 0x hex number for tp_dst, got \"http\""},
    {"tcp,tp_dst=080 actions=drop", "080", "octal"},
    {"tcp,tp_dst=80/0x10000 actions=drop", "0x10000", "mask of tp_dst must be 0..65535"},
    {"dl_vlan=4096 actions=drop", "4096", "dl_vlan must be 0..4095"},
    {"dl_vlan=0xffff actions=drop", "0xffff", "matching untagged frames is not supported"},
    {"vlan_tci=0x0000 actions=drop", "0x0000", "matching untagged frames is not supported"},
    {"vlan_tci=0x0005/0x1fff actions=drop", "0x0005/0x1fff", "matching untagged frames is not supported"},
    {"vlan_tci=0/0x0fff actions=drop", "0/0x0fff", "also matches untagged frames"},
    {"vlan_tci=0x1000/0x1000 actions=drop", "0x1000/0x1000", "any tagged frame"},
    {"vlan_vid=5 actions=drop", "5", "matching untagged frames is not supported"},
    {"dl_vlan_pcp=8 actions=drop", "8", "dl_vlan_pcp must be 0..7"},
    {"ip,nw_ecn=4 actions=drop", "4", "nw_ecn must be 0..3"},
    {"ip,ip_dscp=64 actions=drop", "64", "ip_dscp must be 0..63"},
    {"ip,nw_tos=3 actions=drop", "3", "low (ECN) bits clear"},
    {"ip,nw_tos=256 actions=drop", "256", "nw_tos must be 0..255"},
    {"ip,nw_ttl=256 actions=drop", "256", "nw_ttl must be 0..255"},
    {"tcp,tcp_flags=+syn+bogus actions=drop", "+bogus", "unknown tcp_flags flag \"bogus\""},
    {"tcp,tcp_flags=0x1000 actions=drop", "0x1000", "tcp_flags must be 0..4095"},
    {"ct_state=+trk+trk actions=drop", "+trk", "given twice"},
    {"ct_state=trk actions=drop", "trk", "expected ct_state as +flag-flag"},
    {"ct_zone=65536 actions=drop", "65536", "ct_zone must be 0..65535"},
    {"tun_id=0x10000000000000000 actions=drop", "0x10000000000000000", "tun_id must be 0.."},
    // masks where ovs-ofctl takes none
    {"ip,nw_proto=6/0xff actions=drop", "0xff", "nw_proto does not take a mask"},
    {"ct_zone=1/1 actions=drop", "1", "ct_zone does not take a mask"},
    {"dl_vlan=5/0xfff actions=drop", "0xfff", "dl_vlan does not take a mask"},
    {"dl_type=0x800/0xff00 actions=drop", "0xff00", "dl_type does not take a mask"},
    {"cookie=0x1/0xff actions=drop", "0x1/0xff", "cookie does not take a mask"},
    // duplicates and conflicts
    {"ip,nw_src=1.1.1.1,nw_src=2.2.2.2 actions=drop", "nw_src=2.2.2.2", "nw_src already set"},
    {"ip,ip_src=1.1.1.1,nw_src=2.2.2.2 actions=drop", "nw_src=2.2.2.2", "nw_src already set"},
    {"dl_vlan=1,vlan_tci=0x1002 actions=drop", "vlan_tci=0x1002", "dl_vlan already set"},
    {"ip,ipv6 actions=drop", "ipv6", "dl_type already set"},
    {"ip,dl_type=0x86dd actions=drop", "dl_type=0x86dd", "dl_type already set"},
    {"dl_type=0x800,dl_type=0x800 actions=drop", "dl_type=0x800", "dl_type already set"},
    {"tcp,udp actions=drop", "udp", "nw_proto already set"},
    {"ipv6,tcp actions=drop", "tcp", "dl_type already set"},
    {"priority=1,priority=2 actions=drop", "priority=2", "priority given twice"},
    {"in_port=a,in_port=b actions=drop", "in_port=b", "in_port given twice"},
    // attributes
    {"table=255 actions=drop", "255", "table must be 0..254"},
    {"priority=65536 actions=drop", "65536", "priority must be 0..65535"},
    {"idle_timeout=-1 actions=drop", "-1", "expected a decimal or 0x hex number for idle_timeout"},
    // structure
    {"priority=1", "priority=1", "missing actions="},
    {"ip,nw_src=1.2.3.4", "nw_src=1.2.3.4", "missing actions="},
    {"ip actions=", "actions=", "actions= is empty; write actions=drop to drop"},
    {"ip actions= , ", "actions=", "actions= is empty"},
    {"foo=1 actions=drop", "foo", "unknown field \"foo\""},
    {"ip,frob actions=drop", "frob", "unknown keyword \"frob\""},
    {"ip,nw_src actions=drop", "nw_src", "expected nw_src=VALUE"},
    {"ip,nw_src= actions=drop", "nw_src=", "expected a value after nw_src="},
    {"=5 actions=drop", "=5", "expected a field name before ="},
    // ports
    {"in_port=1 actions=drop", "1", "name a workload, NIC uplink or tunnel port"},
    {"in_port=ALL actions=drop", "ALL", "not supported by snoc policies"},
    {"in_port=we!b actions=drop", "we!b", "expected a port name"},
    {"ip actions=output:2", "2", "port number"},
    {"ip actions=3", "3", "port number"},
    {"ip actions=output:FLOOD", "FLOOD", "reserved OpenFlow port FLOOD is not supported by snoc policies"},
    {"ip actions=controller", "controller", "reserved OpenFlow port CONTROLLER"},
    {"ip actions=IN_PORT", "IN_PORT", "reserved OpenFlow port IN_PORT"},
    {"ip actions=output:NORMAL", "NORMAL", "write the action normal"},
    {"ip actions=output(port=1)", "1", "port number"},
    {"ip actions=output(port=a,max_len=64)", "max_len=64", "max_len is not supported"},
    // prerequisites
    {"nw_src=1.2.3.4 actions=drop", "nw_src=1.2.3.4", "nw_src requires ip"},
    {"ipv6,nw_dst=1.2.3.4 actions=drop", "nw_dst=1.2.3.4", "nw_dst requires ip"},
    {"ip,ipv6_src=::1 actions=drop", "ipv6_src=::1", "ipv6_src requires ipv6"},
    {"tp_dst=80 actions=drop", "tp_dst=80", "tp_dst requires tcp, udp or sctp"},
    {"ip,tp_dst=80 actions=drop", "tp_dst=80", "tp_dst requires tcp, udp or sctp"},
    {"nw_tos=8 actions=drop", "nw_tos=8", "nw_tos requires ip or ipv6"},
    {"udp,tcp_flags=+syn actions=drop", "tcp_flags=+syn", "tcp_flags requires tcp"},
    {"ip,icmp_type=8 actions=drop", "icmp_type=8", "icmp_type requires icmp or icmp6"},
    {"tcp,udp_dst=53 actions=drop", "udp_dst=53", "udp_dst requires udp (nw_proto=17)"},
    {"icmp,icmpv6_type=1 actions=drop", "icmpv6_type=1", "icmpv6_type requires icmp6"},
    // actions
    {"ip actions=frob:1", "frob", "unknown action \"frob\"; supported: output:PORT, drop, normal"},
    {"ip actions=frob(1)", "frob", "unknown action \"frob\""},
    {"ip actions=a=b", "a=b", "unknown action \"a=b\""},
    {"ip actions=drop,output:a", "drop", "drop must be the only action"},
    {"ip actions=output:a,drop", "drop", "drop must be the only action"},
    {"ip actions=drop:1", "drop:1", "drop takes no argument"},
    {"ip actions=output", "output", "expected output:PORT"},
    {"ip actions=ct(nat)", "nat", "ct nat is not supported yet"},
    {"ip actions=ct(commit,nat(src=1.2.3.4))", "nat(src=1.2.3.4)", "ct nat is not supported yet"},
    {"ip actions=ct(commit,exec(set_field:1->ct_mark))", "exec(set_field:1->ct_mark)", "unknown ct argument"},
    {"ip actions=ct(zone=70000)", "70000", "ct zone must be 0..65535"},
    {"ip actions=ct(table=255)", "255", "ct table must be 0..254"},
    {"ip actions=ct(commit,commit)", "commit", "ct commit given twice"},
    {"ip actions=ct(commit", "(", "missing ) to close this ("},
    {"ip actions=output:a)", ")", "unexpected ) without a matching ("},
    {"ip actions=ct(commit)x", "x", "unexpected text after )"},
    {"ip actions=resubmit:2", "resubmit:2", "resubmit to a port is not supported"},
    {"ip actions=resubmit(web,2)", "resubmit(web,2)", "resubmit to a port is not supported"},
    {"ip actions=goto_table:255", "255", "goto_table must be 0..254"},
    {"ip actions=push_vlan:0x0800", "0x0800", "push_vlan takes the TPID 0x8100 or 0x88a8"},
    {"ip actions=mod_vlan_vid:4096", "4096", "mod_vlan_vid must be 0..4095"},
    {"ip actions=mod_vlan_pcp:8", "8", "mod_vlan_pcp must be 0..7"},
    {"ip actions=mod_nw_src:1.2.3.4/8", "8", "mod_nw_src does not take a mask"},
    {"ip actions=mod_nw_tos:1", "1", "low (ECN) bits clear"},
    {"ip actions=meter:4294967296", "4294967296", "meter must be 0..4294967295"},
    {"ip actions=set_field:1->eth_type", "eth_type", "read-only"},
    {"ip actions=set_field:1->ct_mark", "ct_mark", "read-only"},
    {"ip actions=set_field:0x1005->vlan_tci", "vlan_tci", "can only be matched"},
    {"ip actions=set_field:1->bogus", "bogus", "unknown field \"bogus\" in set_field"},
    {"ip actions=set_field:1.2.3.4", "set_field:1.2.3.4", "expected set_field:VALUE->FIELD"},
    {"ip actions=set_field:->nw_src", "set_field:->nw_src", "expected a value before ->"},
    {"ip actions=set_field:1.2.3.4/0->nw_src", "1.2.3.4/0", "all-zero mask"},
    {"ip actions=set_field:1.2.3.4/8->nw_ttl", "8", "nw_ttl does not take a mask"},
    {"ip actions=set_field:0x2000->vlan_vid", "0x2000", "vlan_vid must be 0..8191"},
    {"ip actions=tunnel_encap(type=vxlan)", "tunnel_encap(type=vxlan)", "made by snoc"},
};

TEST(PolicySyntaxRejections, EachRejectionPointsAtTheProblem) {
    for (const auto& c : kRejections) {
        SCOPED_TRACE(c.input);
        const SyntaxError e = parse_error(c.input);
        EXPECT_THAT(e.message, HasSubstr(std::string(c.message)));
        const size_t expected_offset = c.input.rfind(c.span);
        ASSERT_NE(expected_offset, std::string_view::npos) << "bad test: span not in input";
        // rfind: every span above is the last occurrence of its text in the rule.
        EXPECT_EQ(e.offset, expected_offset) << e.message;
        EXPECT_EQ(e.length, c.span.size()) << e.message;
    }
}

TEST(PolicySyntaxRejections, ErrorOffsetsAreBytes) {
    const SyntaxError e = parse_error("ip,nw_src=10.0.0.300 actions=drop");
    EXPECT_EQ(e.offset, 10u);
    EXPECT_EQ(e.length, 10u);
    const SyntaxError p = parse_error("tp_dst=80 actions=drop");
    EXPECT_EQ(p.offset, 0u);
    EXPECT_EQ(p.length, 9u);
}

TEST(PolicySyntaxRejections, EmptyAndBlankInput) {
    const SyntaxError empty = parse_error("");
    EXPECT_THAT(empty.message, HasSubstr("missing actions="));
    EXPECT_EQ(empty.offset, 0u);
    EXPECT_EQ(empty.length, 0u);
    const SyntaxError blank = parse_error("   ");
    EXPECT_THAT(blank.message, HasSubstr("missing actions="));
    EXPECT_GE(blank.length, 1u);
}

TEST(PolicySyntaxRejections, BinaryGarbageIsRejectedNotCrashed) {
    static constexpr char kGarbage[] = "ip,\xff\x00\x01=\x80 actions=\x7f(";
    const std::string garbage(kGarbage, sizeof kGarbage - 1);  // keeps the NUL byte inside
    ASSERT_EQ(garbage.size(), 19u);
    const SyntaxError e = parse_error(garbage);
    EXPECT_FALSE(e.message.empty());
    EXPECT_LT(e.offset, garbage.size());
    EXPECT_LE(e.offset + e.length, garbage.size());
}

// --- Printing ------------------------------------------------------------

TEST(PolicySyntaxFormat, EmptyActionListPrintsDrop) {
    Flow f;
    EXPECT_EQ(format_flow(f), "priority=32768 actions=drop");
    EXPECT_EQ(format_actions({}), "drop");
    EXPECT_EQ(format_actions({Drop{}}), "drop");
}

TEST(PolicySyntaxFormat, SingleActions) {
    EXPECT_EQ(format_action(Output{"uplink"}), "output:uplink");
    EXPECT_EQ(format_action(Normal{}), "NORMAL");
    EXPECT_EQ(format_action(PushVlan{0x88a8}), "push_vlan:0x88a8");
    EXPECT_EQ(format_action(SetVlanVid{12}), "mod_vlan_vid:12");
    EXPECT_EQ(format_action(SetVlanPcp{1}), "mod_vlan_pcp:1");
    EXPECT_EQ(format_action(Meter{9}), "meter:9");
    EXPECT_EQ(format_action(Ct{}), "ct");
    EXPECT_EQ(format_action(Ct{true, 0, std::nullopt}), "ct(commit)");
    EXPECT_EQ(format_action(Ct{false, 3, uint8_t{1}}), "ct(zone=3,table=1)");
    EXPECT_EQ(format_action(GotoTable{2}), "goto_table:2");
    EXPECT_EQ(format_action(SetField{Field::IpTtl, Masked::from_uint(7, 0xff, 1)}), "mod_nw_ttl:7");
    EXPECT_EQ(format_action(SetField{Field::TunId, Masked::from_uint(7, ~uint64_t{0}, 8)}), "set_field:0x7->tun_id");
}

TEST(PolicySyntaxFormat, LoweredTunnelActionsAreReadable) {
    TunnelEncap encap;
    encap.type = TunnelType::Vxlan;
    encap.id = 42;
    encap.src = {10, 0, 0, 1};
    encap.dst = {10, 0, 0, 2};
    encap.dst_port = 4789;
    encap.port = "vxlan0";
    EXPECT_EQ(format_action(encap), "tunnel_encap(type=vxlan,id=42,src=10.0.0.1,dst=10.0.0.2,dst_port=4789,port=vxlan0)");
    EXPECT_EQ(format_action(TunnelDecap{}), "tunnel_decap");
}

TEST(PolicySyntaxFormat, FieldsOnTheirOwn) {
    EXPECT_EQ(format_field(Field::Ipv4Src, Masked::from_uint(0x0a000000, 0xff000000, 4)), "nw_src=10.0.0.0/8");
    EXPECT_EQ(format_field(Field::Ipv4Dst, Masked::from_uint(0x0a000001, 0xff00ff00, 4)),
              "nw_dst=10.0.0.0/255.0.255.0");
    EXPECT_EQ(format_field(Field::EthType, Masked::from_uint(0x0800, 0xffff, 2)), "dl_type=0x0800");
    EXPECT_EQ(format_field(Field::TpDst, Masked::from_uint(80, 0xffff, 2)), "tp_dst=80");
    EXPECT_EQ(format_field(Field::TpDst, Masked::from_uint(0x5000, 0xff00, 2)), "tp_dst=20480/0xff00");
    EXPECT_EQ(format_field(Field::IpDscp, Masked::from_uint(46, 0x3f, 1)), "nw_tos=184");
    EXPECT_EQ(format_field(Field::VlanVid, Masked::from_uint(5, 0xfff, 2)), "dl_vlan=5");
    EXPECT_EQ(format_field(Field::VlanVid, Masked::from_uint(5, 0x00f, 2)), "vlan_tci=0x1005/0x100f");
    EXPECT_EQ(format_field(Field::TcpFlags, Masked::from_uint(0x002, 0x012, 2)), "tcp_flags=+syn-ack");
    EXPECT_EQ(format_field(Field::CtState, Masked::from_uint(kCtTrk | kCtEst, kCtTrk | kCtEst | kCtNew, 4)),
              "ct_state=-new+est+trk");
    EXPECT_EQ(format_field(Field::EthSrc, Masked::from_uint(0x0a0b0c0d0e0f, 0xffffffffffff, 6)),
              "dl_src=0a:0b:0c:0d:0e:0f");
}

// A match built in code (not by the parser) with partial VLAN masks prints as
// vlan_tci and reads back the same.
TEST(PolicySyntaxFormat, HandBuiltMatchRoundTrips) {
    Flow f;
    f.priority = 10;
    f.match.in_port = "uplink";
    f.match.set_exact_uint(Field::EthType, 0x0800);
    f.match.set_exact_uint(Field::IpProto, 6);
    f.match.set(Field::VlanVid, Masked::from_uint(0x100, 0xf00, 2));
    f.match.set(Field::VlanPcp, Masked::from_uint(4, 4, 1));
    f.match.set(Field::TcpFlags, Masked::from_uint(0x002, 0x002, 2));
    f.actions = {Output{"vm1"}, Ct{true, 5, uint8_t{3}}};
    const std::string text = format_flow(f);
    EXPECT_EQ(text, "priority=10,in_port=uplink,tcp,vlan_tci=0x9100/0x9f00,tcp_flags=+syn actions=output:vm1,"
                    "ct(commit,zone=5,table=3)");
    EXPECT_EQ(parse_ok(text), f);
}

}  // namespace
}  // namespace snoc::flow
