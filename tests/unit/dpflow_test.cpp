// Datapath flow dump parsing and placement accounting.
//
// netdev-*.txt in tests/data/dpflows are real OVS 3.1 userspace-datapath
// dumps; kernel-tc-m.txt and dpdk-offload-m.txt are written by hand from
// OVS's grammar (lib/odp-util.c, lib/dpctl.c) — see that directory's README.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "flow/net_address.h"
#include "ovs-integration/dpflow_classify.h"
#include "ovs-integration/dpflow_parse.h"
#include "tests/unit/test_support.h"

namespace snoc::ovs {
namespace {

using flow::Field;
using offload::Placement;

DpFlowDump load(const std::string& name) {
    return parse_dpflow_dump(test::read_file(test::source_dir() / "tests/data/dpflows" / name));
}

const DpFlow& by_ufid(const DpFlowDump& d, const std::string& ufid) {
    for (const auto& f : d.flows) {
        if (f.ufid == ufid) return f;
    }
    ADD_FAILURE() << "no flow " << ufid;
    static const DpFlow none;
    return none;
}

uint64_t value(const DpFlow& f, Field field) {
    const auto& m = f.match.get(field);
    return m.value_uint(flow::field_info(field).bytes);
}
uint64_t mask(const DpFlow& f, Field field) {
    return f.match.get(field).mask_uint(flow::field_info(field).bytes);
}

std::string ip(const DpFlow& f, Field field) {
    net::IpAddress a;
    a.v6 = flow::field_info(field).kind == flow::FieldKind::Ipv6;
    a.bytes = f.match.get(field).value;
    return net::format_ip(a);
}

std::string mac(const DpFlow& f, Field field) {
    net::Mac m{};
    std::copy_n(f.match.get(field).value.begin(), 6, m.begin());
    return net::format_mac(m);
}

// --- Real userspace dumps ------------------------------------------------

TEST(DpFlowParse, RealNetdevVerboseDump) {
    const auto d = load("netdev-normal-m.txt");
    EXPECT_TRUE(d.errors.empty()) << d.errors.front().message;
    ASSERT_EQ(d.flows.size(), 13u);

    const DpFlow& f = by_ufid(d, "8bac3f17-6868-4f66-8ced-8c2b88cb6d92");
    EXPECT_EQ(f.source, "the main thread");
    EXPECT_EQ(f.match.in_port, "rep0");
    EXPECT_EQ(mac(f, Field::EthSrc), "02:00:00:00:00:01");
    EXPECT_EQ(mac(f, Field::EthDst), "02:00:00:00:00:02");
    EXPECT_EQ(value(f, Field::EthType), 0x0800u);
    EXPECT_EQ(value(f, Field::IpProto), 1u);  // proto=1 without a mask: exact
    // src=10.0.0.1/0.0.0.0, tos=0/0, ttl=64/0, type=8/0: wildcards, not in the match.
    for (Field w : {Field::Ipv4Src, Field::Ipv4Dst, Field::IpDscp, Field::IpEcn, Field::IpTtl, Field::IcmpType,
                    Field::IcmpCode, Field::CtState, Field::CtZone, Field::CtMark}) {
        EXPECT_FALSE(f.match.has(w)) << flow::to_string(w);
    }
    EXPECT_EQ(f.packets, 2u);
    EXPECT_EQ(f.bytes, 196u);
    ASSERT_TRUE(f.used_seconds);
    EXPECT_DOUBLE_EQ(*f.used_seconds, 0.767);
    EXPECT_FALSE(f.offloaded);
    EXPECT_EQ(f.dp, "ovs");
    EXPECT_EQ(f.actions_text, "rep1");
    EXPECT_EQ(f.dp_extra_info, "miniflow_bits(5,1)");
    EXPECT_TRUE(f.key_text.starts_with("skb_priority(0/0),"));
    EXPECT_TRUE(f.key_text.ends_with("icmp(type=8/0,code=0/0)"));
    EXPECT_EQ(classify(f), Placement::Ovs);

    const DpFlow& nd = by_ufid(d, "622038fd-0e3b-403d-a0c9-80533de12437");
    EXPECT_FALSE(nd.used_seconds);  // used:never
    EXPECT_EQ(nd.actions_text, "br0,rep0");
    EXPECT_EQ(value(nd, Field::EthType), 0x86ddu);
    EXPECT_FALSE(nd.match.has(Field::Ipv6Dst));  // ff02::1:ff00:2/::
}

TEST(DpFlowParse, RealNetdevTerseDump) {
    const auto d = load("netdev-normal.txt");
    EXPECT_TRUE(d.errors.empty());
    ASSERT_EQ(d.flows.size(), 13u);
    const DpFlow& f = d.flows[1];
    EXPECT_FALSE(f.ufid);
    EXPECT_EQ(f.match.in_port, "2");  // no names without -m: the datapath port number
    EXPECT_EQ(value(f, Field::IpProto), 1u);
    EXPECT_EQ(f.dp, "");
    EXPECT_EQ(f.actions_text, "3");
    EXPECT_EQ(classify(f), Placement::Ovs);
}

TEST(DpFlowParse, RealConntrackDump) {
    const auto d = load("netdev-ct-m.txt");
    EXPECT_TRUE(d.errors.empty()) << d.errors.front().text;
    const DpFlow& f = by_ufid(d, "a3d8f1f3-5e63-4a06-b04a-cb8f5bd02bb4");
    EXPECT_EQ(value(f, Field::CtState), flow::kCtTrk | flow::kCtNew);  // ct_state(0x21/0x21)
    EXPECT_EQ(mask(f, Field::CtState), 0x21u);
    EXPECT_FALSE(f.match.has(Field::CtZone));  // ct_zone(0x5/0)
    EXPECT_FALSE(f.match.has(Field::TpSrc));   // udp(src=46621/0,...)
    EXPECT_EQ(f.actions_text, "ct(commit,zone=5),rep0");

    const DpFlow& first = by_ufid(d, "0bbc478c-4cfb-453f-acee-ec74bf423891");
    EXPECT_EQ(value(first, Field::CtState), 0u);  // ct_state(0/0x20): -trk
    EXPECT_EQ(mask(first, Field::CtState), 0x20u);
    EXPECT_FALSE(first.match.has(Field::EthSrc));  // eth(src=.../00:00:00:00:00:00)
    EXPECT_EQ(first.actions_text, "ct(zone=5),recirc(0x3)");
    EXPECT_EQ(first.packets, 8u);
}

// --- Hand-written kernel / tc / dpdk lines -------------------------------

TEST(DpFlowParse, KernelAndTcLines) {
    const auto d = load("kernel-tc-m.txt");
    EXPECT_TRUE(d.errors.empty()) << d.errors.front().message;
    ASSERT_EQ(d.flows.size(), 5u);

    const DpFlow& hw = d.flows[0];
    EXPECT_EQ(hw.ufid, "5e3f1a2b-0c4d-4e5f-8a6b-7c8d9e0f1a2b");
    EXPECT_EQ(hw.offloaded, true);
    EXPECT_EQ(hw.dp, "tc");
    EXPECT_EQ(classify(hw), Placement::Hardware);
    EXPECT_EQ(ip(hw, Field::Ipv4Dst), "10.0.0.2");
    EXPECT_TRUE(flow::is_exact(Field::Ipv4Dst, hw.match.get(Field::Ipv4Dst)));
    EXPECT_FALSE(hw.match.has(Field::IpProto));  // proto=6/0
    EXPECT_EQ(value(hw, Field::TpDst), 80u);
    EXPECT_DOUBLE_EQ(hw.used_seconds.value_or(-1), 0.5);

    const DpFlow& tc_sw = d.flows[1];
    EXPECT_FALSE(tc_sw.offloaded);
    EXPECT_EQ(classify(tc_sw), Placement::TcSoftware);
    EXPECT_EQ(value(tc_sw, Field::IpProto), 17u);
    EXPECT_EQ(value(tc_sw, Field::TpDst), 53u);

    const DpFlow& k = d.flows[2];
    EXPECT_EQ(k.match.in_port, "2");
    EXPECT_EQ(value(k, Field::CtState), flow::kCtEst | flow::kCtTrk);  // -new+est+trk
    EXPECT_EQ(mask(k, Field::CtState), flow::kCtNew | flow::kCtEst | flow::kCtTrk);
    EXPECT_EQ(value(k, Field::CtZone), 5u);
    EXPECT_EQ(value(k, Field::CtMark), 0x10u);
    EXPECT_EQ(mask(k, Field::CtMark), 0xf0u);
    EXPECT_EQ(ip(k, Field::Ipv4Src), "10.0.0.0");
    EXPECT_EQ(flow::prefix_length(Field::Ipv4Src, k.match.get(Field::Ipv4Src)), 24u);
    // tos=0xb9/0xfd: DSCP 0x2e (EF) exact, ECN 01 under mask 01.
    EXPECT_EQ(value(k, Field::IpDscp), 0x2eu);
    EXPECT_EQ(mask(k, Field::IpDscp), 0x3fu);
    EXPECT_EQ(value(k, Field::IpEcn), 1u);
    EXPECT_EQ(mask(k, Field::IpEcn), 1u);
    EXPECT_EQ(value(k, Field::TcpFlags), 0x002u);  // +syn-ack
    EXPECT_EQ(mask(k, Field::TcpFlags), 0x012u);
    EXPECT_EQ(classify(k), Placement::Ovs);

    const DpFlow& vx = d.flows[3];
    EXPECT_EQ(vx.match.in_port, "vxlan_sys_4789");
    EXPECT_EQ(value(vx, Field::TunId), 0x2au);
    EXPECT_EQ(ip(vx, Field::TunSrc), "192.0.2.1");
    EXPECT_EQ(ip(vx, Field::TunDst), "192.0.2.2");
    EXPECT_EQ(value(vx, Field::VlanVid), 100u);
    EXPECT_EQ(value(vx, Field::VlanPcp), 3u);
    EXPECT_EQ(value(vx, Field::EthType), 0x86ddu);  // the inner type, from encap()
    EXPECT_EQ(ip(vx, Field::Ipv6Src), "2001:db8::1");
    EXPECT_EQ(flow::prefix_length(Field::Ipv6Dst, vx.match.get(Field::Ipv6Dst)), 64u);
    EXPECT_EQ(value(vx, Field::IpDscp), 0x2eu);  // tclass=0xb8/0xfc
    EXPECT_FALSE(vx.match.has(Field::IpEcn));
    EXPECT_EQ(value(vx, Field::IpTtl), 255u);
    EXPECT_EQ(value(vx, Field::IcmpType), 135u);
    EXPECT_EQ(vx.actions_text, "pop_vlan,rep1");
    EXPECT_EQ(classify(vx), Placement::Hardware);

    const DpFlow& gen = d.flows[4];
    EXPECT_EQ(value(gen, Field::TunId), 5u);
    EXPECT_FALSE(gen.match.has(Field::EthSrc));
    EXPECT_EQ(value(gen, Field::IcmpType), 8u);
    EXPECT_FALSE(gen.match.has(Field::IcmpCode));
    EXPECT_EQ(gen.actions_text, "drop");
    EXPECT_EQ(classify(gen), Placement::TcSoftware);
}

TEST(DpFlowParse, DpdkOffloadAndPmdSections) {
    const auto d = load("dpdk-offload-m.txt");
    EXPECT_TRUE(d.errors.empty());
    ASSERT_EQ(d.flows.size(), 3u);
    EXPECT_EQ(d.flows[0].source, "pmd on cpu core: 2");
    EXPECT_EQ(classify(d.flows[0]), Placement::Hardware);
    EXPECT_TRUE(d.flows[1].partial_offload);
    EXPECT_EQ(classify(d.flows[1]), Placement::Ovs);  // partial: OVS still runs the actions
    EXPECT_EQ(d.flows[2].source, "pmd on cpu core: 3");
    EXPECT_EQ(d.flows[0].ufid, d.flows[2].ufid);
    EXPECT_NE(flow_identity(d.flows[0]), flow_identity(d.flows[2]));
}

// --- Errors ----------------------------------------------------------------

struct BadLine {
    const char* text;
    const char* quoted;  // what the error must quote
};

TEST(DpFlowParse, ErrorsNameTheOffendingText) {
    const std::vector<BadLine> cases = {
        {"in_port(1),eth_type(0x0800) packets:1, bytes:2, used:never, actions:1", "'eth_type(0x0800) packets:1'"},
        {"in_port(1),eth_type(0x0800), bytes:2, used:never, actions:1", "bytes:2"},
        {"in_port(1),eth_type(0x0800), packets:x, bytes:2, used:never, actions:1", "'x'"},
        {"in_port(1),eth_type(0x0800), packets:1, bytes:2, used:soon, actions:1", "'soon'"},
        {"in_port(1),eth_type(0x0800), packets:1, bytes:2, used:never", "used:never"},
        {"in_port(1),ipv4(src=10.0.0.300), packets:1, bytes:2, used:never, actions:1", "10.0.0.300"},
        {"in_port(1),ipv4(proto=256), packets:1, bytes:2, used:never, actions:1", "ipv4.proto: '256'"},
        {"in_port(1),ct_state(+trk+bogus), packets:1, bytes:2, used:never, actions:1", "+trk+bogus"},
        {"in_port(1),eth(src=02:00:00:00:00:01/zz), packets:1, bytes:2, used:never, actions:1", "/zz"},
        {"in_port(1),junk, packets:1, bytes:2, used:never, actions:1", "'junk'"},
        {"in_port(1),eth((src=1), packets:1, bytes:2, used:never, actions:1", "eth((src=1)"},
        {"in_port(1), packets:1, bytes:2, used:1s, offloaded:maybe, actions:1", "'maybe'"},
        {"ufid:abc", "ufid:abc"},
        {"encap(encap(encap(encap(encap(encap(encap(encap(encap(eth_type(0x800)))))))))), packets:1, bytes:2, "
         "used:never, actions:1",
         "nested too deeply"},
    };
    for (const auto& c : cases) {
        const auto r = parse_dpflow_line(c.text);
        EXPECT_FALSE(r.flow) << c.text;
        ASSERT_TRUE(r.error) << c.text;
        EXPECT_NE(r.error->find(c.quoted), std::string::npos) << c.text << " -> " << *r.error;
    }
}

TEST(DpFlowParse, DumpKeepsGoingAfterABadLine) {
    const auto d = parse_dpflow_dump(
        "flow-dump from the main thread:\n"
        "in_port(1),eth_type(0x0800), packets:1, bytes:2, used:never, actions:drop\n"
        "ovs-vswitchd: datapath not found (Invalid argument)\n"
        "\n"
        "recirc_id(0),in_port(2),unknown_key(a=b,c(d)),eth_type(0x0806), packets:3, bytes:4, used:0.001s, actions:1\n");
    ASSERT_EQ(d.flows.size(), 2u);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_EQ(d.errors[0].line, 3u);
    EXPECT_EQ(d.errors[0].text, "ovs-vswitchd: datapath not found (Invalid argument)");
    EXPECT_EQ(value(d.flows[1], Field::EthType), 0x0806u);
}

// --- Placement accounting ------------------------------------------------

DpFlow make(const std::string& ufid, uint64_t packets, uint64_t bytes, bool offloaded = false,
            const std::string& dp = "ovs") {
    DpFlow f;
    f.ufid = ufid;
    f.packets = packets;
    f.bytes = bytes;
    if (offloaded) f.offloaded = true;
    f.dp = dp;
    return f;
}

TEST(PlacementCounters, RealPollsWithoutTrafficAddNothing) {
    PlacementCounters c;
    const auto first = c.add_poll(load("netdev-normal-m.txt").flows);
    // Everything a new flow counted is new traffic: 3+2+3+2+3+2 packets.
    EXPECT_EQ(first[Placement::Ovs], (TrafficCounts{15, 1522}));
    const auto second = c.add_poll(load("netdev-normal-m-poll2.txt").flows);
    EXPECT_EQ(second[Placement::Ovs], (TrafficCounts{0, 0}));
    EXPECT_EQ(c.totals()[Placement::Ovs], (TrafficCounts{15, 1522}));
}

TEST(PlacementCounters, DeltasPerPlacement) {
    PlacementCounters c;
    c.prime({make("a", 100, 1000, true, "tc"), make("b", 5, 50, false, "tc")});
    const auto d = c.add_poll({make("a", 130, 1300, true, "tc"), make("b", 7, 70, false, "tc"), make("c", 2, 20)});
    EXPECT_EQ(d[Placement::Hardware], (TrafficCounts{30, 300}));
    EXPECT_EQ(d[Placement::TcSoftware], (TrafficCounts{2, 20}));
    EXPECT_EQ(d[Placement::Ovs], (TrafficCounts{2, 20}));
    EXPECT_EQ(d[Placement::Failed], (TrafficCounts{}));
}

TEST(PlacementCounters, ResetCountsInFull) {
    PlacementCounters c;
    c.add_poll({make("a", 100, 1000)});
    // Deleted and re-created between polls: the counter went down.
    const auto d = c.add_poll({make("a", 4, 40)});
    EXPECT_EQ(d[Placement::Ovs], (TrafficCounts{4, 40}));
    EXPECT_EQ(c.totals()[Placement::Ovs], (TrafficCounts{104, 1040}));
}

TEST(PlacementCounters, VanishedFlowIsNotCountedTwice) {
    PlacementCounters c(/*forget_after=*/2);
    c.add_poll({make("a", 100, 1000), make("b", 1, 10)});
    // "a" missing from one dump (churn), then back with its counter continued.
    EXPECT_EQ(c.add_poll({make("b", 2, 20)})[Placement::Ovs], (TrafficCounts{1, 10}));
    EXPECT_EQ(c.add_poll({make("a", 110, 1100), make("b", 2, 20)})[Placement::Ovs], (TrafficCounts{10, 100}));
    // "a" gone for longer than forget_after: forgotten, and a reappearance is a new flow.
    c.add_poll({});
    c.add_poll({});
    c.add_poll({});
    EXPECT_EQ(c.tracked(), 0u);
    EXPECT_EQ(c.add_poll({make("a", 3, 30)})[Placement::Ovs], (TrafficCounts{3, 30}));
    EXPECT_EQ(c.totals()[Placement::Ovs], (TrafficCounts{115, 1150}));
}

TEST(PlacementCounters, ReappearanceAfterResetAndPlacementMove) {
    PlacementCounters c;
    c.add_poll({make("a", 50, 500, false, "tc")});
    c.add_poll({});                                            // gone
    const auto d = c.add_poll({make("a", 8, 80, true, "tc")});  // back, reset, now in hardware
    EXPECT_EQ(d[Placement::Hardware], (TrafficCounts{8, 80}));
    EXPECT_EQ(d[Placement::TcSoftware], (TrafficCounts{}));
    const auto e = c.add_poll({make("a", 20, 200, true, "tc")});
    EXPECT_EQ(e[Placement::Hardware], (TrafficCounts{12, 120}));
}

TEST(PlacementCounters, KeyTextWhenNoUfidAndPmdCopiesApart) {
    PlacementCounters c;
    DpFlow a;
    a.key_text = "in_port(1),eth_type(0x0800)";
    a.packets = 5;
    a.bytes = 50;
    DpFlow b = a;
    b.source = "pmd on cpu core: 3";  // the same flow's copy on another PMD
    EXPECT_EQ(c.add_poll({a, b})[Placement::Ovs], (TrafficCounts{10, 100}));
    a.packets = 6;
    a.bytes = 60;
    EXPECT_EQ(c.add_poll({a, b, a})[Placement::Ovs], (TrafficCounts{1, 10}));  // duplicate line ignored
}

}  // namespace
}  // namespace snoc::ovs
