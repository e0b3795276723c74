// The tuning steps as differences: eswitch inline / encap mode, hw-tc-offload
// and link up on the PF and representors, IRQ affinity (with a sysfs / procfs
// tree built here); notes for what is skipped on purpose; optional steps the
// driver refuses.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "controller/nic/irq_affinity.h"
#include "controller/nic/nic_reconcile.h"

namespace snoc::nic {
namespace {

namespace fs = std::filesystem;
using offload::EncapMode;
using offload::EswitchMode;
using offload::InlineMode;

spec::NicSpec want(uint16_t vfs) {
    spec::NicSpec n;
    n.name = "nic0";
    n.pf = "eth0";
    n.num_vfs = vfs;
    n.representor_prefix = "nic0";
    return n;
}

offload::NicProfile profile(bool optional) {
    offload::NicProfile p;
    p.name = "test";
    p.eswitch.inline_mode = InlineMode::Transport;
    p.eswitch.encap_mode = EncapMode::Basic;
    p.eswitch.optional = optional;
    return p;
}

// A switchdev NIC with `vfs` VFs whose representors are renamed, up, with hw-tc-offload on.
NicState converged(uint16_t vfs) {
    NicState s;
    s.devlink = {"pci", "0000:03:00.0"};
    s.device_path = "/sys/devices/pci0000:00/0000:03:00.0";
    s.pf_netdev = "eth0";
    s.pf_ifindex = 2;
    s.sriov_numvfs = vfs;
    s.eswitch_mode = EswitchMode::Switchdev;
    s.inline_mode = InlineMode::Transport;
    s.encap_mode = EncapMode::Basic;
    s.netdevs.push_back({"eth0", 2, true, true, true});
    for (uint16_t vf = 0; vf < vfs; ++vf) {
        const int ifindex = 10 + vf;
        s.ports.push_back({vf + 1u, PortFlavour::PciVf, 0, vf, "nic0vf" + std::to_string(vf), ifindex, std::nullopt});
        s.netdevs.push_back({"nic0vf" + std::to_string(vf), ifindex, true, true, true});
    }
    return s;
}

std::vector<std::string> kinds(const std::vector<Step>& steps) {
    std::vector<std::string> out;
    for (const auto& s : steps) out.emplace_back(to_string(s.kind));
    return out;
}

using Kinds = std::vector<std::string>;

TEST(NicEswitchSettings, SetOnlyWhatDiffers) {
    NicState s = converged(2);
    EXPECT_TRUE(device_steps(want(2), profile(false), s).empty());
    s.inline_mode = InlineMode::None;
    auto steps = device_steps(want(2), profile(false), s);
    ASSERT_EQ(kinds(steps), (Kinds{"set-inline-mode"}));
    EXPECT_EQ(steps[0].command, "devlink dev eswitch set pci/0000:03:00.0 inline-mode transport");
    EXPECT_EQ(steps[0].description, "eswitch inline mode is transport");
    s.encap_mode = EncapMode::None;
    steps = device_steps(want(2), profile(false), s);
    ASSERT_EQ(kinds(steps), (Kinds{"set-inline-mode", "set-encap-mode"}));
    EXPECT_EQ(steps[1].command, "devlink dev eswitch set pci/0000:03:00.0 encap-mode basic");
    // A profile without the keys leaves the driver's values alone.
    EXPECT_TRUE(device_steps(want(2), offload::NicProfile{}, s).empty());
    // Legacy mode: inline / encap belong to switchdev.
    auto legacy = want(2);
    legacy.eswitch_mode = EswitchMode::Legacy;
    EXPECT_EQ(kinds(device_steps(legacy, profile(false), s)), (Kinds{"set-eswitch-mode"}));
}

TEST(NicEswitchSettings, FollowTheModeChangeInTheSamePass) {
    NicState s = converged(0);
    s.eswitch_mode = EswitchMode::Legacy;
    s.inline_mode.reset();
    s.encap_mode.reset();
    auto p = profile(true);
    EXPECT_EQ(kinds(device_steps(want(2), p, s)),
              (Kinds{"set-eswitch-mode", "set-num-vfs", "set-inline-mode", "set-encap-mode"}));
    p.mode_change = offload::ModeChangeRule::RequiresUnbound;
    EXPECT_EQ(kinds(device_steps(want(2), p, s)),
              (Kinds{"set-num-vfs", "unbind-vfs", "set-eswitch-mode", "bind-vfs", "set-inline-mode", "set-encap-mode"}));
}

TEST(NicEswitchSettings, ADriverThatDoesNotReportThemIsANoteWhenOptional) {
    NicState s = converged(2);
    s.inline_mode.reset();
    s.encap_mode.reset();
    std::vector<std::string> notes;
    EXPECT_TRUE(device_steps(want(2), profile(true), s, &notes).empty()) << "optional + not reported: no write";
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0], "inline-mode transport not set: the driver does not report an inline mode (profile test marks it optional)");
    // Not optional: try, so that the driver's own refusal is reported.
    EXPECT_EQ(kinds(device_steps(want(2), profile(false), s)), (Kinds{"set-inline-mode", "set-encap-mode"}));
}

TEST(NicNetdevSteps, HwTcOffloadAndLinkUpOnlyWhereNeeded) {
    NicState s = converged(2);
    EXPECT_TRUE(port_steps(want(2), s).empty());
    s.netdevs[0].hw_tc_offload = false;  // the PF
    s.netdevs[2].up = false;             // VF 1's representor
    auto steps = port_steps(want(2), s);
    ASSERT_EQ(kinds(steps), (Kinds{"set-hw-tc-offload", "set-link-up"}));
    EXPECT_EQ(steps[0].command, "ethtool -K eth0 hw-tc-offload on");
    EXPECT_EQ(steps[0].ifindex, 2);
    EXPECT_FALSE(steps[0].vf);
    EXPECT_EQ(steps[1].command, "ip link set nic0vf1 up");
    EXPECT_EQ(steps[1].vf, 1);
    EXPECT_EQ(steps[1].ifindex, 11);
    // hw_tc_offload: false leaves the feature alone (snoc does not turn it off).
    auto no_tc = want(2);
    no_tc.hw_tc_offload = false;
    EXPECT_EQ(kinds(port_steps(no_tc, s)), (Kinds{"set-link-up"}));
}

TEST(NicNetdevSteps, RepresentorsNotYetSeenGetEverything) {
    // A dry run before the VFs exist: representors unknown, so each is tuned under its future name.
    NicState s = converged(0);
    auto steps = port_steps(want(1), s);
    ASSERT_EQ(kinds(steps), (Kinds{"rename-representor", "set-hw-tc-offload", "set-link-up"}));
    EXPECT_EQ(steps[1].netdev, "nic0vf0");
    EXPECT_EQ(steps[1].ifindex, 0);
}

TEST(NicIrqSteps, PinOnlyIrqsOffTheNode) {
    auto w = want(0);
    w.irq_affinity = true;
    NicState s = converged(0);
    std::vector<std::string> notes;
    EXPECT_TRUE(port_steps(w, s, &notes).empty());
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("has no MSI IRQs"), std::string::npos) << notes[0];

    s.irqs = {{40, {0, 1, 2, 3}, "PF", std::nullopt}, {41, {0, 1, 2, 3, 4, 5, 6, 7}, "PF", std::nullopt},
              {50, {5}, "VF 0", 0}};
    notes.clear();
    EXPECT_TRUE(port_steps(w, s, &notes).empty());
    EXPECT_NE(notes.at(0).find("no NUMA node"), std::string::npos) << notes[0];

    s.numa_node = 0;
    s.numa_cpus = {0, 1, 2, 3};
    auto steps = port_steps(w, s);
    ASSERT_EQ(kinds(steps), (Kinds{"set-irq-affinity", "set-irq-affinity"}));
    EXPECT_EQ(steps[0].irq, 41u);
    EXPECT_EQ(steps[0].command, "echo 0-3 > /proc/irq/41/smp_affinity_list");
    EXPECT_EQ(steps[0].description, "IRQ 41 (PF) runs on CPUs 0-3 of NUMA node 0");
    EXPECT_EQ(steps[1].vf, 0);
    w.irq_affinity = false;
    EXPECT_TRUE(port_steps(w, s).empty());
}

TEST(CpuList, ParsesAndFormatsLikeTheKernel) {
    EXPECT_EQ(parse_cpulist("0-3,8,10-11\n"), (std::set<unsigned>{0, 1, 2, 3, 8, 10, 11}));
    EXPECT_EQ(parse_cpulist(""), std::set<unsigned>{});
    EXPECT_EQ(parse_cpulist("5"), std::set<unsigned>{5});
    EXPECT_FALSE(parse_cpulist("3-1"));
    EXPECT_FALSE(parse_cpulist("a"));
    EXPECT_FALSE(parse_cpulist("1,,2"));
    EXPECT_FALSE(parse_cpulist("0-4000000000"));
    EXPECT_EQ(format_cpulist({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
    EXPECT_EQ(format_cpulist({}), "");
}

// A reconcile where the driver refuses the optional inline mode.
class RefusingOps : public NicOps {
public:
    NicState state = converged(0);
    int writes = 0;
    offload::Status read(const spec::NicSpec&, NicState& out) override {
        out = state;
        return offload::Status::success();
    }
    offload::Status apply(const NicState&, const Step& step) override {
        ++writes;
        if (step.kind == StepKind::SetInlineMode) {
            return offload::Status::failure(EOPNOTSUPP, "devlink dev eswitch set pci/0000:03:00.0 inline-mode transport: Inline mode can't be set");
        }
        if (step.kind == StepKind::SetEncapMode) state.encap_mode = step.encap_mode;
        return offload::Status::success();
    }
};

TEST(NicReconcileTuning, AnOptionalSettingTheDriverRefusesIsANote) {
    RefusingOps ops;
    ops.state.encap_mode = EncapMode::None;
    ops.state.inline_mode = InlineMode::None;
    auto r = reconcile_nic(want(0), profile(true), ops, false);
    ASSERT_TRUE(r.status.ok()) << offload::to_string(r.status);
    EXPECT_EQ(kinds(r.done), (Kinds{"set-encap-mode"}));
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_NE(r.notes[0].find("Inline mode can't be set"), std::string::npos) << r.notes[0];
    // Required: the same refusal fails the NIC and names the step.
    RefusingOps strict;
    strict.state.inline_mode = InlineMode::None;
    auto f = reconcile_nic(want(0), profile(false), strict, false);
    ASSERT_FALSE(f.status.ok());
    EXPECT_EQ(f.status.reason.rfind("NIC nic0, step set-inline-mode: devlink dev eswitch set", 0), 0u) << f.status.reason;
}

TEST(NicReconcileTuning, AConvergedNicMakesNoWrite) {
    RefusingOps ops;
    ops.state = converged(4);
    auto w = want(4);
    w.irq_affinity = true;
    ops.state.numa_node = 1;
    ops.state.numa_cpus = {4, 5};
    ops.state.irqs = {{40, {4, 5}, "PF", std::nullopt}};
    auto r = reconcile_nic(w, profile(false), ops, false);
    EXPECT_TRUE(r.status.ok());
    EXPECT_TRUE(r.done.empty());
    EXPECT_EQ(ops.writes, 0);
}

// A sysfs and procfs tree shaped like the kernel's for a PCI PF with one VF.
class FakeIrqTree : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("snoc-irq-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        dev_ = root_ / "sys/devices/pci0000:00/0000:03:00.0";
        const fs::path vf = root_ / "sys/devices/pci0000:00/0000:03:00.2";
        fs::create_directories(dev_ / "msi_irqs");
        fs::create_directories(vf / "msi_irqs");
        fs::create_directory_symlink("../0000:03:00.2", dev_ / "virtfn0");
        fs::create_directories(root_ / "sys/devices/system/node/node1");
        write(root_ / "sys/devices/system/node/node1/cpulist", "4-7\n");
        for (auto [irq, cpus, dir] : {std::tuple{40, "0-7", dev_}, std::tuple{41, "4-7", dev_}, std::tuple{50, "0", vf}}) {
            write(dir / "msi_irqs" / std::to_string(irq), "msi\n");
            fs::create_directories(root_ / "proc/irq" / std::to_string(irq));
            write(root_ / "proc/irq" / std::to_string(irq) / "smp_affinity_list", std::string(cpus) + "\n");
        }
    }
    void TearDown() override { fs::remove_all(root_); }
    static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
    fs::path root_, dev_;
};

TEST_F(FakeIrqTree, ReadsIrqsOfPfAndVfsAndWritesOnlyTheDifference) {
    IrqAffinity irq((root_ / "sys").string(), (root_ / "proc").string());
    NicState s;
    s.device_path = dev_.string();
    s.numa_node = 1;
    ASSERT_TRUE(irq.node_cpus(1, s.numa_cpus).ok());
    EXPECT_EQ(s.numa_cpus, (std::set<unsigned>{4, 5, 6, 7}));
    ASSERT_TRUE(irq.irqs(s, s.irqs).ok());
    ASSERT_EQ(s.irqs.size(), 3u);
    EXPECT_EQ(s.irqs[0].irq, 40u);
    EXPECT_EQ(s.irqs[0].owner, "PF");
    EXPECT_EQ(s.irqs[2].owner, "VF 0");
    EXPECT_EQ(s.irqs[2].vf, 0);

    auto w = want(0);
    w.irq_affinity = true;
    std::vector<Step> steps;
    for (const Step& step : port_steps(w, s)) {
        if (step.kind == StepKind::SetIrqAffinity) steps.push_back(step);
    }
    ASSERT_EQ(steps.size(), 2u) << "IRQ 41 is already on node 1";
    for (const auto& step : steps) ASSERT_TRUE(irq.set(step.irq, step.cpus).ok());
    std::ifstream in(root_ / "proc/irq/50/smp_affinity_list");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "4-7");
    ASSERT_TRUE(irq.irqs(s, s.irqs).ok());
    for (const Step& step : port_steps(w, s)) EXPECT_NE(step.kind, StepKind::SetIrqAffinity) << "second pass: nothing differs";

    EXPECT_EQ(irq.node_cpus(3, s.numa_cpus).error, ENOENT);
    auto missing = irq.set(99, {4});
    EXPECT_EQ(missing.error, ENOENT);
    EXPECT_NE(missing.reason.find("/proc/irq/99/smp_affinity_list"), std::string::npos) << missing.reason;
}

}  // namespace
}  // namespace snoc::nic
