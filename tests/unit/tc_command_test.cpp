// tc_command(): a TcRule as the iproute2 `tc filter add ... flower ...` an
// operator would type. Each expectation spells what iproute2's parsers read
// (tc/f_flower.c, m_mirred.c, m_vlan.c, m_pedit.c, m_police.c, m_ct.c,
// m_tunnel_key.c) for the rule's key or action.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "flow/policy_syntax.h"
#include "offload/tc/flower_actions.h"
#include "offload/tc/tc_command.h"

namespace snoc::offload::tc {
namespace {

constexpr uint64_t kCookie = 0x5c0c00000000beefULL;

TcRule rule_of(const std::string& text, SkipPolicy skip = SkipPolicy::SkipSw, uint64_t cookie = kCookie) {
    auto parsed = flow::parse_policy_flow(text);
    EXPECT_TRUE(parsed.flow) << text << ": " << (parsed.error ? parsed.error->message : "");
    TcRule r;
    r.dev = "rep0";
    if (!parsed.flow) return r;
    r.flow = *parsed.flow;
    r.flow.match.in_port.reset();
    r.chain = r.flow.table;
    r.prio = prio_for(r.flow.priority);
    r.cookie = cookie;
    r.handle = handle_for(cookie);
    r.skip = skip;
    return r;
}

TranslateContext context_with_meters() {
    TranslateContext ctx;
    ctx.meters[3] = MeterRate{10000, 1000};    // 1000 kbit = 125000 bytes of burst
    ctx.meters[4] = MeterRate{100000, 0};      // no burst: 100 ms of 12.5 MB/s
    ctx.meters[5] = MeterRate{1000, 8};        // 1000 bytes: below the floor of eight 2047-byte frames
    return ctx;
}

std::string cmd(const std::string& text, SkipPolicy skip = SkipPolicy::SkipSw) {
    return tc_command(rule_of(text, skip), context_with_meters());
}

// The words of a command, split on spaces.
std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// The word after the first occurrence of `key`, "" when there is none.
std::string after(const std::string& s, const std::string& key) {
    const auto w = words(s);
    for (size_t i = 0; i + 1 < w.size(); ++i) {
        if (w[i] == key) return w[i + 1];
    }
    return "";
}

size_t count(const std::string& s, const std::string& needle) {
    size_t n = 0;
    for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
    return n;
}

// The actions of a command, each "KIND ARGS..." without the leading "action".
std::vector<std::string> actions(const std::string& s) {
    std::vector<std::string> out;
    size_t at = s.find(" action ");
    while (at != std::string::npos) {
        const size_t start = at + 8;
        const size_t next = s.find(" action ", start);
        out.push_back(s.substr(start, next == std::string::npos ? std::string::npos : next - start));
        at = next;
    }
    return out;
}

std::string cookie_hex(uint64_t cookie) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(cookie));
    return std::string("736e6f63") + buf;  // "snoc" in ASCII, then the cookie big-endian
}

TEST(TcCommand, HeaderNamesDeviceProtocolChainPreferenceAndHandle) {
    const TcRule r = rule_of("table=2,priority=100,ip actions=output:rep1");
    const std::string c = tc_command(r, {});
    char handle[16];
    std::snprintf(handle, sizeof handle, "0x%x", handle_for(kCookie));
    const std::string want = "tc filter add dev rep0 ingress protocol ip chain 2 pref " +
                             std::to_string(65535 - 100) + " handle " + handle + " flower skip_sw";
    EXPECT_EQ(c.substr(0, want.size()), want) << c;
}

TEST(TcCommand, ProtocolWordFollowsTheEthertype) {
    EXPECT_EQ(after(cmd("priority=1,ip actions=drop"), "protocol"), "ip");
    EXPECT_EQ(after(cmd("priority=1,ipv6 actions=drop"), "protocol"), "ipv6");
    EXPECT_EQ(after(cmd("priority=1,arp actions=drop"), "protocol"), "arp");
    EXPECT_EQ(after(cmd("priority=1 actions=drop"), "protocol"), "all");
    EXPECT_EQ(after(cmd("priority=1,dl_type=0x88cc actions=drop"), "protocol"), "0x88cc");
}

TEST(TcCommand, VlanMatchIsProtocol8021QWithTheInnerTypeAsVlanEthtype) {
    const std::string c = cmd("priority=1,dl_vlan=100,dl_vlan_pcp=3,ip,nw_dst=10.0.0.1 actions=drop");
    EXPECT_EQ(after(c, "protocol"), "802.1Q");
    EXPECT_EQ(after(c, "vlan_id"), "100");
    EXPECT_EQ(after(c, "vlan_prio"), "3");
    EXPECT_EQ(after(c, "vlan_ethtype"), "ip");
    // flower reads IP keys by vlan_ethtype, so it comes before them.
    EXPECT_LT(c.find(" vlan_ethtype "), c.find(" dst_ip "));
    EXPECT_EQ(after(cmd("priority=1,dl_vlan=7,ipv6 actions=drop"), "vlan_ethtype"), "ipv6");
    // Without an inner type there is no vlan_ethtype.
    EXPECT_EQ(count(cmd("priority=1,dl_vlan=7 actions=drop"), "vlan_ethtype"), 0u);
}

TEST(TcCommand, SkipFlagsFollowTheSkipPolicy) {
    const std::string sw = cmd("priority=1,ip actions=drop", SkipPolicy::SkipSw);
    const std::string hw = cmd("priority=1,ip actions=drop", SkipPolicy::SkipHw);
    const std::string none = cmd("priority=1,ip actions=drop", SkipPolicy::None);
    EXPECT_NE(sw.find(" flower skip_sw"), std::string::npos) << sw;
    EXPECT_EQ(sw.find("skip_hw"), std::string::npos) << sw;
    EXPECT_NE(hw.find(" flower skip_hw"), std::string::npos) << hw;
    EXPECT_EQ(hw.find("skip_sw"), std::string::npos) << hw;
    EXPECT_EQ(none.find("skip_"), std::string::npos) << none;
}

TEST(TcCommand, MacKeysWithAndWithoutMask) {
    const std::string c = cmd("priority=1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:00/ff:ff:ff:00:00:00 actions=drop");
    EXPECT_EQ(after(c, "src_mac"), "02:00:00:00:00:01");
    EXPECT_EQ(after(c, "dst_mac"), "02:00:00:00:00:00/ff:ff:ff:00:00:00");
}

TEST(TcCommand, AddressKeysAsPrefixes) {
    const std::string v4 = cmd("priority=1,ip,nw_src=10.0.0.0/8,nw_dst=192.0.2.1 actions=drop");
    EXPECT_EQ(after(v4, "src_ip"), "10.0.0.0/8");
    EXPECT_EQ(after(v4, "dst_ip"), "192.0.2.1");
    const std::string v6 = cmd("priority=1,ipv6,ipv6_src=2001:db8::/32,ipv6_dst=2001:db8::1 actions=drop");
    EXPECT_EQ(after(v6, "src_ip"), "2001:db8::/32");
    EXPECT_EQ(after(v6, "dst_ip"), "2001:db8::1");
}

TEST(TcCommand, IpProtoComesBeforePortsAndIcmpKeys) {
    const std::string tcp = cmd("priority=1,tcp,tp_src=1024,tp_dst=0x50/0xfff0 actions=drop");
    EXPECT_EQ(after(tcp, "ip_proto"), "tcp");
    EXPECT_EQ(after(tcp, "src_port"), "1024");
    EXPECT_EQ(after(tcp, "dst_port"), "80/0xfff0");
    EXPECT_LT(tcp.find(" ip_proto "), tcp.find(" src_port "));
    EXPECT_LT(tcp.find(" ip_proto "), tcp.find(" dst_port "));
    EXPECT_EQ(after(cmd("priority=1,udp,tp_dst=53 actions=drop"), "ip_proto"), "udp");
    EXPECT_EQ(after(cmd("priority=1,sctp,tp_dst=9 actions=drop"), "ip_proto"), "sctp");

    const std::string icmp = cmd("priority=1,icmp,icmp_type=8,icmp_code=0 actions=drop");
    EXPECT_EQ(after(icmp, "ip_proto"), "icmp");
    EXPECT_EQ(after(icmp, "type"), "8");
    EXPECT_EQ(after(icmp, "code"), "0");
    EXPECT_LT(icmp.find(" ip_proto "), icmp.find(" type "));
    const std::string icmp6 = cmd("priority=1,icmp6,icmp_type=135 actions=drop");
    EXPECT_EQ(after(icmp6, "ip_proto"), "icmpv6");
    EXPECT_EQ(after(icmp6, "type"), "135");
}

TEST(TcCommand, NumericIpProtoIsHexBecauseTcReadsItAsHex) {
    // f_flower.c parses a numeric ip_proto with base 16: GRE (47) must be 0x2f.
    EXPECT_EQ(after(cmd("priority=1,ip,nw_proto=47 actions=drop"), "ip_proto"), "0x2f");
}

TEST(TcCommand, TcpFlagsAsValueAndMask) {
    // OVS layout: syn = 0x002, ack = 0x010; +syn-ack matches syn set and ack clear.
    EXPECT_EQ(after(cmd("priority=1,tcp,tcp_flags=+syn-ack actions=drop"), "tcp_flags"), "0x2/0x12");
}

TEST(TcCommand, IpTosCombinesDscpAndEcn) {
    // nw_tos=32 is DSCP 8, the upper six bits of the TOS byte.
    EXPECT_EQ(after(cmd("priority=1,ip,nw_tos=32 actions=drop"), "ip_tos"), "0x20/0xfc");
    EXPECT_EQ(after(cmd("priority=1,ip,nw_tos=32,nw_ecn=1 actions=drop"), "ip_tos"), "0x21/0xff");
    EXPECT_EQ(after(cmd("priority=1,ip,nw_ecn=3 actions=drop"), "ip_tos"), "0x3/0x3");
    EXPECT_EQ(after(cmd("priority=1,ip,nw_ttl=64 actions=drop"), "ip_ttl"), "64");
    EXPECT_EQ(count(cmd("priority=1,ip actions=drop"), "ip_tos"), 0u);
}

TEST(TcCommand, ConntrackKeys) {
    const std::string c = cmd("priority=1,ip,ct_state=+trk+est-new,ct_zone=5,ct_mark=0x10/0xf0 actions=drop");
    // ct_state is a run of +flag / -flag in any order; compare as a set.
    const std::string state = after(c, "ct_state");
    std::vector<std::string> flags;
    for (size_t i = 0; i < state.size();) {
        size_t j = state.find_first_of("+-", i + 1);
        flags.push_back(state.substr(i, j == std::string::npos ? std::string::npos : j - i));
        i = j == std::string::npos ? state.size() : j;
    }
    std::sort(flags.begin(), flags.end());
    EXPECT_EQ(flags, (std::vector<std::string>{"+est", "+trk", "-new"})) << state;
    EXPECT_EQ(after(c, "ct_zone"), "5");
    EXPECT_EQ(after(c, "ct_mark"), "0x10/0xf0");
}

TEST(TcCommand, TunnelKeys) {
    const std::string c = cmd("priority=1,ip,tun_id=5001,tun_src=198.51.100.0/24,tun_dst=192.0.2.10 actions=drop");
    EXPECT_EQ(after(c, "enc_key_id"), "5001");
    EXPECT_EQ(after(c, "enc_src_ip"), "198.51.100.0/24");
    EXPECT_EQ(after(c, "enc_dst_ip"), "192.0.2.10");
}

TEST(TcCommand, OutputRedirectsWhenLastAndMirrorsOtherwise) {
    const auto one = actions(cmd("priority=1,ip actions=output:rep1"));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].rfind("mirred egress redirect dev rep1", 0), 0u) << one[0];
    const auto two = actions(cmd("priority=1,ip actions=output:rep1,output:up"));
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0].rfind("mirred egress mirror dev rep1", 0), 0u) << two[0];
    EXPECT_EQ(two[1], "mirred egress redirect dev up");
}

TEST(TcCommand, EmptyActionsAndDropAreGactDrop) {
    TcRule r = rule_of("priority=1,ip actions=drop");
    r.flow.actions.clear();
    auto a = actions(tc_command(r, {}));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].rfind("drop", 0), 0u) << a[0];
    a = actions(cmd("priority=1,ip actions=drop"));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].rfind("drop", 0), 0u) << a[0];
}

TEST(TcCommand, GotoTableIsGotoChain) {
    const auto a = actions(cmd("priority=1,ip actions=ct_clear,goto_table:4"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("ct clear", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "goto chain 4");
}

TEST(TcCommand, VlanPushTakesIdAndPriority) {
    auto a = actions(cmd("priority=1,ip actions=push_vlan:0x8100,mod_vlan_vid:10,output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("vlan push id 10", 0), 0u) << a[0];
    EXPECT_EQ(a[0].find("priority"), std::string::npos) << a[0];
    EXPECT_EQ(a[0].find("protocol"), std::string::npos) << a[0];  // 802.1Q is tc's default
    a = actions(cmd("priority=1,ip actions=push_vlan:0x8100,mod_vlan_vid:10,mod_vlan_pcp:5,output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("vlan push id 10 priority 5", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "mirred egress redirect dev up");
}

TEST(TcCommand, VlanPushOf8021adNamesTheProtocol) {
    // The netlink message carries the TPID; tc takes it as `protocol`.
    const auto a = actions(cmd("priority=1,ip actions=push_vlan:0x88a8,mod_vlan_vid:10,output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(after(a[0], "protocol"), "802.1ad") << a[0];
    EXPECT_EQ(after(a[0], "id"), "10") << a[0];
}

TEST(TcCommand, VlanPushWithoutIdPushesIdZero) {
    // tc needs an id for push; the encoder sends 0.
    const auto a = actions(cmd("priority=1,ip actions=push_vlan:0x8100,output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(after(a[0], "id"), "0") << a[0];
}

TEST(TcCommand, VlanModifyAndPop) {
    auto a = actions(cmd("priority=1,dl_vlan=100 actions=mod_vlan_vid:200,output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("vlan modify id 200", 0), 0u) << a[0];
    EXPECT_EQ(a[0].find("priority"), std::string::npos) << a[0];
    a = actions(cmd("priority=1,dl_vlan=100 actions=mod_vlan_vid:200,mod_vlan_pcp:3,output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("vlan modify id 200 priority 3", 0), 0u) << a[0];
    a = actions(cmd("priority=1,dl_vlan=100,ip actions=pop_vlan,output:rep1"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("vlan pop", 0), 0u) << a[0];
}

TEST(TcCommand, VlanPriorityWithoutIdIsNotSilentlyDropped) {
    // tc vlan modify needs an id, and the encoder refuses the rule; the
    // command must not pretend the action is not there.
    const std::string c = cmd("priority=1,dl_vlan=100 actions=mod_vlan_pcp:3,output:up");
    const auto a = actions(c);
    ASSERT_EQ(a.size(), 2u) << c;
    EXPECT_NE(a[0].find("mod_vlan_pcp"), std::string::npos) << a[0];
}

TEST(TcCommand, EthernetRewritesAreOnePeditWithoutChecksums) {
    const auto a = actions(cmd("priority=1,ip actions=mod_dl_src:02:00:00:00:00:aa,mod_dl_dst:02:00:00:00:00:bb,output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("pedit ex munge eth src set 02:00:00:00:00:aa munge eth dst set 02:00:00:00:00:bb pipe", 0), 0u)
        << a[0];
    EXPECT_EQ(a[1], "mirred egress redirect dev up");
}

TEST(TcCommand, Ipv4AddressRewriteUpdatesHeaderAndL4Checksums) {
    const auto a = actions(cmd("priority=1,tcp actions=mod_nw_dst:10.2.2.2,output:up"));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].rfind("pedit ex munge ip dst set 10.2.2.2 pipe", 0), 0u) << a[0];
    // The same checksums the netlink message asks for (plan_pedit): IPv4
    // header, and TCP and UDP since both cover the pseudo header.
    const auto w = words(a[1]);
    EXPECT_EQ(w.front(), "csum");
    EXPECT_EQ(w.back(), "pipe");
    EXPECT_NE(std::find(w.begin(), w.end(), "ip4h"), w.end()) << a[1];
    EXPECT_NE(std::find(w.begin(), w.end(), "tcp"), w.end()) << a[1];
    EXPECT_NE(std::find(w.begin(), w.end(), "udp"), w.end()) << a[1];
}

TEST(TcCommand, PortRewritesUseTheMatchedProtocol) {
    auto a = actions(cmd("priority=1,tcp actions=mod_tp_src:1000,mod_tp_dst:2000,output:up"));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].rfind("pedit ex munge tcp sport set 1000 munge tcp dport set 2000 pipe", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "csum tcp pipe");
    a = actions(cmd("priority=1,udp actions=mod_tp_dst:53,output:up"));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].rfind("pedit ex munge udp dport set 53 pipe", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "csum udp pipe");
}

TEST(TcCommand, DecTtlAddsAllOnesAndOnlyIpv4HasAHeaderChecksum) {
    auto a = actions(cmd("priority=1,ip actions=dec_ttl,output:up"));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].rfind("pedit ex munge ip ttl add 0xff pipe", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "csum ip4h pipe");
    // IPv6 has no header checksum: no csum action (none in the netlink message either).
    a = actions(cmd("priority=1,ipv6 actions=dec_ttl,output:up"));
    ASSERT_EQ(a.size(), 2u) << a[1];
    EXPECT_EQ(a[0].rfind("pedit ex munge ip6 hoplimit add 0xff pipe", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "mirred egress redirect dev up");
}

TEST(TcCommand, DscpAndEcnRewritesKeepTheOtherTosBits) {
    // mod_nw_tos:32 sets DSCP 8: TOS byte 0x20 in the six DSCP bits only.
    auto a = actions(cmd("priority=1,ip actions=mod_nw_tos:32,output:up"));
    ASSERT_GE(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("pedit ex munge ip tos set 0x20 retain 0xfc pipe", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "csum ip4h pipe");
    a = actions(cmd("priority=1,ip actions=mod_nw_ecn:1,output:up"));
    ASSERT_GE(a.size(), 1u);
    EXPECT_EQ(a[0].rfind("pedit ex munge ip tos set 0x1 retain 0x3 pipe", 0), 0u) << a[0];
}

TEST(TcCommand, MeterIsPoliceSharedByIndex) {
    const auto a = actions(cmd("priority=1,ip actions=meter:3,output:up"));
    ASSERT_EQ(a.size(), 2u);
    const auto w = words(a[0]);
    ASSERT_FALSE(w.empty());
    EXPECT_EQ(w[0], "police");
    EXPECT_EQ(after(a[0], "rate"), "10000kbit");
    // tc reads a bare burst as bytes: 1000 kbit = 125000 bytes.
    EXPECT_EQ(after(a[0], "burst"), "125000");
    EXPECT_EQ(after(a[0], "conform-exceed"), "drop/pipe");
    EXPECT_EQ(after(a[0], "index"), std::to_string(kPoliceIndexBase + 3));
    EXPECT_EQ(a[1], "mirred egress redirect dev up");
}

TEST(TcCommand, PoliceBurstIsWhatTheEncoderInstalls) {
    // No burst: 100 ms at 100000 kbit/s = 1250000 bytes.
    EXPECT_EQ(after(actions(cmd("priority=1,ip actions=meter:4,output:up"))[0], "burst"), "1250000");
    // A tiny burst is raised to eight 2047-byte frames.
    EXPECT_EQ(after(actions(cmd("priority=1,ip actions=meter:5,output:up"))[0], "burst"), std::to_string(8 * 2047));
}

TEST(TcCommand, MeterWithoutRateStillNamesItsIndex) {
    const auto a = actions(tc_command(rule_of("priority=1,ip actions=meter:9,output:up"), {}));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].find("rate"), std::string::npos) << a[0];
    EXPECT_EQ(after(a[0], "index"), std::to_string(kPoliceIndexBase + 9));
}

TEST(TcCommand, ConntrackActions) {
    auto a = actions(cmd("table=1,priority=10,ip actions=ct(commit,zone=7),output:up"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("ct commit zone 7", 0), 0u) << a[0];
    a = actions(cmd("priority=1,ip actions=ct(zone=3,table=1)"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("ct zone 3", 0), 0u) << a[0];
    EXPECT_EQ(a[0].find("commit"), std::string::npos) << a[0];
    EXPECT_EQ(a[1], "goto chain 1");
    a = actions(cmd("priority=1,ip actions=ct(table=2)"));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].find("zone"), std::string::npos) << a[0];  // zone 0 is the default
}

TEST(TcCommand, TunnelEncapSetsTheKeyThenRedirectsToTheTunnelDevice) {
    TcRule r = rule_of("priority=1,ip actions=drop");
    flow::TunnelEncap enc;
    enc.type = flow::TunnelType::Vxlan;
    enc.id = 5001;
    enc.src = {192, 0, 2, 10};
    enc.dst = {198, 51, 100, 7};
    enc.port = "vxlan_sys_4789";
    r.flow.actions = {enc};
    auto a = actions(tc_command(r, {}));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("tunnel_key set", 0), 0u) << a[0];
    EXPECT_EQ(after(a[0], "src_ip"), "192.0.2.10");
    EXPECT_EQ(after(a[0], "dst_ip"), "198.51.100.7");
    EXPECT_EQ(after(a[0], "id"), "5001");
    // The encoder sends VXLAN's port when the flow sets none.
    EXPECT_EQ(after(a[0], "dst_port"), "4789");
    EXPECT_EQ(a[1], "mirred egress redirect dev vxlan_sys_4789");

    enc.dst_port = 8472;
    enc.type = flow::TunnelType::Vxlan;
    r.flow.actions = {enc, flow::Output{"rep1"}};
    a = actions(tc_command(r, {}));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(after(a[0], "dst_port"), "8472");
    EXPECT_EQ(a[1], "mirred egress mirror dev vxlan_sys_4789");  // not the last action
    EXPECT_EQ(a[2], "mirred egress redirect dev rep1");

    enc.type = flow::TunnelType::Geneve;
    enc.dst_port = 0;
    r.flow.actions = {enc};
    EXPECT_EQ(after(actions(tc_command(r, {}))[0], "dst_port"), "6081");
    enc.type = flow::TunnelType::Gre;
    r.flow.actions = {enc};
    EXPECT_EQ(actions(tc_command(r, {}))[0].find("dst_port"), std::string::npos);
}

TEST(TcCommand, TunnelDecapUnsetsTheKey) {
    TcRule r = rule_of("priority=1,ip,tun_id=5001 actions=drop");
    r.flow.actions = {flow::TunnelDecap{}, flow::Output{"rep0"}};
    const auto a = actions(tc_command(r, {}));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].rfind("tunnel_key unset", 0), 0u) << a[0];
    EXPECT_EQ(a[1], "mirred egress redirect dev rep0");
}

TEST(TcCommand, OwnerCookieRidesOnTheFirstActionOnly) {
    for (const char* text : {"priority=1,ip actions=output:rep1,output:up", "priority=1,ip actions=drop",
                             "priority=1,tcp actions=mod_nw_dst:10.2.2.2,output:up",
                             "priority=1,ip actions=ct(zone=3,table=1)"}) {
        const std::string c = cmd(text);
        const auto a = actions(c);
        ASSERT_GE(a.size(), 1u) << c;
        EXPECT_EQ(count(c, " cookie "), 1u) << c;
        EXPECT_EQ(after(a[0], "cookie"), cookie_hex(kCookie)) << c;
        for (size_t i = 1; i < a.size(); ++i) EXPECT_EQ(a[i].find("cookie"), std::string::npos) << a[i];
    }
    // The cookie is the last thing of its action: tc reads it after the action's own arguments.
    const auto w = words(actions(cmd("priority=1,ip actions=output:rep1,output:up"))[0]);
    ASSERT_GE(w.size(), 2u);
    EXPECT_EQ(w[w.size() - 2], "cookie");
    // 12 bytes: 24 hex digits.
    EXPECT_EQ(cookie_hex(kCookie).size(), 24u);
    // A different cookie prints differently, with leading zeros kept.
    EXPECT_EQ(after(tc_command(rule_of("priority=1,ip actions=drop", SkipPolicy::SkipSw, 0x1), {}), "cookie"),
              "736e6f630000000000000001");
}

TEST(TcCommand, NoCookieWithoutAnOwner) {
    const std::string c = tc_command(rule_of("priority=1,ip actions=drop", SkipPolicy::SkipSw, 0), {});
    EXPECT_EQ(c.find("cookie"), std::string::npos) << c;
}

TEST(TcCommand, NormalHasNoTcForm) {
    const std::string c = cmd("priority=1,ip actions=NORMAL");
    EXPECT_NE(c.find("NORMAL"), std::string::npos) << c;
    EXPECT_EQ(c.find("mirred"), std::string::npos) << c;
}

}  // namespace
}  // namespace snoc::offload::tc
