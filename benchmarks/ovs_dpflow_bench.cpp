// Parses and classifies a datapath flow dump the size of OVS's default
// flow-limit (200,000 flows), as DatapathMonitor does each poll, and prints
// flows/s and the memory it took. The poll path reads compact records
// (dpflow_view.h: every line checked, no canonical Match); the full DpFlow
// for every flow (parse_dpflow_dump) is timed last, for comparison. The dump is generated in the kernel
// datapath's -m format with hw-offload on: a mix of offloaded (dp:tc,
// offloaded:yes), tc-software and OVS flows, IPv4 TCP/UDP, IPv6, VLAN
// encap and conntrack recirculation, like a busy edge server's datapath.
//
// The figure to compare with is the cost of reading the same text at all:
// the baseline pass finds every line's "packets:" and "actions:" (memchr
// speed), so "ratio" says how much the full parse costs on top of touching
// the bytes.
//
//   snoc_bench_ovs_dpflow [N [THREADS]]   (default 200000, and
//                                          default_dpflow_scan_threads())
//   snoc_bench_ovs_dpflow N poll [R [THREADS]]   only the poll path, R times
//                                      (default 5): for profiling, and for a
//                                      median on a noisy machine
// THREADS is how many threads read the dump (scan_dpflow_dump; 1: one
// pass on the calling thread). Compare thread counts in separate runs:
// a second poll path in one process reuses memory the first one faulted
// in, which is much cheaper in a VM.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ovs-integration/datapath_monitor.h"
#include "ovs-integration/dpflow_classify.h"
#include "ovs-integration/dpflow_parse.h"
#include "ovs-integration/dpflow_view.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

long max_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

std::string ip4(size_t i) {
    return "10." + std::to_string((i >> 16) & 0xff) + "." + std::to_string((i >> 8) & 0xff) + "." +
           std::to_string(i & 0xff);
}

std::string mac(size_t i) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "02:00:%02zx:%02zx:%02zx:%02zx", (i >> 24) & 0xff, (i >> 16) & 0xff,
                  (i >> 8) & 0xff, i & 0xff);
    return buf;
}

std::string ufid(size_t i) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%08zx-0c4d-4e5f-8a6b-%012zx", i, i * 2654435761u % 0xffffffffffffu);
    return buf;
}

// One flow line as lib/dpctl.c prints it with -m on the kernel datapath.
std::string flow_line(size_t i) {
    const std::string meta = "skb_priority(0/0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),";
    const std::string in = "in_port(rep" + std::to_string(i % 8) + ")";
    const std::string eth = "eth(src=" + mac(i) + ",dst=" + mac(i + 1) + ")";
    const std::string stats = ", packets:" + std::to_string(i % 1000) + ", bytes:" + std::to_string((i % 1000) * 98) +
                              ", used:" + std::to_string(i % 7) + ".250s";
    std::string placement;
    switch (i % 4) {
        case 0:
        case 1: placement = ", offloaded:yes, dp:tc"; break;
        case 2: placement = ", dp:tc"; break;
        default: placement = ", dp:ovs"; break;
    }
    const std::string out = ", actions:rep" + std::to_string((i + 1) % 8);
    std::string key;
    switch (i % 5) {
        case 0:  // TCP to a service port
            key = meta + "recirc_id(0),dp_hash(0/0)," + in + ",packet_type(ns=0/0,id=0/0)," + eth +
                  ",eth_type(0x0800),ipv4(src=" + ip4(i) + "/0.0.0.0,dst=" + ip4(i + 7) +
                  ",proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=" + std::to_string(80 + i % 100) + ")";
            break;
        case 1:  // UDP
            key = meta + "recirc_id(0),dp_hash(0/0)," + in + ",packet_type(ns=0/0,id=0/0)," + eth +
                  ",eth_type(0x0800),ipv4(src=" + ip4(i) + ",dst=" + ip4(i + 3) +
                  "/255.255.255.0,proto=17,tos=0/0,ttl=0/0,frag=no),udp(src=0/0,dst=53)";
            break;
        case 2:  // IPv6 ICMP
            key = meta + "recirc_id(0),dp_hash(0/0)," + in + ",packet_type(ns=0/0,id=0/0)," + eth +
                  ",eth_type(0x86dd),ipv6(src=2001:db8::" + std::to_string(i % 9999) +
                  "/::,dst=2001:db8::1,label=0/0,proto=58,tclass=0/0,hlimit=64/0,frag=no),icmpv6(type=128,code=0)";
            break;
        case 3:  // VLAN
            key = meta + "recirc_id(0),dp_hash(0/0)," + in + ",packet_type(ns=0/0,id=0/0)," + eth +
                  ",eth_type(0x8100),vlan(vid=" + std::to_string(i % 4094 + 1) +
                  ",pcp=0),encap(eth_type(0x0800),ipv4(src=" + ip4(i) + "/0.0.0.0,dst=" + ip4(i + 1) +
                  ",proto=1,tos=0/0,ttl=0/0,frag=no),icmp(type=8/0,code=0/0))";
            break;
        default:  // conntrack, after recirculation
            key = "skb_priority(0/0),skb_mark(0/0),ct_state(-new+est+trk),ct_zone(0x5),ct_mark(0/0),ct_label(0/0),"
                  "recirc_id(0x" + std::to_string(i % 9 + 1) + "),dp_hash(0/0)," + in + "," + eth +
                  ",eth_type(0x0800),ipv4(src=" + ip4(i) + "/0.0.0.0,dst=" + ip4(i + 5) +
                  ",proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=443),tcp_flags(+ack)";
            break;
    }
    return "ufid:" + ufid(i) + ", " + key + stats + placement + out + "\n";
}

// Touches every line the cheapest way that still finds its fields.
size_t baseline_scan(std::string_view text) {
    size_t found = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        found += line.find("packets:") != std::string_view::npos && line.find("actions:") != std::string_view::npos;
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return found;
}

// The poll path alone, `repeats` times (each with fresh records and a
// fresh table, as a first poll has): per run and the median.
int poll_only(const std::string& dump, size_t n, size_t repeats, unsigned threads) {
    std::vector<double> total;
    for (size_t r = 0; r < repeats; ++r) {
        const auto t = Clock::now();
        snoc::ovs::DpFlowScan parsed = snoc::ovs::scan_dpflow_dump(dump, threads);
        const double read_s = seconds_since(t);
        snoc::ovs::PlacementCounters counters;
        (void)counters.add_poll(parsed.flows);
        const double all_s = seconds_since(t);
        if (parsed.flows.size() != n || !parsed.errors.empty()) {
            std::fprintf(stderr, "ovs_dpflow_bench: parsed %zu of %zu flows\n", parsed.flows.size(), n);
            return 1;
        }
        std::printf("  poll path %8.3f s  %10.0f flows/s  (reading %.3f s, crediting %.3f s)\n", all_s, n / all_s,
                    read_s, all_s - read_s);
        total.push_back(all_s);
    }
    std::sort(total.begin(), total.end());
    const double median = total[total.size() / 2];
    std::printf("  median    %8.3f s  %10.0f flows/s; best %.3f s  %10.0f flows/s\n", median, n / median, total[0],
                n / total[0]);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200000;
    std::string dump;
    dump.reserve(n * 520);
    for (size_t i = 0; i < n; ++i) dump += flow_line(i);
    const long rss_text = max_rss_kib();
    const auto threads_arg = [&](int at) {
        return argc > at ? static_cast<unsigned>(std::strtoul(argv[at], nullptr, 10))
                         : snoc::ovs::default_dpflow_scan_threads();
    };
    if (argc > 2 && std::string_view(argv[2]) == "poll") {
        const size_t repeats = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 5;
        return poll_only(dump, n, repeats == 0 ? 1 : repeats, std::max(1u, threads_arg(4)));
    }
    const unsigned threads = std::max(1u, threads_arg(2));

    auto t = Clock::now();
    const size_t scanned = baseline_scan(dump);
    const double scan_s = seconds_since(t);

    // What a poll does: read every line (checked as a full parse checks
    // it), classify, credit the deltas (first poll: every flow is new).
    t = Clock::now();
    snoc::ovs::DpFlowScan parsed = snoc::ovs::scan_dpflow_dump(dump, threads);
    const double only_scan_s = seconds_since(t);
    snoc::ovs::PlacementCounters counters;
    const snoc::ovs::PlacementTraffic added = counters.add_poll(parsed.flows);
    const double parse_s = seconds_since(t);
    const long rss_parsed = max_rss_kib();

    // The monitor's own path (scan, classify, per-flow deltas, ports) on
    // the same text, second poll. The text is handed over as poll() hands
    // over what it read from the socket (the copy is not timed).
    snoc::ovs::UnixctlClient unused;
    snoc::ovs::MonitorOptions options;
    options.scan_threads = threads;
    snoc::ovs::DatapathMonitor monitor(unused, options);
    snoc::ovs::DatapathPoll poll;
    monitor.process(std::make_shared<const std::string>(dump), poll);
    auto second = std::make_shared<const std::string>(dump);
    t = Clock::now();
    monitor.process(std::move(second), poll);
    const double monitor_s = seconds_since(t);
    const long rss_monitor = max_rss_kib();

    // The full record (canonical Match, owned strings) for every flow.
    t = Clock::now();
    const snoc::ovs::DpFlowDump full = snoc::ovs::parse_dpflow_dump(dump);
    const double full_s = seconds_since(t);
    const long rss_full = max_rss_kib();

    if (parsed.flows.size() != n || !parsed.errors.empty() || scanned != n || poll.flows.size() != n ||
        full.flows.size() != n) {
        std::fprintf(stderr, "ovs_dpflow_bench: parsed %zu of %zu flows, %zu errors%s%s\n", parsed.flows.size(), n,
                     parsed.errors.size(), parsed.errors.empty() ? "" : ", first: ",
                     parsed.errors.empty() ? "" : parsed.errors[0].message.c_str());
        return 1;
    }
    using snoc::offload::Placement;
    std::printf("datapath dump: %zu flows, %.1f MB of text, read by %u thread%s\n", n,
                static_cast<double>(dump.size()) / 1e6, threads, threads == 1 ? "" : "s");
    std::printf("  baseline scan (find packets:/actions:)   %8.3f s  %10.0f flows/s\n", scan_s, n / scan_s);
    std::printf("  parse + classify + credit                %8.3f s  %10.0f flows/s  (%.1fx the scan)\n", parse_s,
                n / parse_s, parse_s / scan_s);
    std::printf("    of which reading the lines             %8.3f s, crediting %.3f s\n", only_scan_s,
                parse_s - only_scan_s);
    std::printf("  DatapathMonitor::process (2nd poll)      %8.3f s  %10.0f flows/s\n", monitor_s, n / monitor_s);
    std::printf("  full DpFlow per flow (parse_dpflow_dump) %8.3f s  %10.0f flows/s\n", full_s, n / full_s);
    const auto per_flow = [n](long kib) { return kib * 1024.0 / static_cast<double>(n); };
    std::printf("  peak RSS: %.1f MB with the text, +%.1f MB parse + credit (%.0f bytes per flow)\n",
                rss_text / 1024.0, (rss_parsed - rss_text) / 1024.0, per_flow(rss_parsed - rss_text));
    std::printf("            +%.1f MB more with the monitor's polls, +%.1f MB more for full DpFlows; peak %.1f MB\n",
                (rss_monitor - rss_parsed) / 1024.0, (rss_full - rss_monitor) / 1024.0, rss_full / 1024.0);
    std::printf("  credited: hardware %llu pkts, tc-software %llu pkts, ovs %llu pkts\n",
                static_cast<unsigned long long>(added[Placement::Hardware].packets),
                static_cast<unsigned long long>(added[Placement::TcSoftware].packets),
                static_cast<unsigned long long>(added[Placement::Ovs].packets));
    return 0;
}
