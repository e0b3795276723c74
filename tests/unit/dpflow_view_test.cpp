// The compact per-poll records (dpflow_view.h) and the one-pass key check
// (dpflow_key.h): they must read every dump exactly as the full parser does.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "ovs-integration/datapath_monitor.h"
#include "ovs-integration/dpflow_classify.h"
#include "ovs-integration/dpflow_key.h"
#include "ovs-integration/dpflow_parse.h"
#include "ovs-integration/dpflow_view.h"
#include "tests/unit/test_support.h"

namespace snoc::ovs {
namespace {

std::string data(const std::string& name) {
    return test::read_file(test::source_dir() / "tests/data/dpflows" / name);
}

// Everything a DpFlow holds, compared field by field (DpFlow has no ==).
void expect_same(const DpFlow& a, const DpFlow& b, const std::string& where) {
    EXPECT_EQ(a.ufid, b.ufid) << where;
    EXPECT_EQ(a.key_text, b.key_text) << where;
    EXPECT_EQ(a.match, b.match) << where;
    EXPECT_EQ(a.packets, b.packets) << where;
    EXPECT_EQ(a.bytes, b.bytes) << where;
    EXPECT_EQ(a.used_seconds, b.used_seconds) << where;
    EXPECT_EQ(a.offloaded, b.offloaded) << where;
    EXPECT_EQ(a.partial_offload, b.partial_offload) << where;
    EXPECT_EQ(a.dp, b.dp) << where;
    EXPECT_EQ(a.actions_text, b.actions_text) << where;
    EXPECT_EQ(a.dp_extra_info, b.dp_extra_info) << where;
    EXPECT_EQ(a.recirc_id, b.recirc_id) << where;
    EXPECT_EQ(a.unmapped_keys, b.unmapped_keys) << where;
    EXPECT_EQ(a.source, b.source) << where;
}

TEST(DpFlowView, ScanReadsEveryRecordedDumpAsTheFullParser) {
    for (const char* file : {"dpdk-offload-m.txt", "kernel-netdevsim-offloaded-m.txt", "kernel-skip_hw-m.txt",
                             "kernel-skip_sw-fallback-m.txt", "kernel-tc-m.txt", "netdev-ct-m.txt",
                             "netdev-normal-m-poll2.txt", "netdev-normal-m.txt", "netdev-normal.txt"}) {
        const std::string text = data(file) + "\nnot a flow\nufid:, x(1), packets:1, bytes:1, actions:drop\n";
        const DpFlowScan scan = scan_dpflow_dump(text);
        const DpFlowDump full = parse_dpflow_dump(text);
        ASSERT_EQ(scan.flows.size(), full.flows.size()) << file;
        ASSERT_FALSE(scan.flows.empty()) << file;
        for (size_t i = 0; i < scan.flows.size(); ++i) {
            const DpFlowView& v = scan.flows[i];
            expect_same(to_dpflow(v), full.flows[i], std::string(file) + " flow " + std::to_string(i));
            EXPECT_EQ(v.in_port, full.flows[i].match.in_port.value_or("")) << file;
            EXPECT_EQ(classify(v), classify(full.flows[i])) << file;
            EXPECT_EQ(flow_identity(v), flow_identity(full.flows[i])) << file;
            // Views, not copies.
            EXPECT_GE(v.key_text.data(), text.data()) << file;
            EXPECT_LE(v.key_text.data() + v.key_text.size(), text.data() + text.size()) << file;
        }
        ASSERT_EQ(scan.errors.size(), full.errors.size()) << file;
        ASSERT_EQ(scan.errors.size(), 2u) << file;
        for (size_t i = 0; i < scan.errors.size(); ++i) {
            EXPECT_EQ(scan.errors[i].line, full.errors[i].line) << file;
            EXPECT_EQ(scan.errors[i].text, full.errors[i].text) << file;
            EXPECT_EQ(scan.errors[i].message, full.errors[i].message) << file;
        }
    }
}

// Keys the one-pass check takes or leaves: whatever it takes, the general
// reader takes with the same facts; whatever it leaves is read (or
// rejected, with the usual message) by the general reader.
TEST(DpFlowView, CanonicalKeyCheckAgreesWithTheGeneralReader) {
    const std::vector<std::string> keys = {
        "recirc_id(0),in_port(rep0),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
        "ipv4(src=10.0.0.1/255.255.255.0,dst=10.0.0.2,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=80)",
        "skb_priority(0/0),ct_state(-new+est+trk),ct_zone(0x5),recirc_id(0x3),in_port(2),eth_type(0x8100),"
        "vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.1,proto=1,frag=no),icmp(type=8/0,code=0/0))",
        "in_port(rep0),eth_type(0x86dd),ipv6(src=2001:db8::1/::,dst=2001:db8::2,label=0/0,proto=58),"
        "icmpv6(type=128,code=0)",
        "tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,flags(-df+csum)),in_port(vx0),eth_type(0x0800)",  // nested
        "in_port( rep0),eth_type(0x0800)",                  // a blank inside: general path
        "in_port(rep0), eth_type(0x0800)",                  // ", " ends the key after in_port
        "in_port(rep0),encap(),eth_type(0x0800)",           // empty encap: general path accepts it
        "in_port(rep0),ipv4(src=10.0.0.1,,proto=6)",        // empty attribute
        "in_port(rep0),ipv4(src=10.0.0.300)",               // bad address
        "in_port(rep0),tcp_flags(+bogus)",                  // bad flag
        "in_port(rep0),recirc_id(0x1ffffffff)",             // recirc_id too large
        "in_port(rep0),eth_type(0x0800)x(1)",               // junk between items
        "in_port(rep0),eth(src=02:00:00:00:00:01",          // unbalanced
        "in_port(rep0),encap(encap(encap(encap(encap(encap(encap(encap(encap(eth_type(0x0800))))))))))",
        "",
    };
    for (const std::string& key : keys) {
        const std::string line_rest = key + ", packets:1, bytes:2, used:never, actions:drop";
        DpKeyFacts fast;
        const auto length = check_canonical_dpflow_key(line_rest, fast);
        if (length) {
            // Where the general path would end the key too.
            EXPECT_EQ(*length, std::min(key.size(), key.find(", "))) << key;
            DpKeyFacts general;
            const auto err = read_dpflow_key(std::string_view(line_rest).substr(0, *length), general, nullptr, nullptr);
            EXPECT_FALSE(err) << key << ": " << *err;
            EXPECT_EQ(fast.in_port, general.in_port) << key;
            EXPECT_EQ(fast.recirc_id, general.recirc_id) << key;
        }
        // The scan of the whole line matches the full parser either way.
        DpFlowView v;
        const auto scan_err = scan_dpflow_line(line_rest, v);
        const DpFlowLineResult full = parse_dpflow_line(line_rest);
        EXPECT_EQ(scan_err, full.error) << key;
        if (!scan_err && full.flow) expect_same(to_dpflow(v), *full.flow, key);
    }
    // OVS's own spelling takes the fast path.
    // The facts point into the text: it must outlive them.
    DpKeyFacts facts;
    const std::string first = keys[0] + ", packets:1", second = keys[1] + ", packets:1",
                      odd = keys[3] + ", packets:1";
    EXPECT_TRUE(check_canonical_dpflow_key(first, facts));
    EXPECT_EQ(facts.in_port, "rep0");
    EXPECT_TRUE(check_canonical_dpflow_key(second, facts));
    EXPECT_EQ(facts.recirc_id, 3u);
    EXPECT_FALSE(check_canonical_dpflow_key(odd, facts));
}

TEST(DpFlowView, CountersCreditViewsAsTheyCreditFullRecords) {
    const std::string first = data("netdev-normal-m.txt");
    const std::string second = data("netdev-normal-m-poll2.txt") + data("netdev-ct-m.txt");
    PlacementCounters by_view, by_flow;
    const DpFlowScan s1 = scan_dpflow_dump(first), s2 = scan_dpflow_dump(second);
    const DpFlowDump f1 = parse_dpflow_dump(first), f2 = parse_dpflow_dump(second);
    std::vector<TrafficCounts> per_view, per_flow;
    EXPECT_EQ(by_view.add_poll(s1.flows, per_view), by_flow.add_poll(f1.flows, per_flow));
    EXPECT_EQ(per_view, per_flow);
    EXPECT_EQ(by_view.add_poll(s2.flows, per_view), by_flow.add_poll(f2.flows, per_flow));
    EXPECT_EQ(per_view, per_flow);
    EXPECT_EQ(by_view.totals(), by_flow.totals());
    EXPECT_EQ(by_view.tracked(), by_flow.tracked());
}

TEST(DpFlowView, PollKeepsTheTextItsFlowsViewInto) {
    UnixctlClient unused;
    DatapathMonitor mon(unused);
    DatapathPoll kept;
    {
        DatapathPoll p;
        mon.process(data("kernel-tc-m.txt"), p);  // a temporary: the poll copies it
        kept = p;
    }
    const DpFlowDump full = parse_dpflow_dump(data("kernel-tc-m.txt"));
    ASSERT_EQ(kept.flows.size(), full.flows.size());
    for (size_t i = 0; i < kept.flows.size(); ++i) {
        EXPECT_EQ(kept.flows[i].flow.key_text, full.flows[i].key_text);
        EXPECT_EQ(kept.flows[i].flow.actions_text, full.flows[i].actions_text);
    }
    auto shared = std::make_shared<const std::string>(data("kernel-tc-m.txt"));
    DatapathPoll p;
    mon.process(shared, p);
    EXPECT_EQ(p.text, shared);  // handed over, not copied
}

}  // namespace
}  // namespace snoc::ovs
