// ovs-vswitchd's unixctl socket, spoken natively.
#include <gtest/gtest.h>

#include <cerrno>

#include "ovs-integration/unixctl_client.h"
#include "tests/ovs/ovs_sandbox.h"

namespace snoc::ovs {
namespace {

class UnixctlTest : public snoc::test::OvsTest {
protected:
    void SetUp() override {
        OvsTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        std::string path;
        const Status f = find_unixctl_socket(ovs.dir(), "ovs-vswitchd", path);
        ASSERT_TRUE(f.ok()) << offload::to_string(f);
        EXPECT_EQ(path, ovs.vswitchd_ctl());
        const Status s = ctl.connect(path);
        ASSERT_TRUE(s.ok()) << offload::to_string(s);
    }
    UnixctlClient ctl;
};

TEST_F(UnixctlTest, Version) {
    std::string out;
    const Status s = ctl.version(out);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_NE(out.find("ovs-vswitchd (Open vSwitch)"), std::string::npos) << out;
}

TEST_F(UnixctlTest, DatapathCommands) {
    ASSERT_TRUE(ovs.vsctl({"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev"}).ok());
    std::string out;
    Status s = ctl.dpif_show(out);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_NE(out.find("netdev@ovs-netdev"), std::string::npos) << out;
    EXPECT_NE(out.find("br0"), std::string::npos) << out;
    s = ctl.dump_datapath_flows(out);
    EXPECT_TRUE(s.ok()) << offload::to_string(s);
    s = ctl.upcall_show(out);
    EXPECT_TRUE(s.ok()) << offload::to_string(s);
    // The userspace datapath without hw-offload has no offload statistics;
    // OVS answers with an error, which must come through as OVS worded it.
    s = ctl.offload_stats(out);
    EXPECT_TRUE(s.ok() || s.reason.find("retrieving offload statistics") != std::string::npos)
        << offload::to_string(s);
}

TEST_F(UnixctlTest, UnknownCommandIsAnErrorWithOvsText) {
    std::string out;
    const Status s = ctl.call("no/such-command", {"x"}, out);
    EXPECT_EQ(s.error, EREMOTEIO);
    EXPECT_NE(s.reason.find("is not a valid command"), std::string::npos) << s.reason;
}

TEST(UnixctlLocate, MissingPidfileSaysWhere) {
    std::string path;
    const Status s = find_unixctl_socket("/tmp/snoc-no-such-rundir", "ovs-vswitchd", path);
    EXPECT_EQ(s.error, ENOENT);
    EXPECT_NE(s.reason.find("is ovs-vswitchd running"), std::string::npos) << s.reason;
}

}  // namespace
}  // namespace snoc::ovs
