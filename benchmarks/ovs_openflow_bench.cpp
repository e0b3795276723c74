// OpenFlow programming against a real ovs-vswitchd (private, in its own
// network namespace, userspace datapath), in the same run as the peer tool:
//
//   (b) apply a 10,000-flow policy: OpenflowProgrammer::install() vs
//       `ovs-ofctl --bundle add-flows BR FILE` of the same flows (what an
//       operator would run by hand); prints both and the ratio (target <= 1.2);
//   (c) change one rule of the 10,000: OpenflowProgrammer::update() with its
//       in-memory record (one-line bundle, no dump), the same change through
//       resync() (dump + diff + bundle), and the floor: one ovs-ofctl exec
//       with a one-flow bundle (target <= 20 ms).
//
// Each figure is the median of several runs; flows are removed between
// install runs. Needs root and OVS (scripts/install-ovs.sh); prints why
// and exits 0 without them, since it is a benchmark, not a test.
//
//   snoc_bench_ovs_openflow [N] [REPEATS]   (default 10000 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "offload/policy_syntax.h"
#include "ovs-integration/openflow_programmer.h"
#include "ovs-integration/openflow_render.h"
#include "tests/ovs/ovs_daemons.h"

namespace {

using snoc::offload::Status;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

snoc::flow::Flow rule(size_t i, const char* port) {
    char text[160];
    std::snprintf(text, sizeof text, "priority=100,ip,nw_dst=10.%zu.%zu.%zu actions=output:%s", (i >> 16) & 0xff,
                  (i >> 8) & 0xff, i & 0xff, port);
    snoc::flow::Flow f = *snoc::flow::parse_policy_flow(text).flow;
    f.cookie = snoc::ovs::policy_cookie("rule-" + std::to_string(i));
    return f;
}

bool check(const Status& s, const char* what) {
    if (s.ok()) return true;
    std::fprintf(stderr, "ovs_openflow_bench: %s: %s\n", what, snoc::offload::to_string(s).c_str());
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
    const size_t repeats = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 5;
    if (!snoc::test::ovs_skip_reason().empty()) {
        std::printf("ovs_openflow_bench: skipped: %s\n", snoc::test::ovs_skip_reason().c_str());
        return 0;
    }
    snoc::test::OvsSandbox ovs;
    if (!check(ovs.start(true), "starting OVS")) return 1;
    if (!check(ovs.vsctl({"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "--", "add-port",
                          "br0", "p1", "--", "set", "Interface", "p1", "type=internal", "--", "add-port", "br0", "p2",
                          "--", "set", "Interface", "p2", "type=internal"}),
               "creating br0")) {
        return 1;
    }
    const std::string target = ovs.ofctl_target("br0");
    std::vector<snoc::flow::Flow> desired;
    desired.reserve(n);
    for (size_t i = 0; i < n; ++i) desired.push_back(rule(i, i % 2 == 0 ? "p1" : "p2"));
    const std::string file = ovs.dir() + "/policy.flows";
    {
        std::ofstream out(file);
        for (const auto& f : desired) out << snoc::flow::format_flow(f) << '\n';
    }
    snoc::ovs::OpenflowProgrammer programmer(snoc::ovs::OpenflowOptions{"br0", target, "ovs-ofctl", std::chrono::seconds(120), {}});

    // (b) install: peer and snoc alternate, each from an empty table.
    std::vector<double> peer_ms, snoc_ms;
    for (size_t r = 0; r < repeats; ++r) {
        if (!check(programmer.remove_all(), "remove_all")) return 1;
        auto t = Clock::now();
        if (!check(snoc::test::run({"ovs-ofctl", "-O", "OpenFlow14", "--bundle", "add-flows", target, file}),
                   "ovs-ofctl --bundle add-flows")) {
            return 1;
        }
        peer_ms.push_back(ms_since(t));
        if (!check(programmer.remove_all(), "remove_all")) return 1;
        t = Clock::now();
        if (!check(programmer.install(desired), "install")) return 1;
        snoc_ms.push_back(ms_since(t));
    }
    const double peer = median(peer_ms), mine = median(snoc_ms);
    std::printf("apply a %zu-flow policy (median of %zu, same vswitchd):\n", n, repeats);
    std::printf("  ovs-ofctl --bundle add-flows FILE   %8.1f ms\n", peer);
    std::printf("  OpenflowProgrammer::install         %8.1f ms   ratio %.2f (target <= 1.2)\n", mine, mine / peer);

    // (c) one changed rule, with the record (first a resync to establish it).
    snoc::ovs::FlowMods done;
    if (!check(programmer.resync(desired, done), "resync")) return 1;
    std::vector<double> update_ms, resync_ms;
    for (size_t r = 0; r < repeats * 4; ++r) {
        const size_t i = (r * 997) % n;
        desired[i] = rule(i, std::get<snoc::flow::Output>(desired[i].actions[0]).port == "p1" ? "p2" : "p1");
        auto t = Clock::now();
        if (!check(programmer.update(desired, done), "update")) return 1;
        update_ms.push_back(ms_since(t));
        if (done.mods.size() != 1) {
            std::fprintf(stderr, "ovs_openflow_bench: update sent %zu flow mods, expected 1\n", done.mods.size());
            return 1;
        }
        if (r % 4 == 0) {
            desired[i] = rule(i, std::get<snoc::flow::Output>(desired[i].actions[0]).port == "p1" ? "p2" : "p1");
            t = Clock::now();
            if (!check(programmer.resync(desired, done), "resync")) return 1;
            resync_ms.push_back(ms_since(t));
        }
    }
    // The floor of any change made through ovs-ofctl: one exec of it with a
    // one-flow bundle (the same flow as it now is, so nothing changes).
    const std::string one = ovs.dir() + "/one.flow";
    {
        std::ofstream out(one);
        out << snoc::flow::format_flow(desired[0]) << '\n';
    }
    std::vector<double> floor_ms;
    for (size_t r = 0; r < repeats * 4; ++r) {
        const auto t = Clock::now();
        if (!check(snoc::test::run({"ovs-ofctl", "-O", "OpenFlow14", "--bundle", "add-flows", target, one}),
                   "ovs-ofctl one flow")) {
            return 1;
        }
        floor_ms.push_back(ms_since(t));
    }
    // The same one-flow bundle through OpenflowProgrammer::apply(): the
    // exec path alone, without update()'s diff.
    std::vector<double> apply_ms;
    for (size_t r = 0; r < repeats * 4; ++r) {
        const auto t = Clock::now();
        if (!check(programmer.apply({{snoc::ovs::FlowMod::Kind::Modify, desired[0]}}), "apply one flow")) return 1;
        apply_ms.push_back(ms_since(t));
    }
    snoc::ovs::FlowDrift drift;
    if (!check(programmer.drift(desired, drift), "drift") || !drift.clean()) {
        std::fprintf(stderr, "ovs_openflow_bench: the switch does not hold the desired flows after the updates\n");
        return 1;
    }
    std::printf("change 1 rule of %zu (median of %zu; max %.1f ms):\n", n, update_ms.size(),
                *std::max_element(update_ms.begin(), update_ms.end()));
    std::printf("  update() with the in-memory record  %8.1f ms   (target <= 20 ms)\n", median(update_ms));
    std::printf("  ovs-ofctl --bundle of 1 flow (floor)%8.1f ms   update / floor %.2f\n", median(floor_ms),
                median(update_ms) / median(floor_ms));
    std::printf("  apply() of the same 1-flow bundle   %8.1f ms\n", median(apply_ms));
    std::printf("  resync(): dump + diff + bundle      %8.1f ms\n", median(resync_ms));
    return 0;
}
