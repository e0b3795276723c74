// Datapath monitoring beyond the parser: port resolution (dpif/show,
// dpctl/show), datapath actions and keys to canonical flows, the reasons a
// software flow was not offloaded, and DatapathMonitor's per-poll results.
//
// The port tables and netdev-*.txt dumps in tests/data/dpflows are real OVS
// 3.1 output; single lines below follow lib/odp-util.c's formats.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "flow/policy_syntax.h"
#include "ovs-integration/datapath_monitor.h"
#include "ovs-integration/dpflow_actions.h"
#include "ovs-integration/dpflow_explain.h"
#include "ovs-integration/dpif_ports.h"
#include "tests/unit/test_support.h"

namespace snoc::ovs {
namespace {

using flow::Field;
using offload::Placement;
using offload::ReasonCode;

std::string data(const std::string& name) {
    return test::read_file(test::source_dir() / "tests/data/dpflows" / name);
}

DpPortMap netdev_ports() {
    DpPortMap m;
    EXPECT_TRUE(m.read_dpif_show(data("netdev-dpif-show.txt")).ok());
    EXPECT_TRUE(m.read_dpctl_show(data("netdev-dpctl-show.txt")).ok());
    return m;
}

DpFlow line(const std::string& text) {
    auto r = parse_dpflow_line(text);
    EXPECT_TRUE(r.flow) << text << ": " << r.error.value_or("");
    return r.flow.value_or(DpFlow{});
}

std::vector<std::string> codes(const std::vector<offload::Reason>& reasons) {
    std::vector<std::string> out;
    for (const auto& r : reasons) out.push_back(std::string(offload::to_string(r.code)) + ":" + r.subject);
    return out;
}

// --- Ports -------------------------------------------------------------------

TEST(DpPortMap, ResolvesNumbersAndDatapathNamesToOvsPorts) {
    const DpPortMap m = netdev_ports();
    EXPECT_EQ(m.resolve("3"), "p1");
    EXPECT_EQ(m.resolve("2"), "br0");
    EXPECT_EQ(m.resolve("vxlan_sys_4789"), "vx0");  // the shared vport is OVS port vx0
    EXPECT_EQ(m.resolve("p1"), "p1");
    EXPECT_EQ(m.resolve("9"), "9");  // unknown: the printed spelling, never a guess
    const DpPort* vx = m.find("1", "netdev@ovs-netdev");
    ASSERT_NE(vx, nullptr);
    EXPECT_EQ(vx->type, "vxlan");
    EXPECT_EQ(vx->bridge, "br0");
    EXPECT_EQ(vx->ofport, 1u);
    EXPECT_EQ(m.find("1", "system@ovs-system"), nullptr);
    EXPECT_EQ(m.resolve("0"), "0");  // the datapath's own port has no OVS port
}

TEST(DpPortMap, BadLinesAreErrorsQuotingThem) {
    DpPortMap m;
    const auto s = m.read_dpif_show("netdev@ovs-netdev: hit:0 missed:0\n  br0:\n    p1 two/x: (tap)\n");
    EXPECT_EQ(s.error, EPROTO);
    EXPECT_NE(s.reason.find("p1 two/x"), std::string::npos) << s.reason;
}

// --- Keys without a canonical field ----------------------------------------

TEST(DpFlowKeys, WildcardsAndDefaultsAreNotReported) {
    // The real dumps: zero / wildcarded metadata, frag=no, wildcarded
    // ct_tuple4 and nd are not constraints. ARP flows really match ARP
    // fields (arp(sip=...), arp(op=1)), which the model has none for.
    size_t arp = 0;
    for (const char* file : {"netdev-normal-m.txt", "netdev-ct-m.txt"}) {
        const DpFlowDump d = parse_dpflow_dump(data(file));
        ASSERT_FALSE(d.flows.empty());
        for (const DpFlow& f : d.flows) {
            for (const std::string& u : f.unmapped_keys) {
                EXPECT_TRUE(u.starts_with("arp(")) << file << ": " << u;
                ++arp;
            }
        }
    }
    EXPECT_GT(arp, 0u);
}

TEST(DpFlowKeys, RealConstraintsWithoutAFieldAreKept) {
    const DpFlow f = line(
        "recirc_id(0x3),skb_mark(0x1/0xff),in_port(2),eth(),eth_type(0x0800),"
        "ipv4(src=10.0.0.1,frag=first),udp(src=0/0,dst=53), packets:1, bytes:60, used:never, actions:drop");
    EXPECT_EQ(f.recirc_id, 3u);
    EXPECT_EQ(f.unmapped_keys, (std::vector<std::string>{"skb_mark(0x1/0xff)", "ipv4(frag=first)"}));
    const DpFlowDump d = parse_dpflow_dump(data("kernel-tc-m.txt"));
    const auto geneve = std::find_if(d.flows.begin(), d.flows.end(),
                                     [](const DpFlow& x) { return x.key_text.find("geneve(") != std::string::npos; });
    ASSERT_NE(geneve, d.flows.end());
    ASSERT_EQ(geneve->unmapped_keys.size(), 1u);
    EXPECT_TRUE(geneve->unmapped_keys[0].starts_with("tunnel(geneve({class=0xffff")) << geneve->unmapped_keys[0];
}

// --- Actions -------------------------------------------------------------------

TEST(DpActions, TableConvertsEachAction) {
    const DpPortMap ports = netdev_ports();
    const auto t = translate_dp_actions(
        "push_vlan(vid=100,pcp=3),3,pop_vlan,set(ipv4(src=10.0.0.9,ttl=63)),meter(7),ct_clear,drop", ports);
    EXPECT_TRUE(t.untranslated.empty()) << t.untranslated[0].text;
    EXPECT_EQ(flow::format_actions(t.actions),
              "push_vlan:0x8100,mod_vlan_vid:100,mod_vlan_pcp:3,output:p1,pop_vlan,mod_nw_src:10.0.0.9,"
              "mod_nw_ttl:63,meter:7,ct_clear,drop");
}

TEST(DpActions, ConntrackAndRecirculation) {
    const auto t = translate_dp_actions("ct(commit,zone=5,mark=0x1/0xff,nat(src=192.0.2.1)),recirc(0x4)", DpPortMap{});
    ASSERT_EQ(t.actions.size(), 1u);
    const auto* ct = std::get_if<flow::Ct>(&t.actions[0]);
    ASSERT_NE(ct, nullptr);
    EXPECT_TRUE(ct->commit);
    EXPECT_EQ(ct->zone, 5);
    EXPECT_EQ(ct->table, 1);
    ASSERT_EQ(t.untranslated.size(), 1u);
    EXPECT_EQ(t.untranslated[0].text, "nat(src=192.0.2.1)");
}

TEST(DpActions, KernelTunnelEncapNeedsTheOutputThatFollows) {
    const DpPortMap ports = netdev_ports();
    const auto t = translate_dp_actions(
        "set(tunnel(tun_id=0x2a,src=192.0.2.1,dst=192.0.2.2,ttl=64,tp_dst=4789,flags(df|key))),vxlan_sys_4789", ports);
    ASSERT_TRUE(t.untranslated.empty()) << t.untranslated[0].text << ": " << t.untranslated[0].why;
    ASSERT_EQ(t.actions.size(), 1u);
    const auto* e = std::get_if<flow::TunnelEncap>(&t.actions[0]);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->type, flow::TunnelType::Vxlan);
    EXPECT_EQ(e->id, 0x2au);
    EXPECT_EQ(e->port, "vx0");
    EXPECT_EQ(e->dst_port, 4789);
    EXPECT_EQ(e->dst, (std::array<uint8_t, 4>{192, 0, 2, 2}));
    EXPECT_EQ(e->src, (std::array<uint8_t, 4>{192, 0, 2, 1}));
}

TEST(DpActions, UserspaceTunnelPushAndPop) {
    const auto t = translate_dp_actions(
        "tnl_push(tnl_port(1),header(size=50,type=4,eth(dst=02:00:00:00:00:09,src=02:00:00:00:00:08,dl_type=0x0800),"
        "ipv4(src=192.0.2.1,dst=192.0.2.9,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),"
        "vxlan(flags=0x8000000,vni=0x2a)),out_port(2)),tnl_pop(1)",
        netdev_ports());
    ASSERT_TRUE(t.untranslated.empty()) << t.untranslated[0].text;
    ASSERT_EQ(t.actions.size(), 2u);
    const auto* e = std::get_if<flow::TunnelEncap>(&t.actions[0]);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->id, 0x2au);
    EXPECT_EQ(e->dst, (std::array<uint8_t, 4>{192, 0, 2, 9}));
    EXPECT_EQ(e->dst_port, 4789);
    EXPECT_EQ(e->port, "vx0");
    EXPECT_TRUE(std::holds_alternative<flow::TunnelDecap>(t.actions[1]));
}

TEST(DpActions, UnknownAndSoftwareOnlyActionsAreReportedNotDropped) {
    const auto t = translate_dp_actions(
        "userspace(pid=4294967295,slow_path(controller)),sample(sample=50.0%,actions(1)),frobnicate(1),2", DpPortMap{});
    ASSERT_EQ(t.untranslated.size(), 3u);
    EXPECT_EQ(t.untranslated[0].text, "userspace(pid=4294967295,slow_path(controller))");
    EXPECT_EQ(t.untranslated[1].text, "sample(sample=50.0%,actions(1))");
    EXPECT_NE(t.untranslated[2].why.find("not known"), std::string::npos);
    ASSERT_EQ(t.actions.size(), 1u);  // the output still counts
    EXPECT_EQ(std::get<flow::Output>(t.actions[0]).port, "2");
}

// --- Reasons -------------------------------------------------------------------

OffloadContext context() {
    OffloadContext c;
    c.ports["rep0"] = offload::PortInfo{"rep0", offload::PortKind::VfRepresentor, "nic0", 0, {}, {}, {}, {}, 0};
    c.ports["rep1"] = offload::PortInfo{"rep1", offload::PortKind::VfRepresentor, "nic0", 1, {}, {}, {}, {}, 0};
    c.ports["veth0"] = offload::PortInfo{"veth0", offload::PortKind::Veth, "", std::nullopt, {}, {}, {}, {}, 0};
    offload::NicProfile p;
    p.name = "testnic";
    offload::BackendCaps caps;
    caps.match = {{Field::EthSrc, offload::MaskSupport::Exact}, {Field::EthDst, offload::MaskSupport::Exact},
                  {Field::EthType, offload::MaskSupport::Exact}, {Field::IpProto, offload::MaskSupport::Exact},
                  {Field::Ipv4Dst, offload::MaskSupport::Prefix}};
    caps.actions = {flow::ActionKind::Output, flow::ActionKind::Drop};
    p.backends[offload::Backend::TcFlower] = caps;
    c.nic_profiles["nic0"] = p;
    return c;
}

TEST(DpFlowExplain, TcSoftwareFlowGetsEveryProfileReason) {
    // Real kernel-style line: dp:tc, not offloaded, matches udp dst 53.
    const DpFlowDump d = parse_dpflow_dump(data("kernel-tc-m.txt"));
    const DpFlow& f = d.flows.at(1);
    ASSERT_EQ(classify(f), Placement::TcSoftware);
    const auto reasons = explain_not_offloaded(f, DpPortMap{}, context());
    EXPECT_EQ(codes(reasons), (std::vector<std::string>{"match-unsupported:tp_dst"})) << reasons[0].detail;
}

TEST(DpFlowExplain, UntranslatableKeysAndActionsComeFirst) {
    const DpFlow f = line(
        "ufid:1, skb_mark(0x7),in_port(rep0),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
        "ipv4(src=10.0.0.1/0.0.0.0,dst=10.0.0.2,proto=1,frag=no), packets:1, bytes:98, used:never, dp:ovs, "
        "actions:userspace(pid=1,slow_path(action)),pop_eth,rep1");
    const auto reasons = explain_not_offloaded(f, DpPortMap{}, context());
    EXPECT_EQ(codes(reasons), (std::vector<std::string>{"match-unsupported:skb_mark(0x7)",
                                                        "software-only-action:userspace(pid=1,slow_path(action))",
                                                        "action-unsupported:pop_eth"}));
}

TEST(DpFlowExplain, PortsWithoutAnEswitchOrProfile) {
    const std::string rest =
        ",eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800), packets:1, bytes:98, used:never, "
        "actions:drop";
    EXPECT_EQ(codes(explain_not_offloaded(line("in_port(veth0)" + rest), DpPortMap{}, context())),
              (std::vector<std::string>{"port-not-on-eswitch:veth0"}));
    EXPECT_EQ(codes(explain_not_offloaded(line("in_port(7)" + rest), DpPortMap{}, context())),
              (std::vector<std::string>{"unknown-port:7"}));
    // in_port(3) is datapath port 3 = OVS port p1 in the real port table.
    EXPECT_EQ(codes(explain_not_offloaded(line("in_port(3)" + rest), netdev_ports(), context())),
              (std::vector<std::string>{"unknown-port:p1"}));
    OffloadContext no_profile = context();
    no_profile.nic_profiles.clear();
    EXPECT_EQ(codes(explain_not_offloaded(line("in_port(rep0)" + rest), DpPortMap{}, no_profile)),
              (std::vector<std::string>{"backend-unsupported:nic0"}));
    // Nothing against it in the profile: the decline happened at run time.
    EXPECT_EQ(codes(explain_not_offloaded(line("in_port(rep0)" + rest), DpPortMap{}, context())),
              (std::vector<std::string>{"quirk:runtime"}));
}

TEST(DpFlowExplain, EmulatedNicSaysNoTableRuleCoversTheFlow) {
    const std::string flow_line =
        "in_port(rep0),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800), packets:1, bytes:98, "
        "used:never, actions:drop";
    OffloadContext ctx = context();
    ctx.nic_profiles["nic0"].backends[offload::Backend::Emulated] = ctx.nic_profiles["nic0"].backends[offload::Backend::TcFlower];
    ctx.nic_backends["nic0"] = offload::Backend::Emulated;
    const auto reasons = explain_not_offloaded(line(flow_line), DpPortMap{}, ctx);
    EXPECT_EQ(codes(reasons), (std::vector<std::string>{"quirk:eswitch-table"}));
    EXPECT_NE(reasons[0].detail.find("no rule in NIC nic0's emulated eSwitch table"), std::string::npos) << reasons[0].detail;
    // The profile is checked against the emulated backend's capabilities, not tc-flower's.
    ctx.nic_profiles["nic0"].backends[offload::Backend::Emulated].actions = {flow::ActionKind::Output};
    EXPECT_EQ(codes(explain_not_offloaded(line(flow_line), DpPortMap{}, ctx)), (std::vector<std::string>{"action-unsupported:drop"}));
    // Another NIC of the same host still reads as tc-flower's run-time decline.
    ctx.nic_backends["nic0"] = offload::Backend::TcFlower;
    EXPECT_EQ(codes(explain_not_offloaded(line(flow_line), DpPortMap{}, ctx)), (std::vector<std::string>{"quirk:runtime"}));
}

TEST(DpFlowExplain, TheBridgesOwnPortIsLocalNotUnknown) {
    // OVS floods IPv6 router solicitations to the bridge's own port too.
    DpPortMap ports;
    ASSERT_TRUE(ports.read_dpif_show("netdev@ovs-netdev: hit:0 missed:0\n  br0:\n    br0 65534/1: (tap)\n"
                                     "    rep0 1/2: (system)\n    rep1 2/3: (system)\n")
                    .ok());
    const std::string rest =
        ",eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800), packets:1, bytes:98, used:never, ";
    const auto out = explain_not_offloaded(line("in_port(rep0)" + rest + "actions:br0,rep1"), ports, context());
    EXPECT_EQ(codes(out), (std::vector<std::string>{"port-not-on-eswitch:LOCAL"}));
    EXPECT_NE(out.at(0).detail.find("the bridge's internal port"), std::string::npos) << out[0].detail;
    const auto in = explain_not_offloaded(line("in_port(br0)" + rest + "actions:rep1"), ports, context());
    EXPECT_EQ(codes(in), (std::vector<std::string>{"port-not-on-eswitch:LOCAL"})) << in.at(0).detail;
}

TEST(DpFlowExplain, TunnelFlowsStartWithDecap) {
    const DpFlowDump d = parse_dpflow_dump(data("kernel-tc-m.txt"));
    const DpFlow& f = d.flows.at(3);  // in_port(vxlan_sys_4789), tunnel(tun_id=0x2a,...)
    const DpFlowTranslation t = translate_dpflow(f, netdev_ports());
    EXPECT_EQ(t.flow.match.in_port, "vx0");
    ASSERT_FALSE(t.flow.actions.empty());
    EXPECT_TRUE(std::holds_alternative<flow::TunnelDecap>(t.flow.actions[0]));
    EXPECT_TRUE(t.untranslatable.empty()) << t.untranslatable[0].subject;
}

// --- The monitor on recorded dumps -------------------------------------------

TEST(DatapathMonitor, PollsGivePerFlowDeltasPortsAndTotals) {
    UnixctlClient unused;
    DatapathMonitor mon(unused);
    DpPortMap& ports = mon.ports();
    ASSERT_TRUE(ports.read_dpif_show("netdev@ovs-netdev: hit:0 missed:0\n  br0:\n    br0 65534/1: (tap)\n"
                                     "    rep0 1/2: (system)\n    rep1 2/3: (system)\n").ok());
    DatapathPoll first, second;
    mon.process(data("netdev-normal-m.txt"), first);
    EXPECT_TRUE(first.baseline);
    EXPECT_EQ(first.delta, PlacementTraffic{});
    ASSERT_FALSE(first.flows.empty());
    EXPECT_EQ(first.flows_by_placement[static_cast<size_t>(Placement::Ovs)], first.flows.size());

    mon.process(data("netdev-normal-m-poll2.txt"), second);
    EXPECT_FALSE(second.baseline);
    uint64_t packets = 0;
    for (const MonitoredFlow& m : second.flows) {
        packets += m.delta.packets;
        EXPECT_TRUE(m.in_port == "rep0" || m.in_port == "rep1") << m.in_port;
        EXPECT_TRUE(m.reasons.empty());  // no offload context set
    }
    // The second capture was taken with no traffic in between: same
    // counters, nothing credited (the per-flow credit is checked below).
    EXPECT_EQ(packets, 0u);
    EXPECT_EQ(second.delta, PlacementTraffic{});
    EXPECT_EQ(second.totals, second.delta);
}

TEST(DatapathMonitor, CapIsVisibleAndReasonsAreAttached) {
    UnixctlClient unused;
    DatapathMonitor mon(unused, MonitorOptions{.datapath = "", .max_flows = 2, .forget_after = 3,
                                               .baseline_first_poll = false, .max_errors = 1});
    mon.set_offload_context(context());
    const std::string dump = data("kernel-tc-m.txt") + "garbage line\nmore garbage\n";
    DatapathPoll p;
    mon.process(dump, p);
    ASSERT_EQ(p.flows.size(), 2u);
    EXPECT_EQ(p.over_cap, parse_dpflow_dump(dump).flows.size() - 2);
    EXPECT_EQ(p.error_count, 2u);
    EXPECT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.flows[0].placement, Placement::Hardware);
    EXPECT_EQ(p.flows[0].delta, (TrafficCounts{10, 980}));
    EXPECT_EQ(p.flows[0].in_port, "rep0");
    EXPECT_TRUE(p.flows[0].reasons.empty());  // in hardware: nothing to explain
    EXPECT_EQ(p.flows[1].placement, Placement::TcSoftware);
    EXPECT_EQ(codes(p.flows[1].reasons), (std::vector<std::string>{"match-unsupported:tp_dst"}));
    // Not a baseline: the first poll credits what the flows counted.
    EXPECT_EQ(p.delta[Placement::Hardware].packets, 10u);
    EXPECT_EQ(p.delta[Placement::TcSoftware].packets, 4u);
}

// --- Real kernel-datapath captures (tests/vm/ovs-kernel.sh) -----------------

TEST(DatapathMonitor, RealKernelCapturesClassify) {
    struct Case {
        const char* file;
        Placement placement;
    };
    for (const Case& c : {Case{"kernel-skip_hw-m.txt", Placement::TcSoftware},
                          Case{"kernel-skip_sw-fallback-m.txt", Placement::Ovs},
                          Case{"kernel-netdevsim-offloaded-m.txt", Placement::Hardware}}) {
        UnixctlClient unused;
        DatapathMonitor mon(unused, MonitorOptions{.datapath = "", .max_flows = 1000, .forget_after = 3,
                                                   .baseline_first_poll = false, .max_errors = 5});
        DatapathPoll p;
        mon.process(data(c.file), p);
        EXPECT_EQ(p.error_count, 0u) << c.file << ": " << (p.errors.empty() ? "" : p.errors[0].message);
        ASSERT_FALSE(p.flows.empty()) << c.file;
        for (const MonitoredFlow& m : p.flows) EXPECT_EQ(m.placement, c.placement) << c.file << ": " << m.flow.key_text;
        EXPECT_GT(p.delta[c.placement].packets, 0u) << c.file;
    }
}

TEST(DatapathMonitor, RealTcSoftwareFlowBetweenVethsIsExplained) {
    UnixctlClient unused;
    DatapathMonitor mon(unused);
    OffloadContext ctx = context();
    ctx.ports["v0a"] = offload::PortInfo{"v0a", offload::PortKind::Veth, "", std::nullopt, {}, {}, {}, {}, 0};
    mon.set_offload_context(ctx);
    DatapathPoll p;
    mon.process(data("kernel-skip_hw-m.txt"), p);
    size_t explained = 0;
    for (const MonitoredFlow& m : p.flows) {
        if (m.in_port != "v0a") continue;
        ASSERT_FALSE(m.reasons.empty());
        EXPECT_EQ(m.reasons.back().code, ReasonCode::PortNotOnEswitch) << m.reasons.back().detail;
        ++explained;
    }
    EXPECT_GT(explained, 0u);
}

}  // namespace
}  // namespace snoc::ovs
