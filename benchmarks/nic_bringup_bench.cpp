// NIC bring-up of N VFs (default 64) on netdevsim, the SR-IOV container
// topology: switchdev, a MAC per VF, representors renamed, hw-tc-offload on
// and up, and one container per VF attached (namespace, interface, address,
// default route). Timed cold (from legacy with no VFs) and warm (again, with
// nothing to change), and the writes of each run counted: the warm run must
// make none. Needs root, netdevsim and debugfs (VM tier: tests/vm/nic-bench.sh).
//
// netdevsim VFs have no netdevs of their own, so each container gets a veth
// pair instead (attach: veth), the same namespace and address work a VF
// netdev would need.
//
//   snoc_bench_nic [VFS]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "controller/nic/nic_reconcile.h"
#include "controller/nic/workload_attach.h"

namespace {

using namespace snoc;
using Clock = std::chrono::steady_clock;

constexpr int kDevice = 60;

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Passes through and counts every write (apply) the reconciler makes.
class CountingOps : public nic::NicOps {
public:
    explicit CountingOps(nic::NicOps& inner) : inner_(inner) {}
    offload::Status read(const spec::NicSpec& n, nic::NicState& out) override { return inner_.read(n, out); }
    offload::Status apply(const nic::NicState& state, const nic::Step& step) override {
        ++writes;
        return inner_.apply(state, step);
    }
    int writes = 0;

private:
    nic::NicOps& inner_;
};

struct Run {
    double nic_s = 0, workloads_s = 0;
    int nic_writes = 0, workload_changes = 0;
    bool ok = true;
};

Run bring_up(const spec::NicSpec& n, const offload::NicProfile& profile, nic::NicOps& ops,
             const std::vector<nic::Attachment>& containers) {
    Run r;
    CountingOps counting(ops);
    auto t0 = Clock::now();
    const nic::NicReport report = nic::reconcile_nic(n, profile, counting, false);
    r.nic_s = seconds_since(t0);
    r.nic_writes = counting.writes;
    if (!report.status.ok()) {
        std::cerr << "nic-bench: " << report.status.reason << "\n";
        r.ok = false;
        return r;
    }
    t0 = Clock::now();
    for (const auto& a : containers) {
        const nic::AttachReport ar = nic::attach(a, false);
        r.workload_changes += static_cast<int>(ar.done.size());
        if (!ar.status.ok()) {
            std::cerr << "nic-bench: " << ar.status.reason << "\n";
            r.ok = false;
            return r;
        }
    }
    r.workloads_s = seconds_since(t0);
    return r;
}

void print(const char* what, const Run& r) {
    std::printf("  %s: %7.2f s   NIC %6.2f s, %4d writes   containers %6.2f s, %4d changes\n", what,
                r.nic_s + r.workloads_s, r.nic_s, r.nic_writes, r.workloads_s, r.workload_changes);
}

}  // namespace

int main(int argc, char** argv) {
    const int vfs = argc > 1 ? std::atoi(argv[1]) : 64;
    if (vfs < 1 || vfs > 1000) {
        std::cerr << "usage: snoc_bench_nic [VFS 1..1000]\n";
        return 2;
    }
    const std::string dev = "netdevsim" + std::to_string(kDevice);
    if (sh("echo '" + std::to_string(kDevice) + " 1' > /sys/bus/netdevsim/new_device") != 0 ||
        sh("echo " + std::to_string(vfs) + " > /sys/kernel/debug/netdevsim/" + dev + "/max_vfs") != 0) {
        std::cerr << "nic-bench: cannot create netdevsim device " << kDevice << " with " << vfs
                  << " VFs (root, netdevsim and debugfs needed)\n";
        return 1;
    }
    std::string pf;
    for (int i = 0; i < 50 && pf.empty(); ++i) {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator("/sys/bus/netdevsim/devices/" + dev + "/net", ec)) {
            pf = e.path().filename().string();
        }
        if (pf.empty()) usleep(100000);
    }
    spec::NicSpec n;
    n.name = "bench";
    n.pf = pf;
    n.profile = "netdevsim";
    n.eswitch_mode = offload::EswitchMode::Switchdev;
    n.num_vfs = static_cast<uint16_t>(vfs);
    n.representor_prefix = "bn";
    offload::NicProfile profile;
    profile.name = "netdevsim";
    std::vector<nic::Attachment> containers;
    for (int i = 0; i < vfs; ++i) {
        spec::VfSpec vf;
        vf.index = static_cast<uint16_t>(i);
        char mac[18];
        std::snprintf(mac, sizeof mac, "02:5c:00:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
        vf.mac = net::parse_mac(mac);
        n.vfs.push_back(vf);
        nic::Attachment a;
        a.workload = "c" + std::to_string(i);
        a.netns = a.workload;
        a.veth_host = "vc" + std::to_string(i);
        a.addresses.push_back(*net::parse_prefix("10.77." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "/16"));
        a.gateway = net::parse_ip("10.77.255.254");
        containers.push_back(a);
    }
    offload::Status s;
    auto ops = nic::system_ops(s);
    if (!ops) {
        std::cerr << "nic-bench: " << offload::to_string(s) << "\n";
        return 1;
    }
    std::printf("NIC bring-up, %d VFs on netdevsim (switchdev, VF MACs, representors renamed, hw-tc-offload, up) "
                "+ %d containers on veth stand-ins\n", vfs, vfs);
    const Run cold = bring_up(n, profile, *ops, containers);
    const Run warm = cold.ok ? bring_up(n, profile, *ops, containers) : Run{};
    if (cold.ok) print("cold", cold);
    if (warm.ok && cold.ok) print("warm", warm);

    // Clean up in one exec each (every exec is slow under TCG).
    std::string batch;
    for (const auto& a : containers) batch += "netns delete " + a.netns + "\n";
    std::ofstream("/tmp/snoc-nic-bench.batch") << batch;
    sh("ip -force -batch /tmp/snoc-nic-bench.batch >/dev/null 2>&1; echo " + std::to_string(kDevice) +
       " > /sys/bus/netdevsim/del_device");

    if (!cold.ok || !warm.ok) return 1;
    if (warm.nic_writes != 0 || warm.workload_changes != 0) {
        std::cerr << "nic-bench: the warm run changed something: it must make no write\n";
        return 1;
    }
    return 0;
}
