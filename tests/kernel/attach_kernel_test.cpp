// Workload attachment on the real kernel: a veth workload and a "VF" (a
// netdev moved into the namespace: netdevsim has no VF netdevs, so a veth end
// stands in for one) get their namespace, name, MAC, MTU, addresses and
// default route; a second attach changes nothing; traffic flows.
#include <gtest/gtest.h>

#include "controller/nic/workload_attach.h"
#include "kernel_env.h"

namespace snoc::nic {
namespace {

using test::must;
using test::output_of;
using test::sh;

class Attach : public ::testing::Test {
protected:
    void SetUp() override {
        SNOC_REQUIRE_FLOWER();  // the VM tier: root, netns, veth
        sh("ip netns del snoc-web");
        sh("ip netns del snoc-db");
        sh("ip link del v-web");
        sh("ip link del snoc-vf0");
    }
    void TearDown() override {
        sh("ip netns del snoc-web");
        sh("ip netns del snoc-db");
        sh("ip link del v-web");
        sh("ip link del snoc-vf0");
    }
};

TEST_F(Attach, VethWorkloadGetsEverythingAndASecondRunChangesNothing) {
    Attachment a;
    a.workload = "web";
    a.netns = "snoc-web";
    a.ifname = "eth0";
    a.veth_host = "v-web";
    a.mac = net::parse_mac("02:00:00:00:0a:01");
    a.mtu = 1450;
    a.addresses = {*net::parse_prefix("10.77.0.10/24"), *net::parse_prefix("2001:db8:77::10/64")};
    a.gateway = net::parse_ip("10.77.0.1");

    AttachReport first = attach(a, false);
    ASSERT_TRUE(first.status.ok()) << offload::to_string(first.status);
    EXPECT_GE(first.done.size(), 5u);
    const std::string link = output_of("ip -n snoc-web link show eth0");
    EXPECT_NE(link.find("02:00:00:00:0a:01"), std::string::npos) << link;
    EXPECT_NE(link.find("mtu 1450"), std::string::npos) << link;
    EXPECT_NE(link.find("UP"), std::string::npos) << link;
    const std::string addr = output_of("ip -n snoc-web addr show eth0");
    EXPECT_NE(addr.find("10.77.0.10/24"), std::string::npos) << addr;
    EXPECT_NE(addr.find("2001:db8:77::10/64"), std::string::npos) << addr;
    EXPECT_NE(output_of("ip -n snoc-web route").find("default via 10.77.0.1"), std::string::npos);
    EXPECT_EQ(sh("ip link show v-web"), 0) << "the host side stays here";

    AttachReport second = attach(a, false);
    ASSERT_TRUE(second.status.ok()) << offload::to_string(second.status);
    EXPECT_TRUE(second.done.empty()) << second.done.front();

    // Traffic: the host side answers for the gateway address.
    must("ip addr add 10.77.0.1/24 dev v-web");
    EXPECT_EQ(sh("ip netns exec snoc-web ping -c 1 -W 2 10.77.0.1"), 0);
}

TEST_F(Attach, MovedNetdevIsRenamedInItsNamespace) {
    must("ip link add snoc-vf0 type veth peer name snoc-vf0p");
    Attachment a;
    a.workload = "db";
    a.netns = "snoc-db";
    a.ifname = "net1";
    a.vf = true;
    a.move_netdev = "snoc-vf0";
    a.addresses = {*net::parse_prefix("10.78.0.20/24")};
    AttachReport r = attach(a, false);
    ASSERT_TRUE(r.status.ok()) << offload::to_string(r.status);
    EXPECT_NE(sh("ip link show snoc-vf0"), 0) << "moved away from here";
    EXPECT_NE(output_of("ip -n snoc-db addr show net1").find("10.78.0.20/24"), std::string::npos);
    EXPECT_TRUE(attach(a, false).done.empty());
}

TEST_F(Attach, FailuresNameTheWorkloadAndStep) {
    Attachment a;
    a.workload = "ghost";
    a.netns = "snoc-db";
    a.ifname = "eth0";
    a.vf = true;
    a.move_netdev = "no-such-vf";
    AttachReport r = attach(a, false);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error, ENODEV);
    EXPECT_EQ(r.status.reason, "workload ghost, moving no-such-vf into snoc-db: netdev no-such-vf does not exist");
}

}  // namespace
}  // namespace snoc::nic
