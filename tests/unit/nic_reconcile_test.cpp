// NIC bring-up as a difference: the steps for each starting state and each
// driver's mode-change rule, the port phase, and the sysfs reader on a tree
// built here (the VM tier runs the same code against netdevsim).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "controller/nic/nic_reconcile.h"
#include "controller/nic/sysfs.h"

namespace snoc::nic {
namespace {

namespace fs = std::filesystem;
using offload::EswitchMode;
using offload::ModeChangeRule;

spec::NicSpec want(uint16_t vfs, EswitchMode mode = EswitchMode::Switchdev) {
    spec::NicSpec n;
    n.name = "nic0";
    n.pf = "eth0";
    n.num_vfs = vfs;
    n.eswitch_mode = mode;
    n.representor_prefix = "nic0";
    return n;
}

offload::NicProfile profile(ModeChangeRule rule) {
    offload::NicProfile p;
    p.name = "test";
    p.mode_change = rule;
    return p;
}

NicState have(uint32_t vfs, std::optional<EswitchMode> mode) {
    NicState s;
    s.pf_netdev = "eth0";
    s.pf_ifindex = 2;
    s.netdevs.push_back({"eth0", 2, true, true, true});  // the PF: up, hw-tc-offload on
    s.devlink = {"pci", "0000:03:00.0"};
    s.device_path = "/sys/devices/pci0000:00/0000:03:00.0";
    s.sriov_numvfs = vfs;
    s.eswitch_mode = mode;
    return s;
}

std::vector<std::string> describe(const std::vector<Step>& steps) {
    std::vector<std::string> out;
    for (const auto& s : steps) {
        std::string d(to_string(s.kind));
        if (s.kind == StepKind::SetNumVfs) d += " " + std::to_string(s.count);
        if (s.kind == StepKind::SetEswitchMode) d += " " + std::string(to_string(s.mode));
        out.push_back(d);
    }
    return out;
}

using Steps = std::vector<std::string>;

TEST(NicDeviceSteps, NothingToDoWhenTheNicMatches) {
    EXPECT_TRUE(device_steps(want(8), profile(ModeChangeRule::Any), have(8, EswitchMode::Switchdev)).empty());
}

TEST(NicDeviceSteps, VfCountChangesThroughZero) {
    EXPECT_EQ(describe(device_steps(want(4), profile(ModeChangeRule::Any), have(8, EswitchMode::Switchdev))),
              (Steps{"set-num-vfs 0", "set-num-vfs 4"}));
    EXPECT_EQ(describe(device_steps(want(8), profile(ModeChangeRule::Any), have(0, EswitchMode::Switchdev))),
              (Steps{"set-num-vfs 8"}));
    EXPECT_EQ(describe(device_steps(want(0), profile(ModeChangeRule::Any), have(8, EswitchMode::Switchdev))),
              (Steps{"set-num-vfs 0"}));
}

TEST(NicDeviceSteps, IceChangesModeWithoutVfs) {
    EXPECT_EQ(describe(device_steps(want(4), profile(ModeChangeRule::RequiresNoVfs), have(2, EswitchMode::Legacy))),
              (Steps{"set-num-vfs 0", "set-eswitch-mode switchdev", "set-num-vfs 4"}));
    EXPECT_EQ(describe(device_steps(want(4), profile(ModeChangeRule::RequiresNoVfs), have(0, EswitchMode::Legacy))),
              (Steps{"set-eswitch-mode switchdev", "set-num-vfs 4"}));
}

TEST(NicDeviceSteps, Mlx5UnbindsVfsAroundTheModeChange) {
    EXPECT_EQ(describe(device_steps(want(4), profile(ModeChangeRule::RequiresUnbound), have(0, EswitchMode::Legacy))),
              (Steps{"set-num-vfs 4", "unbind-vfs", "set-eswitch-mode switchdev", "bind-vfs"}));
    EXPECT_EQ(describe(device_steps(want(4), profile(ModeChangeRule::RequiresUnbound), have(4, EswitchMode::Legacy))),
              (Steps{"unbind-vfs", "set-eswitch-mode switchdev", "bind-vfs"}));
    EXPECT_EQ(describe(device_steps(want(0, EswitchMode::Legacy), profile(ModeChangeRule::RequiresUnbound),
                                    have(0, EswitchMode::Switchdev))),
              (Steps{"set-eswitch-mode legacy"}));
}

TEST(NicDeviceSteps, StepsSayWhatAndHow) {
    auto steps = device_steps(want(4), profile(ModeChangeRule::Any), have(0, EswitchMode::Legacy));
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0].command, "devlink dev eswitch set pci/0000:03:00.0 mode switchdev");
    EXPECT_EQ(steps[1].command, "echo 4 > /sys/devices/pci0000:00/0000:03:00.0/sriov_numvfs");
    EXPECT_EQ(steps[1].nic, "nic0");
}

TEST(NicPortSteps, RenamesRepresentorsAndSetsMacsOnlyWhenNeeded) {
    spec::NicSpec w = want(2);
    spec::VfSpec vf1;
    vf1.index = 1;
    vf1.mac = net::parse_mac("02:00:00:00:00:11");
    w.vfs.push_back(vf1);
    NicState s = have(2, EswitchMode::Switchdev);
    s.ports.push_back({1, PortFlavour::PciVf, 0, 0, "nic0vf0", 5, std::nullopt});
    s.ports.push_back({2, PortFlavour::PciVf, 0, 1, "eth7", 6, std::nullopt});
    s.netdevs.push_back({"nic0vf0", 5, true, true, true});
    s.netdevs.push_back({"eth7", 6, true, true, true});
    auto steps = port_steps(w, s);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0].kind, StepKind::RenameRepresentor);
    EXPECT_EQ(steps[0].netdev, "eth7");
    EXPECT_EQ(steps[0].new_name, "nic0vf1");
    EXPECT_EQ(steps[1].kind, StepKind::SetVfMac);
    EXPECT_EQ(steps[1].port_index, 2u);
    // After both steps the NIC matches: no steps.
    s.ports[1].netdev = "nic0vf1";
    s.ports[1].function_mac = vf1.mac;
    EXPECT_TRUE(port_steps(w, s).empty());
}

// A recording NicOps: the reconcile loop's order, failure handling and dry run.
class FakeOps : public NicOps {
public:
    NicState state = have(0, EswitchMode::Legacy);
    std::vector<std::string> applied;
    std::optional<StepKind> fail_on;

    offload::Status read(const spec::NicSpec&, NicState& out) override {
        out = state;
        return offload::Status::success();
    }
    offload::Status apply(const NicState&, const Step& step) override {
        if (fail_on == step.kind) return offload::Status::failure(EBUSY, "device busy");
        applied.push_back(std::string(to_string(step.kind)));
        switch (step.kind) {
            case StepKind::SetNumVfs: state.sriov_numvfs = step.count; break;
            case StepKind::SetEswitchMode: state.eswitch_mode = step.mode; break;
            case StepKind::RenameRepresentor:
                for (auto& p : state.ports) {
                    if (p.vf == step.vf) p.netdev = step.new_name;
                }
                return offload::Status::success();
            case StepKind::SetVfMac:
                for (auto& p : state.ports) {
                    if (p.vf == step.vf) p.function_mac = step.mac;
                }
                return offload::Status::success();
            case StepKind::SetHwTcOffload:
            case StepKind::SetLinkUp:
                for (auto& n : state.netdevs) {
                    if (n.ifindex != step.ifindex) continue;
                    if (step.kind == StepKind::SetLinkUp) n.up = true;
                    else n.hw_tc_offload = true;
                }
                return offload::Status::success();
            default: return offload::Status::success();
        }
        // Representors appear (with kernel names, down, hw-tc-offload off) once VFs exist in switchdev mode.
        state.ports.clear();
        state.netdevs.resize(1);
        if (state.eswitch_mode == EswitchMode::Switchdev) {
            for (uint16_t i = 0; i < state.sriov_numvfs; ++i) {
                state.ports.push_back({i + 1u, PortFlavour::PciVf, 0, i, "eth" + std::to_string(10 + i), 10 + i, {}});
                state.netdevs.push_back({"eth" + std::to_string(10 + i), 10 + i, false, false, true});
            }
        }
        return offload::Status::success();
    }
};

TEST(NicReconcile, ConvergesAndASecondRunChangesNothing) {
    FakeOps ops;
    auto first = reconcile_nic(want(2), profile(ModeChangeRule::Any), ops, false);
    EXPECT_TRUE(first.status.ok()) << offload::to_string(first.status);
    EXPECT_EQ(ops.applied, (Steps{"set-eswitch-mode", "set-num-vfs", "rename-representor", "rename-representor",
                                  "set-hw-tc-offload", "set-hw-tc-offload", "set-link-up", "set-link-up"}));
    EXPECT_EQ(ops.state.ports[1].netdev, "nic0vf1");
    ops.applied.clear();
    auto second = reconcile_nic(want(2), profile(ModeChangeRule::Any), ops, false);
    EXPECT_TRUE(second.done.empty());
    EXPECT_TRUE(ops.applied.empty());
}

TEST(NicReconcile, DryRunWritesNothingAndPredictsThePortPhase) {
    FakeOps ops;
    auto r = reconcile_nic(want(2), profile(ModeChangeRule::Any), ops, true);
    EXPECT_TRUE(ops.applied.empty());
    EXPECT_EQ(describe(r.done), (Steps{"set-eswitch-mode switchdev", "set-num-vfs 2", "rename-representor",
                                       "rename-representor", "set-hw-tc-offload", "set-hw-tc-offload", "set-link-up",
                                       "set-link-up"}));
}

TEST(NicReconcile, AFailedStepNamesNicVfAndStepAndStops) {
    FakeOps ops;
    ops.fail_on = StepKind::SetNumVfs;
    auto r = reconcile_nic(want(2), profile(ModeChangeRule::Any), ops, false);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error, EBUSY);
    EXPECT_EQ(r.status.reason, "NIC nic0, step set-num-vfs: device busy");
    ASSERT_TRUE(r.failed);
    EXPECT_EQ(ops.applied, (Steps{"set-eswitch-mode"}));  // nothing after the failure
    // The next run converges from where it stopped.
    ops.fail_on.reset();
    auto again = reconcile_nic(want(2), profile(ModeChangeRule::Any), ops, false);
    EXPECT_TRUE(again.status.ok());
    EXPECT_EQ(describe(again.done).front(), "set-num-vfs 2");
}

TEST(NicReconcile, RepeatsTheDevicePhaseWhenOneChangeUndoesAnother) {
    // Like netdevsim: dropping the VFs to 0 also drops the eswitch back to legacy.
    class ResettingOps : public FakeOps {
    public:
        offload::Status apply(const NicState& s, const Step& step) override {
            auto r = FakeOps::apply(s, step);
            if (step.kind == StepKind::SetNumVfs && step.count == 0) state.eswitch_mode = EswitchMode::Legacy;
            return r;
        }
    } ops;
    ops.state = have(8, EswitchMode::Switchdev);
    auto r = reconcile_nic(want(4), profile(ModeChangeRule::Any), ops, false);
    ASSERT_TRUE(r.status.ok()) << offload::to_string(r.status);
    EXPECT_EQ(ops.state.eswitch_mode, EswitchMode::Switchdev);
    EXPECT_EQ(ops.state.sriov_numvfs, 4u);
    EXPECT_EQ(describe(r.done).at(2), "set-eswitch-mode switchdev");
}

// A sysfs tree shaped like the kernel's for one netdevsim device.
class FakeSysfs : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("snoc-sysfs-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        const fs::path dev = root_ / "devices/netdevsim10";
        fs::create_directories(dev / "net/eth0");
        fs::create_directories(root_ / "bus/netdevsim/drivers/netdevsim");
        fs::create_directories(root_ / "class/net");
        fs::create_directory_symlink("../../bus/netdevsim", dev / "subsystem");
        fs::create_directory_symlink("../../bus/netdevsim/drivers/netdevsim", dev / "driver");
        write(dev / "sriov_numvfs", "2\n");
        write(dev / "numa_node", "-1\n");
        for (auto [name, port] : {std::pair{"eth0", "p1"}, std::pair{"eth1", "pf0vf0"}, std::pair{"eth2", "pf0vf1"}}) {
            const fs::path n = root_ / "class/net" / name;
            fs::create_directories(n);
            write(n / "phys_switch_id", "0a0b0c0d\n");
            write(n / "phys_port_name", std::string(port) + "\n");
            write(n / "ifindex", std::to_string(name[3] - '0' + 2) + "\n");
        }
        fs::create_directory_symlink("../../../devices/netdevsim10", root_ / "class/net/eth0/device");
    }
    void TearDown() override { fs::remove_all(root_); }
    static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
    fs::path root_;
};

TEST_F(FakeSysfs, ReadsThePfAndItsRepresentors) {
    Sysfs sysfs(root_.string());
    NicState s;
    auto st = sysfs.read_pf("eth0", s);
    ASSERT_TRUE(st.ok()) << offload::to_string(st);
    EXPECT_EQ(s.devlink.str(), "netdevsim/netdevsim10");
    EXPECT_EQ(s.driver, "netdevsim");
    EXPECT_EQ(s.sriov_numvfs, 2u);
    EXPECT_FALSE(s.numa_node) << "numa_node -1 means no NUMA information";
    EXPECT_EQ(s.phys_switch_id, "0a0b0c0d");
    auto reps = sysfs.representors(s.phys_switch_id);
    ASSERT_EQ(reps.size(), 3u);
    EXPECT_EQ(reps[0].flavour, PortFlavour::Physical);
    EXPECT_EQ(reps[2].vf, 1);
    EXPECT_EQ(reps[2].netdev, "eth2");
    EXPECT_EQ(reps[2].ifindex, 4);
    ASSERT_TRUE(sysfs.write_numvfs(s, 0).ok());
    uint32_t n = 9;
    ASSERT_TRUE(sysfs.read_numvfs(s, n).ok());
    EXPECT_EQ(n, 0u);
}

TEST_F(FakeSysfs, MissingThingsAreNamed) {
    Sysfs sysfs(root_.string());
    NicState s;
    auto st = sysfs.read_pf("eth9", s);
    EXPECT_EQ(st.error, ENODEV);
    EXPECT_EQ(st.reason, "netdev eth9 does not exist");
    std::string pf;
    st = sysfs.pf_of_pci("0000:99:00.0", pf);
    EXPECT_NE(st.reason.find("0000:99:00.0"), std::string::npos);
}

TEST(PhysPortName, Parses) {
    DevlinkPort p;
    ASSERT_TRUE(parse_phys_port_name("pf0vf12", p));
    EXPECT_EQ(p.flavour, PortFlavour::PciVf);
    EXPECT_EQ(p.vf, 12);
    DevlinkPort u;
    ASSERT_TRUE(parse_phys_port_name("p1", u));
    EXPECT_EQ(u.flavour, PortFlavour::Physical);
    DevlinkPort bad;
    EXPECT_FALSE(parse_phys_port_name("eth0", bad));
    EXPECT_FALSE(parse_phys_port_name("pfxvf1", bad));
}

}  // namespace
}  // namespace snoc::nic
