// The netdevsim NIC fixture of the NIC kernel tests (run in the VM by
// tests/vm/kernel-suite.sh): a fresh netdevsim device per test, its PF, a
// netdevsim profile and the real NicOps; and a NicOps that counts writes.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "controller/nic/nic_reconcile.h"
#include "kernel_env.h"

namespace snoc::nic {

// Counts apply() calls (writes) and passes everything through.
class CountingOps : public NicOps {
public:
    explicit CountingOps(NicOps& inner) : inner_(inner) {}
    offload::Status read(const spec::NicSpec& nic, NicState& out) override { return inner_.read(nic, out); }
    offload::Status apply(const NicState& state, const Step& step) override {
        ++writes;
        return inner_.apply(state, step);
    }
    int writes = 0;

private:
    NicOps& inner_;
};

// A new device id per test: netdevsim tears a device with VFs down asynchronously.
inline int next_device_id() {
    static int id = 30;
    return id++;
}

class NetdevsimNic : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::getenv("SNOC_NSIM_NIC")) GTEST_SKIP() << "SNOC_NSIM_NIC not set: run by tests/vm/kernel-suite.sh";
        id_ = next_device_id();
        test::must("echo '" + std::to_string(id_) + " 1' > /sys/bus/netdevsim/new_device");
        // netdevsim allows 4 VFs unless told otherwise (debugfs max_vfs).
        test::must("echo 8 > /sys/kernel/debug/netdevsim/netdevsim" + std::to_string(id_) + "/max_vfs");
        // The PF netdev: the device's only netdev before any VF exists.
        const std::filesystem::path net = "/sys/bus/netdevsim/devices/netdevsim" + std::to_string(id_) + "/net";
        for (int i = 0; i < 50 && pf_.empty(); ++i) {
            std::error_code ec;
            for (const auto& e : std::filesystem::directory_iterator(net, ec)) pf_ = e.path().filename().string();
            if (pf_.empty()) usleep(100000);
        }
        ASSERT_FALSE(pf_.empty()) << "netdevsim did not create a netdev";
        profile_.name = "netdevsim";
        profile_.mode_change = offload::ModeChangeRule::Any;
        offload::Status s;
        ops_ = system_ops(s);
        ASSERT_TRUE(ops_) << offload::to_string(s);
    }
    void TearDown() override {
        if (id_ && test::sh("echo " + std::to_string(id_) + " > /sys/bus/netdevsim/del_device") != 0) {
            std::cerr << "netdevsim" << id_ << " could not be deleted\n";
        }
    }

    spec::NicSpec spec_of(uint16_t vfs, offload::EswitchMode mode) {
        spec::NicSpec n;
        n.name = "nsim";
        n.pf = pf_;
        n.profile = "netdevsim";
        n.num_vfs = vfs;
        n.eswitch_mode = mode;
        // Per device: a device torn down asynchronously may still hold its names.
        n.representor_prefix = "ns" + std::to_string(id_);
        return n;
    }

    // The stable name of VF `vf`'s representor.
    std::string rep(uint16_t vf) const { return "ns" + std::to_string(id_) + "vf" + std::to_string(vf); }

    NicReport run(const spec::NicSpec& n) {
        NicReport r = reconcile_nic(n, profile_, *ops_, false);
        EXPECT_TRUE(r.status.ok()) << offload::to_string(r.status) << "\n" << ports_of(n);
        return r;
    }

    // What snoc sees of the ports, for failure messages.
    std::string ports_of(const spec::NicSpec& n) {
        NicState s;
        auto st = ops_->read(n, s);
        std::string out = "read: " + offload::to_string(st) + ", mode " +
                          (s.eswitch_mode ? std::string(to_string(*s.eswitch_mode)) : "?") + ", vfs " +
                          std::to_string(s.sriov_numvfs) + "\n";
        for (const auto& p : s.ports) {
            out += "  port " + std::to_string(p.index) + " " + std::string(to_string(p.flavour)) + " vf " +
                   (p.vf ? std::to_string(*p.vf) : "-") + " " + p.netdev + " ifindex " + std::to_string(p.ifindex) + "\n";
        }
        return out + test::output_of("devlink port show");
    }

    NicState read(const spec::NicSpec& n) {
        NicState s;
        EXPECT_TRUE(ops_->read(n, s).ok());
        return s;
    }

    int id_ = 0;
    std::string pf_;
    offload::NicProfile profile_;
    std::unique_ptr<NicOps> ops_;
};

}  // namespace snoc::nic
