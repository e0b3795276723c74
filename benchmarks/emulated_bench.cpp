// The emulated eBPF eSwitch on the host kernel (root):
//  1. rule install / delete rate into its kernel table through the backend
//     (translation + EswTable + bpf(2) map updates), with 1 and with 16 masks;
//  2. ping latency and a UDP burst through its fast path (a rule pair between
//     two containers), against a plain veth pair (the floor) and the
//     software slow path (misses to the representors, switched by a Linux
//     bridge standing in for OVS).
//
//   snoc_bench_emulated [N]     (default 4096 = nic-profiles/sim.yaml's emulated max_rules)
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "host_topology.h"

namespace {

using snoc::offload::HwRule;
using snoc::test::HostTopology;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

HwRule policy_rule(uint64_t cookie, const std::string& port, const std::string& text) {
    HwRule r;
    (void)snoc::test::policy_rule(cookie, port, text, r);  // the benchmark's own rules always parse
    return r;
}

// N rules; with `masks` > 1 the rules spread over that many nw_dst prefix lengths.
std::vector<HwRule> rules(size_t n, int masks) {
    std::vector<HwRule> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const int prefix = 32 - static_cast<int>(i % static_cast<size_t>(masks));
        const std::string dst = "10." + std::to_string((i >> 8) & 0xff) + "." + std::to_string(i & 0xff) + ".0";
        out.push_back(policy_rule(i + 1, "rep0",
                                  "priority=100,udp,nw_dst=" + dst + "/" + std::to_string(prefix) +
                                      ",tp_dst=" + std::to_string(1000 + i % 50000) + " actions=output:rep1"));
    }
    return out;
}

// Best of three rounds: the first one also pays for page faults in the maps.
void install_rate(HostTopology& topo, size_t n, int masks) {
    const std::vector<HwRule> want = rules(n, masks);
    snoc::offload::HwSyncReport added, deleted;
    double add_s = 1e9, del_s = 1e9;
    for (int round = 0; round < 3; ++round) {
        auto t = Clock::now();
        added = topo.backend().sync(want, {"rep0"});
        add_s = std::min(add_s, seconds_since(t));
        t = Clock::now();
        deleted = topo.backend().sync({}, {"rep0"});
        del_s = std::min(del_s, seconds_since(t));
    }
    std::printf("  %2d mask(s) %8zu rules  install %10.0f rules/s  delete %10.0f rules/s  (failures %zu / %zu)\n", masks,
                added.added, static_cast<double>(added.added) / add_s, static_cast<double>(deleted.deleted) / del_s,
                added.failures.size(), deleted.failures.size());
    if (!added.failures.empty()) std::printf("    first failure: %s\n", snoc::offload::to_string(added.failures[0].second).c_str());
}

// "rtt min/avg/max/mdev = a/b/c/d ms" -> "avg b us, min a us".
std::string ping_rtt(const std::string& ns, const std::string& dst) {
    const std::string out = snoc::test::output_of("ip netns exec " + ns + " ping -q -c 500 -i 0.002 -W 1 " + dst);
    const auto at = out.find("= ");
    if (at == std::string::npos) return "ping failed";
    double mn = 0, avg = 0, mx = 0, mdev = 0;
    if (std::sscanf(out.c_str() + at + 2, "%lf/%lf/%lf/%lf", &mn, &avg, &mx, &mdev) != 4) return "unparsed";
    char buf[96];
    std::snprintf(buf, sizeof buf, "avg %6.1f us  min %6.1f us  mdev %6.1f us", avg * 1000, mn * 1000, mdev * 1000);
    return buf;
}

// A burst of `n` datagrams: sent per second, and how many arrived (a
// receiver thread drains the socket while the burst runs).
std::string udp_burst(const std::string& from_ns, const std::string& to_ns, const std::string& dst, int n) {
    const int fd = snoc::test::udp_listen(to_ns, dst, 5001);
    if (fd < 0) return "no listener";
    std::atomic<bool> sending{true};
    int got = 0;
    std::thread receiver([&] {
        char buf[2048];
        for (int idle = 0; sending || idle < 25;) {
            if (::recv(fd, buf, sizeof buf, 0) >= 0) {
                ++got;
                idle = 0;
                continue;
            }
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 20) == 0 && !sending) ++idle;
        }
    });
    const auto t = Clock::now();
    const int sent = snoc::test::udp_send(from_ns, dst, 5001, n, 64);
    const double s = seconds_since(t);
    sending = false;
    receiver.join();
    ::close(fd);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%8.0f pkt/s sent, %d of %d delivered", sent / s, got, sent);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 4096;
    if (::geteuid() != 0) {
        std::fprintf(stderr, "snoc_bench_emulated: needs root (namespaces, BPF, tc)\n");
        return 77;
    }
    HostTopology topo(2);
    if (!topo.ok()) {
        std::fprintf(stderr, "snoc_bench_emulated: %s\n", topo.error().c_str());
        return 1;
    }
    if (std::string why = topo.load(static_cast<uint32_t>(n)); !why.empty()) {
        std::fprintf(stderr, "snoc_bench_emulated: %s\n", why.c_str());
        return 1;
    }

    std::printf("emulated eSwitch rule install / delete through the backend (translate + table + bpf map update)\n");
    install_rate(topo, n, 1);
    install_rate(topo, n, 16);

    // A plain veth pair between two namespaces: the floor any switch adds to.
    const std::string a = topo.ns("pa"), b = topo.ns("pb");
    std::system(("ip netns add " + a + " && ip netns add " + b + " && ip -n " + a + " link add va type veth peer name vb netns " + b +
                 " && ip -n " + a + " addr add 10.99.0.1/24 dev va && ip -n " + b + " addr add 10.99.0.2/24 dev vb && ip -n " + a +
                 " link set va up && ip -n " + b + " link set vb up && ip -n " + a + " link set lo up && ip -n " + b +
                 " link set lo up")
                    .c_str());

    std::printf("\nping c0 -> c1 (500 x, 2 ms apart) and a 200000-datagram UDP burst (64 B payload)\n");
    std::printf("  %-34s %s\n", "plain veth pair (no switch)", ping_rtt(a, "10.99.0.2").c_str());
    std::printf("  %-34s %s\n", "", udp_burst("/run/netns/" + a, "/run/netns/" + b, "10.99.0.2", 200000).c_str());

    topo.backend().sync({policy_rule(1, "rep0", "priority=10 actions=output:rep1"),
                         policy_rule(2, "rep1", "priority=10 actions=output:rep0")},
                        {"rep0", "rep1"});
    std::printf("  %-34s %s\n", "eSwitch fast path (rule hit)", ping_rtt(topo.container(0), HostTopology::ip(1)).c_str());
    std::printf("  %-34s %s\n", "", udp_burst(topo.ns_path("c0"), topo.ns_path("c1"), HostTopology::ip(1), 200000).c_str());

    // Slow path: no rules; misses reach rep0 / rep1, a Linux bridge switches them.
    topo.backend().sync({}, {"rep0", "rep1"});
    const std::string host = topo.ns("host");
    std::system(("ip -n " + host + " link add br0 type bridge && ip -n " + host + " link set rep0 master br0 && ip -n " + host +
                 " link set rep1 master br0 && ip -n " + host + " link set br0 up")
                    .c_str());
    std::printf("  %-34s %s\n", "slow path (miss -> rep -> bridge)", ping_rtt(topo.container(0), HostTopology::ip(1)).c_str());
    std::printf("  %-34s %s\n", "", udp_burst(topo.ns_path("c0"), topo.ns_path("c1"), HostTopology::ip(1), 200000).c_str());

    std::system(("ip netns del " + a + "; ip netns del " + b).c_str());
    if (std::string why = topo.teardown(); !why.empty()) {
        std::fprintf(stderr, "snoc_bench_emulated: teardown: %s\n", why.c_str());
        return 1;
    }
    return 0;
}
