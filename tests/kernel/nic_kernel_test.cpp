// NIC bring-up against netdevsim in the VM: VF counts 0 -> 8 -> 4, legacy <->
// switchdev, representor discovery and renaming, VF MAC through the devlink
// port function, and a second run that changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "controller/nic/devlink.h"
#include "controller/nic/nic_reconcile.h"
#include "controller/nic/sysfs.h"
#include "kernel_env.h"
#include "netdevsim_nic.h"

namespace snoc::nic {
namespace {

namespace fs = std::filesystem;
using offload::EswitchMode;
using test::must;
using test::output_of;
using test::sh;

TEST_F(NetdevsimNic, BringUpChangesOnlyWhatDiffers) {
    auto legacy = read(spec_of(0, EswitchMode::Legacy));
    EXPECT_EQ(legacy.devlink.str(), "netdevsim/netdevsim" + std::to_string(id_));
    EXPECT_EQ(legacy.driver, "netdevsim");
    EXPECT_EQ(legacy.sriov_numvfs, 0u);

    // 0 -> 8 VFs in switchdev mode: representors appear and get stable names.
    auto eight = spec_of(8, EswitchMode::Switchdev);
    run(eight);
    auto s = read(eight);
    EXPECT_EQ(s.sriov_numvfs, 8u);
    EXPECT_EQ(s.eswitch_mode, EswitchMode::Switchdev);
    for (uint16_t vf = 0; vf < 8; ++vf) {
        const DevlinkPort* p = s.vf_port(vf);
        ASSERT_NE(p, nullptr) << "VF " << vf;
        EXPECT_EQ(p->netdev, rep(vf));
    }
    EXPECT_NE(output_of("devlink dev eswitch show netdevsim/netdevsim" + std::to_string(id_)).find("switchdev"),
              std::string::npos);
    EXPECT_EQ(sh("ip link show " + rep(7)), 0);

    // A second run makes no change.
    EXPECT_TRUE(reconcile_nic(eight, profile_, *ops_, false).done.empty());

    // 8 -> 4 goes through 0 (the kernel refuses 8 -> 4 directly).
    auto four = run(spec_of(4, EswitchMode::Switchdev));
    ASSERT_GE(four.done.size(), 2u);
    EXPECT_EQ(four.done[0].kind, StepKind::SetNumVfs);
    EXPECT_EQ(four.done[0].count, 0u);
    EXPECT_EQ(read(spec_of(4, EswitchMode::Switchdev)).sriov_numvfs, 4u);

    // Back to legacy: no representors.
    run(spec_of(4, EswitchMode::Legacy));
    auto back = read(spec_of(4, EswitchMode::Legacy));
    EXPECT_EQ(back.eswitch_mode, EswitchMode::Legacy);
    EXPECT_EQ(back.vf_port(0), nullptr);
}

TEST_F(NetdevsimNic, VfMacAndSettings) {
    // Per-VF settings are a legacy-mode feature: netdevsim, like most drivers,
    // refuses some of them (the TX rate) in switchdev mode.
    auto n = spec_of(2, EswitchMode::Legacy);
    spec::VfSpec vf;
    vf.index = 1;
    vf.mac = net::parse_mac("02:5c:0c:00:00:01");
    vf.vlan = 100;
    vf.qos = 3;
    vf.trust = true;
    vf.spoofchk = false;
    vf.max_tx_rate_mbps = 1000;
    n.vfs.push_back(vf);
    // No representors in legacy mode, so no devlink port function: the MAC goes through IFLA_VF_MAC.
    NicReport r = reconcile_nic(n, profile_, *ops_, false);
    ASSERT_TRUE(r.status.ok()) << offload::to_string(r.status);
    auto s = read(n);
    const VfLink* link = s.vf_link(1);
    ASSERT_NE(link, nullptr);
    EXPECT_EQ(link->mac, *vf.mac);
    EXPECT_EQ(link->vlan, 100);
    EXPECT_EQ(link->qos, 3);
    EXPECT_EQ(link->trust, true);
    EXPECT_EQ(link->spoofchk, false);
    EXPECT_EQ(link->max_tx_rate_mbps, 1000u);
    // iproute2 sees the same.
    const std::string ip = output_of("ip link show " + pf_);
    EXPECT_NE(ip.find("vf 1"), std::string::npos) << ip;
    EXPECT_NE(ip.find("02:5c:0c:00:00:01"), std::string::npos) << ip;
    EXPECT_NE(ip.find("vlan 100, qos 3"), std::string::npos) << ip;
    // A second run changes nothing.
    EXPECT_TRUE(reconcile_nic(n, profile_, *ops_, false).done.empty());
}

TEST_F(NetdevsimNic, ErrorsNameNicAndStep) {
    // More VFs than the device allows (max_vfs 8): the write fails and the report says where.
    auto n = spec_of(9, EswitchMode::Switchdev);
    NicReport r = reconcile_nic(n, profile_, *ops_, false);
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(r.status.reason.find("NIC nsim"), std::string::npos) << r.status.reason;
    EXPECT_NE(r.status.reason.find("set-num-vfs"), std::string::npos) << r.status.reason;
    std::cout << "reason: " << r.status.reason << "\n";
}

}  // namespace
}  // namespace snoc::nic
