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
// (b) and (c) run twice: with port numbers read from OVSDB before each
// bundle (the controller's way: ovs-ofctl --no-names asks the switch for
// no port or table names) and with port names (the fallback).
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

#include "flow/policy_syntax.h"
#include "ovs-integration/ofport_numbers.h"
#include "ovs-integration/openflow_programmer.h"
#include "ovs-integration/ovsdb_client.h"
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

// "what" + "mode" as one printf column.
const char* label(const char* what, const char* mode) {
    static std::string text;
    text = std::string(what) + mode;
    return text.c_str();
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
    // The controller's programmer takes port numbers from OVSDB before each
    // bundle (ovs-ofctl --no-names); the other sends names, as it does when
    // OVSDB cannot be read.
    snoc::ovs::OvsdbOptions dbo;
    dbo.socket_path = ovs.db_socket();
    snoc::ovs::OvsdbClient db(dbo);
    if (!check(db.connect(), "connecting to OVSDB")) return 1;
    snoc::ovs::OpenflowOptions numbered_options = snoc::ovs::OpenflowOptions::for_bridge("br0", target);
    numbered_options.port_numbers = [&db](snoc::ovs::OfportNumbers& numbers) {
        return snoc::ovs::read_ofport_numbers(db, "br0", numbers);
    };
    snoc::ovs::OpenflowProgrammer numbered(numbered_options);
    snoc::ovs::OpenflowProgrammer named(snoc::ovs::OpenflowOptions::for_bridge("br0", target));
    struct Mode {
        const char* name;
        snoc::ovs::OpenflowProgrammer* programmer;
        bool numbers;
    };
    const Mode modes[] = {{"ports as numbers (controller)", &numbered, true}, {"ports as names", &named, false}};

    // (b) install: the peer and each mode alternate, each from an empty table.
    std::vector<double> peer_ms, mode_ms[2];
    for (size_t r = 0; r < repeats; ++r) {
        if (!check(named.remove_all(), "remove_all")) return 1;
        auto t = Clock::now();
        if (!check(snoc::test::run({"ovs-ofctl", "-O", "OpenFlow14", "--bundle", "add-flows", target, file}),
                   "ovs-ofctl --bundle add-flows")) {
            return 1;
        }
        peer_ms.push_back(ms_since(t));
        for (size_t m = 0; m < 2; ++m) {
            if (!check(named.remove_all(), "remove_all")) return 1;
            t = Clock::now();
            if (!check(modes[m].programmer->install(desired), "install")) return 1;
            mode_ms[m].push_back(ms_since(t));
            if (modes[m].programmer->last_bundle_numbered() != modes[m].numbers) {
                std::fprintf(stderr, "ovs_openflow_bench: install did not name ports as %s\n", modes[m].name);
                return 1;
            }
        }
    }
    const double peer = median(peer_ms);
    std::printf("apply a %zu-flow policy (median of %zu, same vswitchd):\n", n, repeats);
    std::printf("  %-50s%8.1f ms\n", "ovs-ofctl --bundle add-flows FILE", peer);
    for (size_t m = 0; m < 2; ++m) {
        std::printf("  %-50s%8.1f ms   ratio %.2f (target <= 1.2)\n", label("install(), ", modes[m].name), median(mode_ms[m]),
                    median(mode_ms[m]) / peer);
    }

    // (c) one changed rule, with the record (first a resync to establish it).
    // The two modes alternate on the same flows; each resyncs first, since
    // the other changed the switch behind its record.
    std::vector<double> update_ms[2], resync_ms;
    for (size_t r = 0; r < repeats * 4; ++r) {
        for (size_t m = 0; m < 2; ++m) {
            snoc::ovs::OpenflowProgrammer& p = *modes[m].programmer;
            snoc::ovs::FlowMods done;
            auto t = Clock::now();
            if (!check(p.resync(desired, done), "resync")) return 1;
            if (m == 0 && r % 4 == 0) resync_ms.push_back(ms_since(t));
            const size_t i = (r * 997 + m) % n;
            desired[i] = rule(i, std::get<snoc::flow::Output>(desired[i].actions[0]).port == "p1" ? "p2" : "p1");
            t = Clock::now();
            if (!check(p.update(desired, done), "update")) return 1;
            update_ms[m].push_back(ms_since(t));
            if (done.mods.size() != 1) {
                std::fprintf(stderr, "ovs_openflow_bench: update sent %zu flow mods, expected 1\n", done.mods.size());
                return 1;
            }
        }
    }
    // The floor of any change made through ovs-ofctl by hand: one exec of it
    // with a one-flow bundle naming its port (the flow as it now is, so
    // nothing changes).
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
    // The same one-flow bundle through apply(): the exec path alone, without
    // update()'s diff.
    std::vector<double> apply_ms[2];
    for (size_t r = 0; r < repeats * 4; ++r) {
        for (size_t m = 0; m < 2; ++m) {
            const auto t = Clock::now();
            if (!check(modes[m].programmer->apply({{snoc::ovs::FlowMod::Kind::Modify, desired[0]}}), "apply one flow")) {
                return 1;
            }
            apply_ms[m].push_back(ms_since(t));
        }
    }
    snoc::ovs::FlowDrift drift;
    if (!check(numbered.drift(desired, drift), "drift") || !drift.clean()) {
        std::fprintf(stderr, "ovs_openflow_bench: the switch does not hold the desired flows after the updates\n");
        return 1;
    }
    const double floor = median(floor_ms);
    std::printf("change 1 rule of %zu (median of %zu):\n", n, update_ms[0].size());
    for (size_t m = 0; m < 2; ++m) {
        std::printf("  %-50s%8.1f ms   (target <= 20 ms; max %.1f ms)\n", label("update(), ", modes[m].name),
                    median(update_ms[m]), *std::max_element(update_ms[m].begin(), update_ms[m].end()));
    }
    std::printf("  %-50s%8.1f ms   (floor by hand; update / floor %.2f)\n", "ovs-ofctl --bundle of 1 named flow", floor,
                median(update_ms[0]) / floor);
    for (size_t m = 0; m < 2; ++m) {
        std::printf("  %-50s%8.1f ms\n", label("apply() of 1 flow, ", modes[m].name), median(apply_ms[m]));
    }
    std::printf("  %-50s%8.1f ms\n", "resync(): dump + diff + bundle", median(resync_ms));
    return 0;
}
