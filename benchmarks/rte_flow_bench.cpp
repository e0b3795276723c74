// Installs and removes N rules through the rte_flow backend on net_tap (a
// real PMD whose rte_flow is kernel tc flower), then the same N rules
// through snoc's tc backend on a veth, in the same boot; prints rules/s for
// both and the ratio. Needs root and a kernel with flower (VM tier:
// tests/vm/rte-flow.sh).
//
//   snoc_bench_rte_flow [N]     (default 2000, at most 60000)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "flow/policy_syntax.h"
#include "offload/rte_flow/dpdk/rte_eal.h"
#include "offload/rte_flow/dpdk/rte_flow_backend.h"
#include "offload/tc/tc_backend.h"

namespace {

using namespace snoc::offload;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The same rules for both backends: one priority, distinct UDP ports, drop.
std::vector<HwRule> rules_on(const std::string& port, size_t n) {
    std::vector<HwRule> out;
    for (size_t i = 0; i < n; ++i) {
        auto parsed = snoc::flow::parse_policy_flow("udp,tp_dst=" + std::to_string(1000 + i) + " actions=drop");
        HwRule r;
        r.cookie = i + 1;  // distinct tc handles (handle_for folds the cookie to 32 bits)
        r.port = port;
        r.flow = *parsed.flow;
        r.priority = r.flow.priority;
        out.push_back(std::move(r));
    }
    return out;
}

struct Rates {
    double install = 0, remove = 0;
};

bool measure(OffloadBackend& b, const std::string& port, size_t n, Rates& out) {
    const auto rules = rules_on(port, n);
    auto t = Clock::now();
    const HwSyncReport add = b.sync(rules, {port});
    out.install = n / seconds_since(t);
    if (!add.ok() || add.added != n) {
        std::cerr << "  " << to_string(b.kind()) << ": installed " << add.added << " of " << n
                  << (add.failures.empty() ? "" : ": " + add.failures.front().second.reason) << "\n";
        return false;
    }
    t = Clock::now();
    const HwSyncReport del = b.sync({}, {port});
    out.remove = n / seconds_since(t);
    return del.ok() && del.deleted == n;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
    if (n == 0 || n > 60000) {
        std::cerr << "usage: snoc_bench_rte_flow [N]   (1..60000 rules)\n";
        return 2;
    }
    const std::string prefix = "snoc-bench-" + std::to_string(getpid());
    Status s = rte::init_eal({"--no-huge", "-m", "512", "--no-pci", "--vdev", "net_tap0,iface=snocbtap0", "--file-prefix",
                              prefix, "--no-telemetry", "--log-level", "lib.eal:error", "--log-level", "pmd.net.tap:crit"});
    if (s.ok()) s = rte::start_port(0, 1);
    if (!s.ok()) {
        std::cerr << "snoc_bench_rte_flow: " << to_string(s) << "\n";
        return 2;
    }
    Rates rte_rates, tc_rates;
    bool ok = true;
    {
        rte::RteFlowOptions o;
        o.mode = rte::Mode::Ingress;
        o.ethdevs = {{"tap0", "net_tap0"}};
        std::unique_ptr<rte::RteFlowBackend> b;
        if (s = rte::RteFlowBackend::open(b, o); !s.ok()) {
            std::cerr << "snoc_bench_rte_flow: " << to_string(s) << "\n";
            return 2;
        }
        ok = measure(*b, "tap0", n, rte_rates) && ok;
    }
    rte::close_all_ports();

    std::system("ip link del snocbveth0 2>/dev/null; ip link add snocbveth0 type veth peer name snocbveth1");
    std::unique_ptr<tc::TcBackend> tcb;
    if (s = tc::TcBackend::open(tcb); !s.ok()) {
        std::cerr << "snoc_bench_rte_flow: tc backend: " << to_string(s) << "\n";
        return 2;
    }
    ok = measure(*tcb, "snocbveth0", n, tc_rates) && ok;
    std::system("ip link del snocbveth0 2>/dev/null");

    std::printf("rte_flow vs tc backend, %zu rules (udp dst exact, drop), same boot:\n", n);
    std::printf("  rte_flow on net_tap   install %9.0f rules/s   remove %9.0f rules/s\n", rte_rates.install, rte_rates.remove);
    std::printf("  tc backend on veth    install %9.0f rules/s   remove %9.0f rules/s\n", tc_rates.install, tc_rates.remove);
    std::printf("  ratio rte_flow / tc   install %9.2f           remove %9.2f\n", rte_rates.install / tc_rates.install,
                rte_rates.remove / tc_rates.remove);
    return ok ? 0 : 1;
}
