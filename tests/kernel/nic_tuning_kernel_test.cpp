// NIC tuning against netdevsim in the VM: hw-tc-offload (ethtool netlink) and
// link up on the PF and representors, IRQ affinity skipped for a device
// without MSI IRQs, eswitch inline / encap mode and the VF MAC through the
// devlink port function — with the stock module (EOPNOTSUPP: notes and the
// IFLA_VF_MAC fallback) and with the test patch (devlink_port_fn=1, set for
// real) — and a converged NIC that takes zero writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "controller/nic/ethtool_features.h"
#include "kernel_env.h"
#include "netdevsim_nic.h"

namespace snoc::nic {
namespace {

using offload::EswitchMode;
using test::output_of;

// The patched module with devlink_port_fn=1 is loaded (kernel-suite.sh says so).
bool port_fn_patched() { return std::getenv("SNOC_NSIM_PORTFN") != nullptr; }

bool has_note(const NicReport& r, const std::string& text) {
    return std::any_of(r.notes.begin(), r.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

std::string notes_of(const NicReport& r) {
    std::string out;
    for (const auto& n : r.notes) out += "  note: " + n + "\n";
    return out;
}

TEST_F(NetdevsimNic, HwTcOffloadAndLinkUpOnPfAndRepresentors) {
    auto n = spec_of(4, EswitchMode::Switchdev);
    // Start from hw-tc-offload off on the PF (the patched module turns it on for new ports).
    test::must("ethtool -K " + pf_ + " hw-tc-offload off");
    run(n);
    NicState s = read(n);
    ASSERT_EQ(s.netdevs.size(), 5u) << ports_of(n);
    std::unique_ptr<Ethtool> ethtool;
    ASSERT_TRUE(Ethtool::open(ethtool).ok());
    for (const NetdevState& d : s.netdevs) {
        EXPECT_EQ(d.hw_tc_offload, true) << d.name;
        EXPECT_TRUE(d.up) << d.name;
        // ethtool(8) agrees, and so does a fresh read through ethtool netlink.
        EXPECT_NE(output_of("ethtool -k " + d.name).find("hw-tc-offload: on"), std::string::npos) << d.name;
        const std::string link = output_of("ip link show " + d.name);
        EXPECT_TRUE(std::regex_search(link, std::regex("[<,]UP[,>]"))) << link;
        FeatureState f;
        ASSERT_TRUE(ethtool->feature(d.ifindex, "hw-tc-offload", f).ok());
        EXPECT_TRUE(f.active && f.wanted && f.changeable) << d.name;
    }
    // Converged: a second run makes zero writes.
    CountingOps counting(*ops_);
    auto again = reconcile_nic(n, profile_, counting, false);
    EXPECT_TRUE(again.status.ok()) << offload::to_string(again.status);
    EXPECT_EQ(counting.writes, 0);
    // Turned off behind snoc's back on one representor: exactly that is put back.
    test::must("ethtool -K " + rep(2) + " hw-tc-offload off");
    auto repair = reconcile_nic(n, profile_, *ops_, false);
    ASSERT_EQ(repair.done.size(), 1u);
    EXPECT_EQ(repair.done[0].command, "ethtool -K " + rep(2) + " hw-tc-offload on");
    EXPECT_EQ(repair.done[0].vf, 2);
}

TEST_F(NetdevsimNic, IrqAffinityIsSkippedWithANoteWithoutMsiIrqs) {
    auto n = spec_of(2, EswitchMode::Switchdev);
    n.irq_affinity = true;
    NicReport r = run(n);
    EXPECT_TRUE(has_note(r, "has no MSI IRQs")) << notes_of(r);
    std::cout << notes_of(r);
}

TEST_F(NetdevsimNic, EswitchInlineAndEncapMode) {
    profile_.eswitch.inline_mode = offload::InlineMode::Transport;
    profile_.eswitch.encap_mode = offload::EncapMode::Basic;
    profile_.eswitch.optional = true;
    auto n = spec_of(2, EswitchMode::Switchdev);
    NicReport r = run(n);
    std::cout << notes_of(r);
    const std::string show = output_of("devlink dev eswitch show netdevsim/netdevsim" + std::to_string(id_));
    if (!port_fn_patched()) {
        // Stock netdevsim has neither: optional, so notes and success.
        EXPECT_TRUE(has_note(r, "inline mode is transport: not done, the driver does not support it")) << notes_of(r);
        EXPECT_EQ(show.find("inline-mode"), std::string::npos) << show;
        // Required instead: the NIC fails, naming the step and devlink's answer.
        profile_.eswitch.optional = false;
        NicReport strict = reconcile_nic(n, profile_, *ops_, false);
        ASSERT_FALSE(strict.status.ok());
        EXPECT_NE(strict.status.reason.find("step set-inline-mode: devlink dev eswitch set netdevsim/netdevsim"),
                  std::string::npos)
            << strict.status.reason;
        std::cout << "reason: " << strict.status.reason << "\n";
        return;
    }
    EXPECT_NE(show.find("inline-mode transport"), std::string::npos) << show;
    EXPECT_NE(show.find("encap-mode basic"), std::string::npos) << show;
    EXPECT_TRUE(r.notes.empty()) << notes_of(r);
    NicState s = read(n);
    EXPECT_EQ(s.inline_mode, offload::InlineMode::Transport);
    EXPECT_EQ(s.encap_mode, offload::EncapMode::Basic);
    CountingOps counting(*ops_);
    EXPECT_TRUE(reconcile_nic(n, profile_, counting, false).status.ok());
    EXPECT_EQ(counting.writes, 0) << "inline / encap already right: no write";
    // Changed behind snoc's back: only that is set again.
    test::must("devlink dev eswitch set netdevsim/netdevsim" + std::to_string(id_) + " encap-mode none");
    NicReport again = run(n);
    ASSERT_EQ(again.done.size(), 1u);
    EXPECT_EQ(again.done[0].kind, StepKind::SetEncapMode);
}

TEST_F(NetdevsimNic, VfMacInSwitchdevMode) {
    auto n = spec_of(2, EswitchMode::Switchdev);
    spec::VfSpec vf;
    vf.index = 1;
    vf.mac = net::parse_mac("02:5c:0c:00:01:01");
    n.vfs.push_back(vf);
    NicReport r = run(n);
    auto mac_step = std::find_if(r.done.begin(), r.done.end(), [](const Step& s) { return s.kind == StepKind::SetVfMac; });
    ASSERT_NE(mac_step, r.done.end());
    NicState s = read(n);
    const DevlinkPort* port = s.vf_port(1);
    ASSERT_NE(port, nullptr) << ports_of(n);
    const std::string handle = "netdevsim/netdevsim" + std::to_string(id_) + "/" + std::to_string(port->index);
    // iproute2 6.1 has no "port function show"; "port show" prints the function's hw_addr.
    const std::string fn = output_of("devlink port show " + handle);
    if (port_fn_patched()) {
        // The devlink path for real: the port function reports the MAC, and the
        // driver's per-VF config (what IFLA_VF_MAC shows) is the same storage.
        EXPECT_EQ(port->function_mac, vf.mac);
        EXPECT_NE(fn.find("hw_addr 02:5c:0c:00:01:01"), std::string::npos) << fn;
        EXPECT_EQ(mac_step->command, "devlink port function set " + handle + " hw_addr 02:5c:0c:00:01:01");
    } else {
        // Stock: no port function hw_addr (EOPNOTSUPP), so IFLA_VF_MAC on the PF.
        EXPECT_FALSE(port->function_mac);
        EXPECT_EQ(fn.find("hw_addr"), std::string::npos) << fn;
    }
    ASSERT_NE(s.vf_link(1), nullptr);
    EXPECT_EQ(s.vf_link(1)->mac, *vf.mac);
    const std::string ip = output_of("ip link show " + pf_);
    EXPECT_NE(ip.find("02:5c:0c:00:01:01"), std::string::npos) << ip;
    CountingOps counting(*ops_);
    EXPECT_TRUE(reconcile_nic(n, profile_, counting, false).status.ok());
    EXPECT_EQ(counting.writes, 0);
}

}  // namespace
}  // namespace snoc::nic
