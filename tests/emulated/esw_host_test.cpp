// The emulated eSwitch on the host kernel: real packets from container
// namespaces through the tc BPF program. Needs root and a kernel with BPF,
// clsact and veth; skips, saying why, without them.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "host_topology.h"

namespace snoc::test {
namespace {

using offload::HwRule;
using offload::HwRuleState;
using offload::Status;
using offload::emulated::EswLoader;

constexpr uint16_t kPort = 5000;

// The id of the program pinned under `pin_dir`; 0 when there is none.
uint32_t pinned_prog_id(const std::string& pin_dir) {
    const int fd = bpf_obj_get((pin_dir + "/esw_ingress").c_str());
    if (fd < 0) return 0;
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    const uint32_t id = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
    ::close(fd);
    return id;
}

// The ifindexes esw_ports records under `pin_dir`.
std::set<uint32_t> recorded_ports(const std::string& pin_dir) {
    std::set<uint32_t> out;
    const int fd = bpf_obj_get((pin_dir + "/esw_ports").c_str());
    if (fd < 0) return out;
    uint32_t key = 0, next = 0;
    const uint32_t* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        out.insert(next);
        key = next;
        prev = &key;
    }
    ::close(fd);
    return out;
}

// eSwitch filters at ingress of `dev` in the NIC namespace.
int esw_filters(const HostTopology& topo, const std::string& dev) {
    const std::string out = output_of("ip netns exec " + topo.ns("nic") + " tc filter show dev " + dev + " ingress");
    // One line per filter (the program's name may appear twice on it).
    int n = 0;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) n += line.find("esw_ingress") != std::string::npos;
    return n;
}

bool mounted(const std::string& path) {
    std::ifstream mounts("/proc/mounts");
    const std::string all((std::istreambuf_iterator<char>(mounts)), std::istreambuf_iterator<char>());
    return all.find(" " + path + " ") != std::string::npos;
}

// The program goes once its last reference (tc filter, fd, pin) is gone; freeing is deferred (RCU).
bool prog_unloaded(uint32_t prog_id) {
    for (int t = 0; t < 100; ++t) {
        const int fd = bpf_prog_get_fd_by_id(prog_id);
        if (fd < 0) return true;
        ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// Parses a policy flow ("priority=...,udp,... actions=...") into a rule on `port`.
HwRule rule(uint64_t cookie, const std::string& port, const std::string& policy) {
    HwRule r;
    EXPECT_TRUE(test::policy_rule(cookie, port, policy, r)) << policy;
    return r;
}

class EmulatedHost : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, BPF, tc)";
        topo_ = std::make_unique<HostTopology>(3);
        if (!topo_->ok()) GTEST_SKIP() << "cannot build the veth topology: " << topo_->error();
        if (std::string why = topo_->load(table_size()); !why.empty()) {
            GTEST_SKIP() << "the host kernel cannot run the emulated eSwitch: " << why;
        }
    }
    void TearDown() override {
        if (topo_) {
            EXPECT_EQ(topo_->teardown(), "");
        }
    }
    virtual uint32_t table_size() const { return 64; }

    void sync(const std::vector<HwRule>& rules) {
        auto report = topo_->backend().sync(rules, {"rep0", "rep1", "rep2"});
        for (const auto& [r, s] : report.failures) ADD_FAILURE() << r.cookie << ": " << offload::to_string(s);
    }
    HwRuleState state(uint64_t cookie) {
        std::vector<HwRuleState> states;
        EXPECT_TRUE(topo_->backend().read({"rep0", "rep1", "rep2"}, states).ok());
        for (const auto& s : states) {
            if (s.rule.cookie == cookie) return s;
        }
        ADD_FAILURE() << "no rule " << cookie;
        return {};
    }
    // Sends `n` datagrams c<from> -> c<to>'s address; returns how many c<to> received.
    int send(int from, int to, int n, const std::string& dst = "") {
        const std::string addr = dst.empty() ? HostTopology::ip(to) : dst;
        const int fd = udp_listen(topo_->ns_path("c" + std::to_string(to)), addr, kPort);
        EXPECT_GE(fd, 0);
        EXPECT_EQ(udp_send(topo_->ns_path("c" + std::to_string(from)), addr, kPort, n), n);
        const int got = fd >= 0 ? udp_drain(fd, n) : 0;
        if (fd >= 0) ::close(fd);
        return got;
    }
    // Waits until rep<i> has received `want` packets more than `before`.
    uint64_t rep_rx_after(int i, uint64_t before, uint64_t want) {
        uint64_t now = 0;
        for (int t = 0; t < 50; ++t) {
            now = topo_->link_stat("host", "rep" + std::to_string(i), "rx_packets");
            if (now - before >= want) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return now - before;
    }
    uint64_t rep_rx(int i) { return topo_->link_stat("host", "rep" + std::to_string(i), "rx_packets"); }

    std::unique_ptr<HostTopology> topo_;
};

TEST_F(EmulatedHost, HitSwitchesBetweenContainersAndCountsEveryPacket) {
    sync({rule(1, "rep0", "priority=100,udp,tp_dst=5000 actions=output:rep1")});
    const uint64_t rep_before = rep_rx(0);
    EXPECT_EQ(send(0, 1, 10), 10);
    const HwRuleState s = state(1);
    EXPECT_EQ(s.packets, 10u);
    EXPECT_EQ(s.hw_packets, 10u);
    EXPECT_EQ(s.bytes, 10u * (14 + 20 + 8 + 64));
    EXPECT_EQ(s.placement, offload::Placement::Hardware);
    ASSERT_TRUE(s.idle_ms.has_value());
    EXPECT_LT(*s.idle_ms, 5000u);
    EXPECT_EQ(rep_rx(0), rep_before) << "a hit must not reach the representor";
}

TEST_F(EmulatedHost, PingRunsOnTheFastPathWithTheRepresentorsUnplugged) {
    sync({rule(1, "rep0", "priority=10 actions=output:rep1"), rule(2, "rep1", "priority=10 actions=output:rep0")});
    EXPECT_EQ(sh("ip netns exec " + topo_->container(0) + " ping -c 3 -i 0.2 -W 1 " + HostTopology::ip(1)), 0);
    EXPECT_EQ(state(1).packets, 3u);
    EXPECT_EQ(state(2).packets, 3u);
}

TEST_F(EmulatedHost, MissGoesToTheRepresentor) {
    const uint64_t before = rep_rx(0);
    EXPECT_EQ(send(0, 1, 5), 0);
    EXPECT_EQ(rep_rx_after(0, before, 5), 5u);
    std::array<uint64_t, ESW_STAT_MAX> stats{};
    ASSERT_TRUE(topo_->loader().read_stats(stats).ok());
    EXPECT_EQ(stats[ESW_STAT_MISS], 5u);
    EXPECT_EQ(stats[ESW_STAT_HIT], 0u);
}

TEST_F(EmulatedHost, DropCountsAndDeliversNothing) {
    sync({rule(1, "rep0", "priority=100,udp actions=drop")});
    const uint64_t before = rep_rx(0);
    EXPECT_EQ(send(0, 1, 7), 0);
    EXPECT_EQ(state(1).packets, 7u);
    EXPECT_EQ(rep_rx(0), before);
}

TEST_F(EmulatedHost, TrapSendsAHitToSoftware) {
    // A wide fast-path rule with a higher-priority exception trapped to OVS.
    sync({rule(1, "rep0", "priority=10,ip actions=output:rep1"),
          rule(2, "rep0", "priority=100,udp,tp_dst=5000 actions=NORMAL")});
    const uint64_t before = rep_rx(0);
    EXPECT_EQ(send(0, 1, 4), 0);
    EXPECT_EQ(rep_rx_after(0, before, 4), 4u);
    EXPECT_EQ(state(2).packets, 4u);
    EXPECT_EQ(state(1).packets, 0u);
}

TEST_F(EmulatedHost, VlanPushOnTheWayInPopOnTheWayBack) {
    // The host kernel has no 8021q (no VLAN interfaces): c1's side is a
    // packet socket that sees tags through PACKET_AUXDATA and sends tagged
    // frames itself.
    sync({rule(1, "rep0", "priority=100,udp,tp_dst=5000 actions=push_vlan:0x8100,mod_vlan_vid:100,output:rep1"),
          rule(2, "rep1", "priority=100,dl_vlan=100 actions=strip_vlan,output:rep0")});
    const int raw = packet_listen(topo_->ns_path("c1"), "vf1");
    ASSERT_GE(raw, 0);
    EXPECT_EQ(udp_send(topo_->ns_path("c0"), HostTopology::ip(1), kPort, 6), 6);
    int tagged = 0, untagged = 0;
    for (const Frame& f : packet_drain(raw)) {
        if (!is_udp_to(f, kPort)) continue;
        (f.tagged && (f.vlan_tci & 0x0fff) == 100) ? ++tagged : ++untagged;
    }
    ::close(raw);
    EXPECT_EQ(tagged, 6);
    EXPECT_EQ(untagged, 0);
    EXPECT_EQ(state(1).packets, 6u);

    // Tagged frames from c1 come out of c0 untagged, to its UDP socket.
    const int fd = udp_listen(topo_->ns_path("c0"), HostTopology::ip(0), kPort);
    ASSERT_GE(fd, 0);
    const auto frame = udp_frame(HostTopology::mac(1), HostTopology::mac(0), 100, HostTopology::ip(1), HostTopology::ip(0), kPort, 32);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(packet_send(topo_->ns_path("c1"), "vf1", frame));
    EXPECT_EQ(udp_drain(fd, 5), 5) << "c0 takes only untagged frames";
    ::close(fd);
    EXPECT_EQ(state(2).packets, 5u);
    EXPECT_EQ(state(2).bytes, 5u * (14 + 4 + 20 + 8 + 32)) << "counted as received: with the tag";
    // A frame on another VLAN misses the rule and goes to the representor.
    const uint64_t before = rep_rx(1);
    ASSERT_TRUE(packet_send(topo_->ns_path("c1"), "vf1",
                            udp_frame(HostTopology::mac(1), HostTopology::mac(0), 200, HostTopology::ip(1), HostTopology::ip(0), kPort, 32)));
    EXPECT_EQ(rep_rx_after(1, before, 1), 1u);
    EXPECT_EQ(state(2).packets, 5u);
}

TEST_F(EmulatedHost, HigherPriorityWinsAcrossOverlappingMasks) {
    // The /16 would send 10.77.0.3's packets to c1 (wrong MAC: dropped there);
    // the /32 at a higher priority sends them to c2.
    sync({rule(1, "rep0", "priority=100,ip,nw_dst=10.77.0.0/16 actions=output:rep1"),
          rule(2, "rep0", "priority=200,ip,nw_dst=10.77.0.3 actions=output:rep2")});
    EXPECT_EQ(topo_->table().masks_in_use(), 2u);
    EXPECT_EQ(send(0, 2, 5), 5);
    EXPECT_EQ(send(0, 1, 3), 3);
    EXPECT_EQ(state(2).packets, 5u);
    EXPECT_EQ(state(1).packets, 3u);
    // Swap the priorities: now the /16 wins for 10.77.0.3 too.
    sync({rule(1, "rep0", "priority=300,ip,nw_dst=10.77.0.0/16 actions=output:rep1"),
          rule(2, "rep0", "priority=200,ip,nw_dst=10.77.0.3 actions=output:rep2")});
    EXPECT_EQ(send(0, 2, 5), 0);
    EXPECT_EQ(state(1).packets, 5u) << "replaced rule's counters start from zero";
}

TEST_F(EmulatedHost, ShadowedRuleIsPromotedWhenTheWinnerIsDeleted) {
    const HwRule winner = rule(1, "rep0", "priority=200,udp,tp_dst=5000 actions=drop");
    const HwRule shadowed = rule(2, "rep0", "priority=100,udp,tp_dst=5000 actions=output:rep1");
    sync({winner, shadowed});
    EXPECT_TRUE(topo_->table().installed(1));
    EXPECT_FALSE(topo_->table().installed(2));
    EXPECT_EQ(send(0, 1, 4), 0);
    sync({shadowed});
    EXPECT_TRUE(topo_->table().installed(2));
    EXPECT_EQ(send(0, 1, 6), 6);
    EXPECT_EQ(state(2).packets, 6u) << "the shadowed rule counts only what it ran";
}

TEST_F(EmulatedHost, SecondSyncChangesNothingAndKeepsCounters) {
    HwRule r = rule(1, "rep0", "priority=100,udp,tp_dst=5000 actions=output:rep1");
    sync({r});
    EXPECT_EQ(send(0, 1, 3), 3);
    auto again = topo_->backend().sync({r}, {"rep0", "rep1", "rep2"});
    EXPECT_EQ(again.unchanged, 1u);
    EXPECT_EQ(again.added + again.replaced + again.deleted, 0u);
    // Residency means nothing to a table-only backend: same entry, same counters.
    r.residency = offload::Residency::HardwareOnly;
    again = topo_->backend().sync({r}, {"rep0", "rep1", "rep2"});
    EXPECT_EQ(again.unchanged, 1u);
    EXPECT_EQ(state(1).packets, 3u);
    EXPECT_EQ(state(1).rule.residency, offload::Residency::HardwareOnly);
    // Rules on ports outside the sync are left alone.
    again = topo_->backend().sync({}, {"rep1"});
    EXPECT_EQ(again.deleted, 0u);
    EXPECT_EQ(topo_->table().size(), 1u);
    std::vector<HwRuleState> states;
    const auto s = topo_->backend().read({"rep0", "rep9"}, states);
    EXPECT_EQ(s.error, ENODEV);
    EXPECT_NE(s.reason.find("rep9"), std::string::npos) << s.reason;
}

// A `snoc apply` process releases the eSwitch at exit; the next one adopts
// it (here both in one process: release() closes every fd, as an exit would).
TEST_F(EmulatedHost, ReleasedESwitchIsAdoptedWithItsRulesAndCounters) {
    const std::vector<HwRule> rules = {
        rule(1, "rep0", "priority=100,udp,tp_dst=5000 actions=output:rep1"),
        rule(2, "rep1", "priority=10 actions=output:rep0"),
        rule(3, "rep0", "priority=200,udp,tp_dst=6000 actions=drop"),
        rule(4, "rep2", "priority=100,udp,tp_dst=5000 actions=push_vlan:0x8100,mod_vlan_vid:100,output:rep1"),
        rule(5, "rep0", "priority=300,ip,nw_dst=10.77.0.3 actions=NORMAL"),
    };
    const std::vector<std::string> all = {"rep0", "rep1", "rep2"};
    sync(rules);
    EXPECT_EQ(send(0, 1, 5), 5);
    const uint32_t prog = pinned_prog_id(topo_->pin_dir());
    ASSERT_NE(prog, 0u);

    topo_->release();
    EXPECT_EQ(send(0, 1, 2), 2) << "with no process holding it the fast path still runs";
    bool adopted = false;
    ASSERT_EQ(topo_->adopt(adopted), "");
    EXPECT_TRUE(adopted);
    EXPECT_TRUE(topo_->loader().adopted());
    EXPECT_EQ(pinned_prog_id(topo_->pin_dir()), prog) << "the program was not loaded again";
    EXPECT_EQ(topo_->table().size(), rules.size());

    // Before any sync, read() reports the adopted rules by cookie, port and priority.
    const HwRuleState before = state(1);
    EXPECT_EQ(before.rule.port, "rep0");
    EXPECT_EQ(before.rule.priority, 100u);
    EXPECT_EQ(before.packets, 7u) << "counters are not reset by adoption";
    EXPECT_EQ(state(4).rule.port, "rep2");

    const auto report = topo_->backend().sync(rules, all);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.unchanged, rules.size());
    EXPECT_EQ(report.added + report.replaced + report.deleted, 0u);
    EXPECT_EQ(state(1).rule, rules[0]) << "the canonical rule is known once synced";
    EXPECT_EQ(send(0, 1, 3), 3);
    EXPECT_EQ(state(1).packets, 10u);
    std::array<uint64_t, ESW_STAT_MAX> stats{};
    ASSERT_TRUE(topo_->loader().read_stats(stats).ok());
    EXPECT_EQ(stats[ESW_STAT_HIT], 10u);

    // The adopted loader adds ports: re-adding one replaces its filter.
    const uint32_t vfport0 = topo_->ifindex("nic", "vfport0");
    ASSERT_TRUE(topo_->loader().add_port(vfport0, esw_port{ESW_PORT_LOOKUP, topo_->ifindex("nic", "repport0")}).ok());
    EXPECT_EQ(esw_filters(*topo_, "vfport0"), 1);
    EXPECT_EQ(send(0, 1, 1), 1);
    EXPECT_EQ(state(1).packets, 11u);

    // Changes after adoption: a stale adopted rule goes, a changed one is replaced.
    std::vector<HwRule> changed = {rules[0], rules[1], rule(3, "rep0", "priority=200,udp,tp_dst=6001 actions=drop")};
    const auto second = topo_->backend().sync(changed, all);
    EXPECT_TRUE(second.ok());
    EXPECT_EQ(second.unchanged, 2u);
    EXPECT_EQ(second.replaced, 1u);
    EXPECT_EQ(second.deleted, 2u);
    EXPECT_EQ(topo_->table().size(), 3u);
}

// `snoc apply` re-made VF 1's veth pair (vfport1 has a new ifindex) and
// adopted the eSwitch, as the next apply does. The rules on the old ifindex
// match no packet and are in no port's scope: the next sync of the NIC, of
// whichever ports, removes them, and the rules that are still wanted run
// again on the new port.
TEST_F(EmulatedHost, RulesOnARemadePortAreRemovedByTheNextSync) {
    const std::vector<HwRule> rules = {
        rule(1, "rep0", "priority=100,udp,tp_dst=5000 actions=output:rep1"),
        rule(2, "rep1", "priority=100,udp,tp_dst=5000 actions=output:rep0"),
        rule(3, "rep1", "priority=50,udp,tp_dst=6000 actions=drop"),
        rule(4, "rep2", "priority=100,udp,tp_dst=5000 actions=output:rep0"),
    };
    sync(rules);
    EXPECT_EQ(send(1, 0, 2), 2);
    EXPECT_EQ(state(2).packets, 2u);

    const uint32_t old_vfport1 = topo_->ifindex("nic", "vfport1");
    topo_->release();
    ASSERT_EQ(topo_->remake_vf(1), "");
    bool adopted = false;
    ASSERT_EQ(topo_->adopt(adopted), "");
    ASSERT_TRUE(adopted);
    ASSERT_EQ(topo_->attach_vf(1), "");
    EXPECT_EQ(topo_->table().size(), rules.size());

    // Bring-up forgets the port record of the gone ifindex (it attaches every port, then keeps only those).
    std::set<uint32_t> ports;
    for (const std::string dev : {"vfport0", "repport0", "vfport1", "repport1", "vfport2", "repport2"}) {
        ports.insert(topo_->ifindex("nic", dev));
    }
    EXPECT_TRUE(recorded_ports(topo_->pin_dir()).count(old_vfport1));
    size_t forgotten = 0;
    ASSERT_TRUE(topo_->loader().forget_ports_except(ports, forgotten).ok());
    EXPECT_EQ(forgotten, 1u);
    EXPECT_EQ(recorded_ports(topo_->pin_dir()), ports);
    std::vector<HwRuleState> states;
    ASSERT_TRUE(topo_->backend().read({"rep0", "rep1", "rep2"}, states).ok());
    EXPECT_EQ(states.size(), 2u) << "rules 2 and 3 are on vfport1's old ifindex: no port's";

    // A sync of rep0 alone: rule 1 is replaced (its output is the new
    // vfport1), rules 2 and 3 go though rep1 was not in the sync, rule 4 stays.
    auto report = topo_->backend().sync({rules[0]}, {"rep0"});
    for (const auto& [r, s] : report.failures) ADD_FAILURE() << r.cookie << ": " << offload::to_string(s);
    EXPECT_EQ(report.replaced, 1u);
    EXPECT_EQ(report.deleted, 2u);
    EXPECT_EQ(topo_->table().cookies(), (std::vector<uint64_t>{1, 4}));
    EXPECT_EQ(send(0, 1, 5), 5) << "the fast path reaches the re-made VF";
    EXPECT_EQ(state(1).packets, 5u);

    // Packets from the re-made VF miss to its representor until a rule is
    // installed on its new ifindex, then run on the fast path.
    const uint64_t rep_before = rep_rx(1);
    EXPECT_EQ(send(1, 0, 3), 0) << "the representors are unplugged: a miss reaches nobody";
    EXPECT_EQ(rep_rx_after(1, rep_before, 3), 3u);
    report = topo_->backend().sync({rules[1]}, {"rep1"});
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.added, 1u);
    EXPECT_EQ(send(1, 0, 4), 4);
    EXPECT_EQ(state(2).packets, 4u) << "a new entry, its counter slot reset";
}

// Not a fixture test: it checks what the adopted loader's teardown leaves.
TEST(EmulatedHostAdoption, TeardownAfterAdoptionLeavesNoPinsMountOrFilter) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, BPF, tc)";
    HostTopology topo(2);
    if (!topo.ok()) GTEST_SKIP() << "cannot build the veth topology: " << topo.error();
    if (std::string why = topo.load(); !why.empty()) GTEST_SKIP() << "the host kernel cannot run the emulated eSwitch: " << why;
    const auto report = topo.backend().sync({rule(1, "rep0", "priority=100,udp actions=output:rep1")}, {"rep0", "rep1"});
    EXPECT_TRUE(report.ok());
    const uint32_t prog = pinned_prog_id(topo.pin_dir());
    topo.release();
    EXPECT_TRUE(mounted(topo.pin_dir())) << "release leaves the private bpffs mounted";
    bool adopted = false;
    ASSERT_EQ(topo.adopt(adopted), "");
    ASSERT_TRUE(adopted);
    EXPECT_EQ(esw_filters(topo, "vfport0"), 1);
    const auto s = topo.loader().teardown();
    EXPECT_TRUE(s.ok()) << offload::to_string(s);
    for (const char* dev : {"vfport0", "repport0", "vfport1", "repport1"}) EXPECT_EQ(esw_filters(topo, dev), 0) << dev;
    EXPECT_FALSE(std::filesystem::exists(topo.pin_dir()));
    EXPECT_FALSE(mounted(topo.pin_dir()));
    EXPECT_TRUE(prog_unloaded(prog)) << "program " << prog << " is still loaded";
    EXPECT_EQ(topo.teardown(), "");
}

TEST(EmulatedHostAdoption, ChangedProfileAndPartialPinsAreRefusedAndDestroyClearsThem) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, BPF, tc)";
    HostTopology topo(1);
    if (!topo.ok()) GTEST_SKIP() << "cannot build the veth topology: " << topo.error();
    if (std::string why = topo.load(64); !why.empty()) GTEST_SKIP() << "the host kernel cannot run the emulated eSwitch: " << why;
    const uint32_t prog = pinned_prog_id(topo.pin_dir());
    topo.release();

    auto opts = topo.options();
    opts.table_size = 128;
    std::unique_ptr<EswLoader> loader;
    bool adopted = true;
    Status s = EswLoader::load_or_adopt(opts, loader, adopted);
    EXPECT_EQ(s.error, EEXIST);
    EXPECT_NE(s.reason.find("profile changed"), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find(topo.pin_dir() + "/esw_rules"), std::string::npos) << s.reason;
    EXPECT_FALSE(adopted);
    EXPECT_EQ(loader, nullptr);
    EXPECT_EQ(esw_filters(topo, "vfport0"), 1) << "a refused adoption leaves the data plane alone";

    opts.table_size = 64;
    ASSERT_EQ(::unlink((topo.pin_dir() + "/esw_config").c_str()), 0);
    s = EswLoader::load_or_adopt(opts, loader, adopted);
    EXPECT_EQ(s.error, EEXIST);
    EXPECT_NE(s.reason.find("missing esw_config"), std::string::npos) << s.reason;

    s = EswLoader::destroy_pinned(opts);
    EXPECT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_EQ(esw_filters(topo, "vfport0"), 0);
    EXPECT_EQ(esw_filters(topo, "repport0"), 0);
    EXPECT_FALSE(std::filesystem::exists(topo.pin_dir()));
    EXPECT_FALSE(mounted(topo.pin_dir()));
    EXPECT_TRUE(prog_unloaded(prog));
    s = EswLoader::destroy_pinned(opts);
    EXPECT_TRUE(s.ok()) << "nothing pinned: " << offload::to_string(s);

    // Nothing pinned: load_or_adopt loads afresh.
    s = EswLoader::load_or_adopt(opts, loader, adopted);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_FALSE(adopted);
    EXPECT_TRUE(mounted(topo.pin_dir()));
    EXPECT_TRUE(loader->teardown().ok());
    EXPECT_FALSE(std::filesystem::exists(topo.pin_dir()));
    EXPECT_EQ(topo.teardown(), "");
}

TEST(EmulatedHostAdoption, DestroyPinnedOnAnEmptyOrMissingDirectorySucceeds) {
    offload::emulated::EswLoadOptions opts;
    opts.pin_dir = ::testing::TempDir() + "snoc-esw-empty-" + std::to_string(::getpid());
    Status s = EswLoader::destroy_pinned(opts);
    EXPECT_TRUE(s.ok()) << offload::to_string(s);
    ASSERT_TRUE(std::filesystem::create_directory(opts.pin_dir));
    s = EswLoader::destroy_pinned(opts);
    EXPECT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_TRUE(std::filesystem::exists(opts.pin_dir)) << "a plain directory it did not make stays";
    // Something that is not an eSwitch pin is refused, and left alone.
    std::ofstream(opts.pin_dir + "/notes.txt") << "mine\n";
    s = EswLoader::destroy_pinned(opts);
    EXPECT_EQ(s.error, EEXIST);
    EXPECT_NE(s.reason.find("notes.txt"), std::string::npos) << s.reason;
    EXPECT_TRUE(std::filesystem::exists(opts.pin_dir + "/notes.txt"));
    std::filesystem::remove_all(opts.pin_dir);
}

// An unprivileged user who could plant a symlink where snoc pins (a /run/snoc
// made under a loose umask, before) must not redirect the pins or the
// bpffs mount: the loader refuses the link and makes nothing at its target.
TEST(EmulatedHostAdoption, APlantedSymlinkIsRefusedAndNothingGoesToItsTarget) {
    namespace fs = std::filesystem;
    const fs::path root = ::testing::TempDir() + "snoc-esw-link-" + std::to_string(::getpid());
    fs::remove_all(root);
    fs::create_directories(root / "target");
    ::chmod(root.c_str(), 0700);
    fs::create_directory_symlink(root / "target", root / "esw");
    offload::emulated::EswLoadOptions opts;
    opts.pin_dir = (root / "esw/nic0").string();  // through the link
    opts.table_size = 8;
    std::unique_ptr<EswLoader> loader;
    bool adopted = false;
    Status s = EswLoader::load_or_adopt(opts, loader, adopted);
    EXPECT_EQ(s.error, ELOOP) << offload::to_string(s);
    EXPECT_NE(s.reason.find((root / "esw").string() + " is a symbolic link"), std::string::npos) << s.reason;
    opts.pin_dir = (root / "esw").string();  // the link itself as the pin directory
    s = EswLoader::load_or_adopt(opts, loader, adopted);
    EXPECT_EQ(s.error, ELOOP) << offload::to_string(s);
    EXPECT_FALSE(loader);
    EXPECT_TRUE(fs::is_empty(root / "target"));
    fs::remove_all(root);
}

class EmulatedHostSmallTable : public EmulatedHost {
protected:
    uint32_t table_size() const override { return 4; }
};

TEST_F(EmulatedHostSmallTable, FullTableSaysSo) {
    std::vector<HwRule> rules;
    for (int i = 0; i < 5; ++i) {
        rules.push_back(rule(100 + i, "rep0", "priority=100,udp,tp_dst=" + std::to_string(6000 + i) + " actions=drop"));
    }
    auto report = topo_->backend().sync(rules, {"rep0"});
    EXPECT_EQ(report.added, 4u);
    ASSERT_EQ(report.failures.size(), 1u);
    EXPECT_EQ(report.failures[0].second.error, E2BIG);
    EXPECT_NE(report.failures[0].second.reason.find("NIC table full"), std::string::npos)
        << report.failures[0].second.reason;
    // The four that went in still run.
    const int fd = udp_listen(topo_->ns_path("c1"), HostTopology::ip(1), 6000);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(udp_send(topo_->ns_path("c0"), HostTopology::ip(1), 6000, 3), 3);
    EXPECT_EQ(udp_drain(fd, 3), 0);
    ::close(fd);
    EXPECT_EQ(state(100).packets, 3u);
}

// Not a fixture test: it checks what the fixture's teardown leaves behind.
TEST(EmulatedHostTeardown, LeavesNoNamespacesLinksPinsOrPrograms) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, BPF, tc)";
    uint32_t prog_id = 0;
    std::string prefix, pin_dir;
    {
        HostTopology topo(2);
        if (!topo.ok()) GTEST_SKIP() << "cannot build the veth topology: " << topo.error();
        if (std::string why = topo.load(); !why.empty()) GTEST_SKIP() << "the host kernel cannot run the emulated eSwitch: " << why;
        prefix = topo.prefix();
        pin_dir = topo.pin_dir();
        const int fd = bpf_obj_get((pin_dir + "/esw_ingress").c_str());
        ASSERT_GE(fd, 0);
        bpf_prog_info info{};
        uint32_t len = sizeof info;
        ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
        prog_id = info.id;
        ::close(fd);
        EXPECT_NE(output_of("ip netns exec " + topo.ns("nic") + " tc filter show dev vfport0 ingress").find("esw_ingress"),
                  std::string::npos);
        EXPECT_EQ(topo.teardown(), "");
    }
    EXPECT_EQ(output_of("ip netns list").find(prefix), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(pin_dir));
    std::ifstream mounts("/proc/mounts");
    const std::string all((std::istreambuf_iterator<char>(mounts)), std::istreambuf_iterator<char>());
    EXPECT_EQ(all.find(pin_dir), std::string::npos);
    // The program goes once its last reference (tc filter, fd, pin) is gone; freeing is deferred (RCU).
    int fd = -1;
    for (int t = 0; t < 100; ++t) {
        fd = bpf_prog_get_fd_by_id(prog_id);
        if (fd < 0) break;
        ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_LT(fd, 0) << "program " << prog_id << " is still loaded";
}

}  // namespace
}  // namespace snoc::test
