// snoc_dpmon_probe: runs DatapathMonitor against a live ovs-vswitchd and
// prints what it saw, one line per flow and one line of totals, for the VM
// tier's kernel-datapath script (tests/vm/ovs-kernel.sh) to check:
//
//   flow placement=tc-software in_port=v0a dp=tc offloaded=- packets=3 delta=3 reasons=1
//   totals flows=4 hardware=0 tc-software=6 ovs=0 over_cap=0 errors=0 dump_ms=1.2
//
//   snoc_dpmon_probe CTL_SOCKET [DATAPATH]
// Two polls, 0.2 s apart; the first credits in full (no baseline), so a
// flow's counters show up even when no traffic runs between the polls.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "ovs-integration/datapath_monitor.h"
#include "ovs-integration/unixctl_client.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: snoc_dpmon_probe CTL_SOCKET [DATAPATH]\n");
        return 2;
    }
    snoc::ovs::UnixctlClient client;
    if (auto s = client.connect(argv[1]); !s.ok()) {
        std::fprintf(stderr, "snoc_dpmon_probe: %s\n", snoc::offload::to_string(s).c_str());
        return 1;
    }
    snoc::ovs::DatapathMonitor monitor(
        client, snoc::ovs::MonitorOptions{.datapath = argc > 2 ? argv[2] : "", .max_flows = 200000,
                                          .forget_after = 3, .baseline_first_poll = false, .max_errors = 20});
    snoc::ovs::DatapathPoll poll;
    for (int i = 0; i < 2; ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (auto s = monitor.poll(poll); !s.ok()) {
            std::fprintf(stderr, "snoc_dpmon_probe: %s\n", snoc::offload::to_string(s).c_str());
            return 1;
        }
    }
    for (const auto& m : poll.flows) {
        std::printf("flow placement=%s in_port=%s dp=%s offloaded=%s packets=%llu\n",
                    std::string(snoc::offload::to_string(m.placement)).c_str(),
                    m.in_port.empty() ? "-" : m.in_port.c_str(), std::string(m.flow.dp.empty() ? "-" : m.flow.dp).c_str(),
                    m.flow.offloaded ? (*m.flow.offloaded ? "yes" : "no") : "-",
                    static_cast<unsigned long long>(m.flow.packets));
    }
    using snoc::offload::Placement;
    const auto& t = monitor.totals();
    std::printf("totals flows=%zu hardware=%llu tc-software=%llu ovs=%llu over_cap=%zu errors=%zu dump_ms=%.1f\n",
                poll.flows.size(), static_cast<unsigned long long>(t[Placement::Hardware].packets),
                static_cast<unsigned long long>(t[Placement::TcSoftware].packets),
                static_cast<unsigned long long>(t[Placement::Ovs].packets), poll.over_cap, poll.error_count,
                static_cast<double>(poll.dump_time.count()) / 1000.0);
    for (const auto& e : poll.errors) std::printf("error line %zu: %s: %s\n", e.line, e.message.c_str(), e.text.c_str());
    return 0;
}
