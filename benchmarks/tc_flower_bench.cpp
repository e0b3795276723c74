// Installs and deletes N flower rules (skip_hw) on a veth, once with snoc's
// engine and once with `tc -batch` on the same rules, in the same boot, and
// prints rules/s for both and the ratio. Needs root and cls_flower (VM tier).
//
//   snoc_bench_tc [N]     (default 100000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "flow/policy_syntax.h"
#include "offload/tc/tc_engine.h"

namespace {

using snoc::offload::Status;
using namespace snoc::offload::tc;
using Clock = std::chrono::steady_clock;

constexpr const char* kDev = "snoc-bench0";
constexpr uint16_t kPrio = 100;

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string nth_ip(size_t i) {
    return "10." + std::to_string((i >> 16) & 0xff) + "." + std::to_string((i >> 8) & 0xff) + "." +
           std::to_string(i & 0xff);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool fresh_device() {
    sh(std::string("ip link del ") + kDev + " 2>/dev/null");
    return sh(std::string("ip link add ") + kDev + " type veth peer name snoc-bench1 && tc qdisc add dev " + kDev +
              " clsact") == 0;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
    if (!fresh_device()) {
        std::cerr << "snoc_bench_tc: cannot create " << kDev << " with clsact (needs root and the VM tier)\n";
        return 2;
    }
    std::unique_ptr<TcEngine> engine;
    if (Status s = TcEngine::open(engine); !s.ok()) {
        std::cerr << "snoc_bench_tc: " << to_string(s) << "\n";
        return 2;
    }
    // The same N rules for both: one preference, distinct destination addresses, drop.
    std::vector<TcRule> rules(n);
    for (size_t i = 0; i < n; ++i) {
        TcRule& r = rules[i];
        r.dev = kDev;
        r.prio = kPrio;
        r.handle = static_cast<uint32_t>(i + 1);
        r.cookie = 0x5c0c000000000000ULL | (i + 1);
        r.skip = SkipPolicy::SkipHw;
        auto parsed = snoc::flow::parse_policy_flow("ip,nw_dst=" + nth_ip(i) + " actions=drop");
        r.flow = *parsed.flow;
    }
    if (Status s = engine->resolve(rules); !s.ok()) return 2;

    auto t = Clock::now();
    auto added = engine->install(rules, Install::Create);
    const double snoc_add = seconds_since(t);
    size_t failed = 0;
    for (const auto& s : added) failed += !s.ok();
    t = Clock::now();
    auto removed = engine->remove(rules);
    const double snoc_del = seconds_since(t);
    for (const auto& s : removed) failed += !s.ok();
    if (failed) {
        std::cerr << "snoc_bench_tc: " << failed << " operations failed, e.g. " << to_string(added.front()) << "\n";
        return 1;
    }

    // tc -batch on the same rules (iproute2 sends one request per line and waits for its ack).
    const std::string add_file = "/tmp/snoc-bench-add.tc", del_file = "/tmp/snoc-bench-del.tc";
    {
        std::ofstream add(add_file), del(del_file);
        for (size_t i = 0; i < n; ++i) {
            // iproute2 takes dst_ip only with protocol ip; the kernel then holds the same rule
            // as snoc's (protocol all + eth_type ip key).
            add << "filter add dev " << kDev << " ingress protocol ip pref " << kPrio << " handle " << (i + 1)
                << " flower skip_hw dst_ip " << nth_ip(i) << " action drop\n";
            del << "filter del dev " << kDev << " ingress protocol ip pref " << kPrio << " handle " << (i + 1)
                << " flower\n";
        }
    }
    fresh_device();
    t = Clock::now();
    const int add_rc = sh("tc -batch " + add_file);
    const double tc_add = seconds_since(t);
    t = Clock::now();
    const int del_rc = sh("tc -batch " + del_file);
    const double tc_del = seconds_since(t);
    sh(std::string("ip link del ") + kDev);
    if (add_rc != 0 || del_rc != 0) {
        std::cerr << "snoc_bench_tc: tc -batch failed\n";
        return 1;
    }

    auto rate = [&](double s) { return static_cast<double>(n) / s; };
    std::printf("tc-flower install+delete of %zu rules (skip_hw, one preference), same boot\n", n);
    std::printf("  %-14s %12s %12s\n", "", "install/s", "delete/s");
    std::printf("  %-14s %12.0f %12.0f\n", "snoc engine", rate(snoc_add), rate(snoc_del));
    std::printf("  %-14s %12.0f %12.0f\n", "tc -batch", rate(tc_add), rate(tc_del));
    std::printf("  ratio snoc/tc: install %.2fx, delete %.2fx, total %.2fx (target >= 3x)\n", tc_add / snoc_add,
                tc_del / snoc_del, (tc_add + tc_del) / (snoc_add + snoc_del));
    std::printf("  batch: %zu requests per send\n", engine->socket().chunk_size());
    return 0;
}
