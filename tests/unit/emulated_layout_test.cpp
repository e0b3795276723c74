// The names an emulated NIC makes, derived from its spec: they are what
// operators see in `ip link` and `ovs-vsctl show`, and what `snoc down`
// removes, so they must not drift.
#include <gtest/gtest.h>

#include "controller/nic/emulated_nic.h"

namespace snoc::nic {
namespace {

spec::NicSpec emulated_nic(uint16_t vfs) {
    spec::NicSpec n;
    n.name = "esw";
    n.pf = "esw0";
    n.profile = "sim";
    n.backend = offload::Backend::Emulated;
    n.num_vfs = vfs;
    n.representor_prefix = "esw0_";
    return n;
}

TEST(EmulatedLayout, NamesComeFromTheNicNamePfAndRepresentorPrefix) {
    const EmulatedLayout l = emulated_layout(emulated_nic(2));
    EXPECT_EQ(l.nic_netns, "snoc-esw-esw");
    EXPECT_EQ(l.wire_netns, "snoc-wire-esw");
    EXPECT_EQ(l.pin_dir, "/run/snoc/esw/esw");
    EXPECT_EQ(l.pf, "esw0");
    ASSERT_EQ(l.vfs.size(), 2u);
    EXPECT_EQ(l.vfs[1].vf_netdev, "esw0v1");
    EXPECT_EQ(l.vfs[1].representor, "esw0_vf1");
    EXPECT_EQ(l.vfs[1].vf_port, "vf1");
    EXPECT_EQ(l.vfs[1].rep_port, "rep1");
}

TEST(EmulatedLayout, WithoutPfTheUplinkIsNamedAfterTheNic) {
    spec::NicSpec n = emulated_nic(0);
    n.pf.clear();
    EXPECT_EQ(emulated_layout(n).pf, "esw");
    EXPECT_TRUE(emulated_layout(n).vfs.empty());
}

TEST(EmulatedLayout, AVfNetdevNotInThisNamespaceIsReportedAsMoved) {
    // No such netdev here: it is either not made yet or in its workload's namespace.
    EXPECT_EQ(emulated_vf_netdev(emulated_nic(2), 1), "");
    EXPECT_EQ(emulated_vf_netdev(emulated_nic(2), 7), "") << "out of range";
}

}  // namespace
}  // namespace snoc::nic
