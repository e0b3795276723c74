// The compact per-poll records (dpflow_view.h) and the one-pass key check
// (dpflow_key.h): they must read every dump exactly as the full parser does.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <sstream>
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

// Two records of the same text: the same views (same place, same length),
// not only equal text.
void expect_same_view(std::string_view a, std::string_view b, const std::string& where) {
    EXPECT_EQ(static_cast<const void*>(a.data()), static_cast<const void*>(b.data())) << where;
    EXPECT_EQ(a.size(), b.size()) << where;
}

void expect_same_scan(const DpFlowScan& a, const DpFlowScan& b, const std::string& where) {
    ASSERT_EQ(a.flows.size(), b.flows.size()) << where;
    for (size_t i = 0; i < a.flows.size(); ++i) {
        const DpFlowView& x = a.flows[i];
        const DpFlowView& y = b.flows[i];
        const std::string at = where + " flow " + std::to_string(i);
        ASSERT_EQ(x.ufid.has_value(), y.ufid.has_value()) << at;
        if (x.ufid) expect_same_view(*x.ufid, *y.ufid, at);
        expect_same_view(x.key_text, y.key_text, at);
        expect_same_view(x.in_port, y.in_port, at);
        EXPECT_EQ(x.packets, y.packets) << at;
        EXPECT_EQ(x.bytes, y.bytes) << at;
        EXPECT_EQ(x.used_seconds, y.used_seconds) << at;
        EXPECT_EQ(x.offloaded, y.offloaded) << at;
        EXPECT_EQ(x.partial_offload, y.partial_offload) << at;
        EXPECT_EQ(x.recirc_id, y.recirc_id) << at;
        expect_same_view(x.dp, y.dp, at);
        expect_same_view(x.actions_text, y.actions_text, at);
        expect_same_view(x.dp_extra_info, y.dp_extra_info, at);
        EXPECT_EQ(x.source, y.source) << at;  // "" is not always the same place
    }
    ASSERT_EQ(a.errors.size(), b.errors.size()) << where;
    for (size_t i = 0; i < a.errors.size(); ++i) {
        EXPECT_EQ(a.errors[i].line, b.errors[i].line) << where << " error " << i;
        EXPECT_EQ(a.errors[i].text, b.errors[i].text) << where << " error " << i;
        EXPECT_EQ(a.errors[i].message, b.errors[i].message) << where << " error " << i;
    }
}

// Every recorded dump's lines, and the odd ones a dump can hold: blank
// lines, CRLF, section headers, unreadable lines.
std::vector<std::string> corpus_lines() {
    std::vector<std::string> lines;
    for (const char* file : {"dpdk-offload-m.txt", "kernel-netdevsim-offloaded-m.txt", "kernel-skip_hw-m.txt",
                             "kernel-skip_sw-fallback-m.txt", "kernel-tc-m.txt", "netdev-ct-m.txt",
                             "netdev-normal-m-poll2.txt", "netdev-normal-m.txt", "netdev-normal.txt"}) {
        std::istringstream in(data(file));
        for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    for (const char* odd : {"", "   ", "\r", "flow-dump from pmd on cpu core: 3", "flow-dump from the main thread:",
                            "flow-dump from :", "not a flow", "ufid:, x(1), packets:1, bytes:1, actions:drop",
                            "in_port(1),eth_type(0x0800), packets:1, bytes:2, used:never, actions:drop\r",
                            "in_port(1), packets:x, bytes:2, used:never, actions:drop"}) {
        lines.emplace_back(odd);
    }
    return lines;
}

// A dump read in parallel parts is the dump read in one pass: the same
// records (the same views), order, errors, line numbers and sections,
// wherever the parts are cut (min_part_bytes 1 cuts small dumps too).
TEST(DpFlowView, PartsReadInParallelAreOnePass) {
    const std::vector<std::string> lines = corpus_lines();
    std::mt19937 rng(6);
    for (int round = 0; round < 300; ++round) {
        std::string text;
        const size_t count = 1 + rng() % 120;
        for (size_t i = 0; i < count; ++i) {
            text += lines[rng() % lines.size()];
            if (i + 1 < count || rng() % 2) text += rng() % 5 == 0 ? "\r\n" : "\n";
        }
        const DpFlowScan one = scan_dpflow_dump(text, 1);
        const DpFlowDump full = parse_dpflow_dump(text);
        ASSERT_EQ(one.flows.size(), full.flows.size());
        for (size_t i = 0; i < one.flows.size(); ++i) EXPECT_EQ(one.flows[i].source, full.flows[i].source);
        for (const unsigned threads : {2u, 3u, 5u, 16u}) {
            const size_t min_part = rng() % 2 ? 1 : 1 + rng() % 400;
            const std::string where =
                "round " + std::to_string(round) + ", " + std::to_string(threads) + " threads";
            expect_same_scan(scan_dpflow_dump(text, threads, min_part), one, where);
            if (HasFatalFailure()) return;
        }
    }
    // The edges: empty, one line, no newline at all, only newlines.
    for (const std::string& text : std::vector<std::string>{"", "\n", "\n\n\n\n", "x(1), packets:1, bytes:1, actions:drop",
                                   std::string(1000, '\n')}) {
        expect_same_scan(scan_dpflow_dump(text, 4, 1), scan_dpflow_dump(text, 1), "edge");
    }
}

// What a poll credits does not depend on how many threads read the dump.
TEST(DpFlowView, CountersCreditAPartedReadAsOnePass) {
    const std::vector<std::string> lines = corpus_lines();
    std::mt19937 rng(61);
    PlacementCounters by_one, by_parts;
    for (int poll = 0; poll < 40; ++poll) {
        std::string text;
        for (size_t i = 0, count = rng() % 200; i < count; ++i) text += lines[rng() % lines.size()] + "\n";
        const DpFlowScan one = scan_dpflow_dump(text, 1);
        const DpFlowScan parts = scan_dpflow_dump(text, 2 + rng() % 4, 1);
        std::vector<TrafficCounts> per_one, per_parts;
        EXPECT_EQ(by_one.add_poll(one.flows, per_one), by_parts.add_poll(parts.flows, per_parts)) << poll;
        EXPECT_EQ(per_one, per_parts) << poll;
    }
    EXPECT_EQ(by_one.totals(), by_parts.totals());
    EXPECT_EQ(by_one.tracked(), by_parts.tracked());
}

TEST(DpFlowView, MonitorReadsWithItsConfiguredThreads) {
    std::string text;
    const std::string tc = data("kernel-tc-m.txt");
    while (text.size() < 3 * kDpflowMinPartBytes) text += tc;  // large enough to be parted
    UnixctlClient unused;
    MonitorOptions one_thread;
    one_thread.scan_threads = 1;
    one_thread.baseline_first_poll = false;
    MonitorOptions three = one_thread;
    three.scan_threads = 3;
    DatapathMonitor a(unused, one_thread), b(unused, three);
    auto shared = std::make_shared<const std::string>(text);
    DatapathPoll pa, pb;
    a.process(shared, pa);
    b.process(shared, pb);
    ASSERT_EQ(pa.flows.size(), pb.flows.size());
    ASSERT_GT(pa.flows.size(), 0u);
    for (size_t i = 0; i < pa.flows.size(); ++i) {
        expect_same_view(pa.flows[i].flow.key_text, pb.flows[i].flow.key_text, "flow " + std::to_string(i));
        EXPECT_EQ(pa.flows[i].delta, pb.flows[i].delta);
    }
    EXPECT_EQ(pa.delta, pb.delta);
    EXPECT_EQ(pa.error_count, pb.error_count);
}

}  // namespace
}  // namespace snoc::ovs
