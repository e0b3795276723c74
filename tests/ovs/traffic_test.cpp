// Real packets through snoc's configuration: two network namespaces, each
// behind a veth whose other end snoc's reconciler puts on a userspace
// bridge, and snoc's OpenFlow flows (not NORMAL) forwarding between them.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <thread>

#include "flow/policy_syntax.h"
#include "ovs-integration/datapath_monitor.h"
#include "ovs-integration/openflow_programmer.h"
#include "ovs-integration/openflow_render.h"
#include "ovs-integration/ovs_reconcile.h"
#include "tests/ovs/ovs_sandbox.h"

extern char** environ;

namespace snoc::ovs {
namespace {

using namespace std::chrono_literals;
using offload::Status;
using snoc::test::run;

// A network namespace held open by a sleeping child (no named netns, no
// mounts: it disappears with the process).
class Netns {
public:
    Netns() {
        char arg0[] = "unshare", arg1[] = "-n", arg2[] = "sleep", arg3[] = "600";
        char* argv[] = {arg0, arg1, arg2, arg3, nullptr};
        if (::posix_spawnp(&pid_, "unshare", nullptr, nullptr, argv, environ) != 0) pid_ = -1;
    }
    ~Netns() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    Netns(const Netns&) = delete;
    Netns& operator=(const Netns&) = delete;
    std::string pid() const { return std::to_string(pid_); }
    // Runs a command inside the namespace.
    Status in(std::vector<std::string> argv, std::string* out = nullptr) const {
        argv.insert(argv.begin(), {"nsenter", "-t", pid(), "-n"});
        return run(argv, out);
    }
    // Waits until unshare has switched namespaces (its netns differs from ours).
    bool ready() const {
        for (int i = 0; i < 200 && pid_ > 0; ++i) {
            std::string mine, theirs;
            run({"readlink", "/proc/self/ns/net"}, &mine);
            run({"readlink", "/proc/" + pid() + "/ns/net"}, &theirs);
            if (!theirs.empty() && theirs != mine) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

private:
    pid_t pid_ = -1;
};

#define MUST(expr)                                                  \
    do {                                                            \
        const Status must_status = (expr);                          \
        ASSERT_TRUE(must_status.ok()) << offload::to_string(must_status); \
    } while (0)

class TrafficTest : public snoc::test::OvsTest {};

TEST_F(TrafficTest, PingFlowsThroughSnocsFlows) {
    Netns a, b;
    ASSERT_TRUE(a.ready() && b.ready()) << "cannot create the workload namespaces";
    struct Side {
        const Netns& ns;
        std::string host, inner, ip;
    };
    for (const Side& s : {Side{a, "va0", "va1", "10.99.0.1/24"}, Side{b, "vb0", "vb1", "10.99.0.2/24"}}) {
        MUST(run({"ip", "link", "add", "name", s.host, "type", "veth", "peer", "name", s.inner}));
        MUST(run({"ip", "link", "set", s.inner, "netns", s.ns.pid()}));
        MUST(run({"ip", "link", "set", s.host, "up"}));
        // The userspace datapath does not fill in checksums a veth left to
        // offload: turn TX checksum offload off or TCP stalls.
        MUST(run({"ethtool", "-K", s.host, "tx", "off"}));
        MUST(s.ns.in({"ethtool", "-K", s.inner, "tx", "off"}));
        MUST(s.ns.in({"ip", "addr", "add", s.ip, "dev", s.inner}));
        MUST(s.ns.in({"ip", "link", "set", s.inner, "up"}));
    }

    OvsdbClient db(OvsdbOptions{ovs.db_socket(), 10s});
    DesiredOvs desired;
    desired.bridge = "br-t";
    desired.datapath_type = "netdev";
    desired.ports = {DesiredPort{"va0", "", std::nullopt, {}, {{"snoc-workload", "a"}}},
                     DesiredPort{"vb0", "", std::nullopt, {}, {{"snoc-workload", "b"}}}};
    ReconcilePlan plan;
    MUST(reconcile(db, desired, plan));
    ASSERT_TRUE(plan.next_cfg);
    MUST(wait_for_vswitchd(db, *plan.next_cfg, 10s));

    // Policy in workload terms, rendered to OVS port names with owner cookies.
    // Both beat OVS's default NORMAL flow, which would otherwise carry the ping.
    const auto port = [](const std::string& workload) { return workload == "a" ? std::string("va0") : std::string("vb0"); };
    std::vector<flow::Flow> flows;
    for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
             {"a-to-b", "priority=100,in_port=a actions=output:b"}, {"b-to-a", "priority=100,in_port=b actions=output:a"}}) {
        const auto policy = flow::parse_policy_flow(text);
        ASSERT_TRUE(policy.flow);
        flows.push_back(*flow::parse_policy_flow(render_openflow(*policy.flow, policy_cookie(name), port)).flow);
    }
    OpenflowProgrammer programmer(OpenflowOptions::for_bridge("br-t", ovs.ofctl_target("br-t")));
    MUST(programmer.install(flows));

    std::string out;
    const Status ping = a.in({"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.99.0.2"}, &out);
    EXPECT_TRUE(ping.ok()) << offload::to_string(ping) << "\n" << out;
    EXPECT_NE(out.find("3 received"), std::string::npos) << out;

    // The packets went through snoc's flows.
    MUST(run({"ovs-ofctl", "-O", "OpenFlow14", "--names", "dump-flows", ovs.ofctl_target("br-t"),
              "cookie=0x5c0c000000000000/0xffff000000000000"},
             &out));
    EXPECT_EQ(out.find("n_packets=0,"), std::string::npos) << out;

    // DatapathMonitor on the live switch: the ping's datapath flows, in OVS
    // (userspace datapath), attributed to the veth ports. The first poll is
    // a baseline; the second ping's packets are this interval's traffic.
    std::string ctl;
    MUST(find_unixctl_socket(ovs.dir(), "ovs-vswitchd", ctl));
    UnixctlClient unixctl;
    MUST(unixctl.connect(ctl));
    DatapathMonitor monitor(unixctl);
    DatapathPoll poll;
    MUST(monitor.poll(poll));
    EXPECT_TRUE(poll.baseline);
    const Status again = a.in({"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.99.0.2"}, &out);
    EXPECT_TRUE(again.ok()) << out;
    MUST(monitor.poll(poll));
    EXPECT_EQ(poll.error_count, 0u);
    EXPECT_GT(poll.dump_time.count(), 0);
    EXPECT_GE(poll.delta[offload::Placement::Ovs].packets, 6u);  // 3 requests + 3 replies
    EXPECT_EQ(poll.delta[offload::Placement::Hardware].packets, 0u);
    uint64_t from_va0 = 0, from_vb0 = 0;
    for (const MonitoredFlow& m : poll.flows) {
        EXPECT_TRUE(m.in_port == "va0" || m.in_port == "vb0" || m.in_port == "br-t") << m.in_port;
        (m.in_port == "va0" ? from_va0 : from_vb0) += m.delta.packets;
    }
    EXPECT_GE(from_va0, 3u);
    EXPECT_GE(from_vb0, 3u);
}

}  // namespace
}  // namespace snoc::ovs
