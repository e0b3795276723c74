// Drops of OVS's packet sockets: the sock_diag dump parsed, deltas per port
// across socket restarts, their place in the port totals, and (as root) the
// kernel's own count for a socket whose queue overflowed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "controller/monitor/ovs_socket_drops.h"
#include "controller/monitor/port_drops.h"

namespace snoc::monitor {
namespace {

// A netlink message as the kernel writes it.
class Message {
public:
    explicit Message(uint16_t type) {
        nlmsghdr h{};
        h.nlmsg_type = type;
        append(&h, sizeof h);
    }
    Message& append(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
        bytes_.resize(NLMSG_ALIGN(bytes_.size()));
        return *this;
    }
    Message& attribute(uint16_t type, const void* p, size_t n) {
        nlattr a{};
        a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + n);
        a.nla_type = type;
        append(&a, sizeof a);
        return append(p, n);
    }
    std::vector<uint8_t> done() const {
        std::vector<uint8_t> out = bytes_;
        const auto len = static_cast<uint32_t>(out.size());
        std::memcpy(out.data(), &len, sizeof len);  // nlmsg_len leads the header
        return out;
    }

private:
    std::vector<uint8_t> bytes_;
};

std::vector<uint8_t> packet_socket(uint32_t inode, uint32_t ifindex, uint32_t drops) {
    packet_diag_msg m{};
    m.pdiag_family = AF_PACKET;
    m.pdiag_ino = inode;
    packet_diag_info info{};
    info.pdi_index = ifindex;
    uint32_t mem[SK_MEMINFO_VARS] = {};
    mem[SK_MEMINFO_RCVBUF] = 212992;
    mem[SK_MEMINFO_DROPS] = drops;
    return Message(SOCK_DIAG_BY_FAMILY)
        .append(&m, sizeof m)
        .attribute(PACKET_DIAG_INFO, &info, sizeof info)
        .attribute(PACKET_DIAG_MEMINFO, mem, sizeof mem)
        .done();
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST(OvsSocketDrops, ParsesInodeIfindexAndDropsUntilDone) {
    const auto buf = concat({packet_socket(41, 7, 4748), packet_socket(44, 0, 0), Message(NLMSG_DONE).done()});
    std::vector<PacketSocket> out;
    bool done = false;
    ASSERT_TRUE(parse_packet_diag(buf.data(), buf.size(), out, done).ok());
    EXPECT_TRUE(done);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].inode, 41u);
    EXPECT_EQ(out[0].ifindex, 7u);
    EXPECT_EQ(out[0].drops, 4748u);
    EXPECT_EQ(out[1].ifindex, 0u) << "bound to no interface";

    // One recv() can end before the dump does.
    out.clear();
    done = false;
    const auto part = packet_socket(45, 3, 1);
    ASSERT_TRUE(parse_packet_diag(part.data(), part.size(), out, done).ok());
    EXPECT_FALSE(done);
    EXPECT_EQ(out.size(), 1u);
}

TEST(OvsSocketDrops, ErrorsSayWhat) {
    std::vector<PacketSocket> out;
    bool done = false;
    const int error = -EPERM;
    const auto refused = Message(NLMSG_ERROR).append(&error, sizeof error).done();
    auto st = parse_packet_diag(refused.data(), refused.size(), out, done);
    EXPECT_EQ(st.error, EPERM);
    EXPECT_NE(st.reason.find("refused the dump of packet sockets"), std::string::npos) << st.reason;

    auto truncated = packet_socket(41, 7, 1);
    const size_t whole = truncated.size();
    truncated.resize(whole - 8);
    st = parse_packet_diag(truncated.data(), truncated.size(), out, done);
    EXPECT_EQ(st.error, EPROTO);
    EXPECT_NE(st.reason.find(std::to_string(whole) + " bytes"), std::string::npos) << st.reason;
}

TEST(OvsSocketDrops, DeltasPerPortAcrossSocketRestarts) {
    SocketDropDeltas d;
    // First sight: drops since OVS opened the socket count in full.
    auto added = d.observe({{"rep0", {41, 7, 100}}, {"rep1", {42, 8, 0}}});
    EXPECT_EQ(added.at("rep0"), 100u);
    EXPECT_EQ(added.at("rep1"), 0u) << "every port is there";
    added = d.observe({{"rep0", {41, 7, 130}}, {"rep1", {42, 8, 5}}});
    EXPECT_EQ(added.at("rep0"), 30u);
    EXPECT_EQ(added.at("rep1"), 5u);
    // OVS restarted: new sockets, counting from 0 again.
    added = d.observe({{"rep0", {51, 7, 9}}, {"rep1", {42, 8, 5}}});
    EXPECT_EQ(added.at("rep0"), 9u);
    EXPECT_EQ(added.at("rep1"), 0u);
    // An inode the kernel gave to a new socket: fewer drops than before, all of them new.
    added = d.observe({{"rep0", {51, 7, 2}}});
    EXPECT_EQ(added.at("rep0"), 2u);
    EXPECT_FALSE(added.count("rep1")) << "no socket, nothing to say";
    // Two sockets on one port add up.
    added = d.observe({{"rep0", {51, 7, 4}}, {"rep0", {52, 7, 3}}});
    EXPECT_EQ(added.at("rep0"), 5u);
}

TEST(OvsSocketDrops, AreRxDropsOfThePort) {
    PortDropTotals t;
    t.add({"rep0", 10, 2}, {"nic0", "web"});
    t.add_socket_drops("rep0", 4748, {"nic0", "web"});
    t.add({"rep0", 12, 2}, {"nic0", "web"});
    t.add_socket_drops("rep0", 2, {"nic0", "web"});
    EXPECT_EQ(t.totals().at("rep0").rx, 12u + 4750u);
    EXPECT_EQ(t.totals().at("rep0").tx, 2u);
    // A port whose interface counters were not read yet still counts its socket's drops.
    t.add_socket_drops("rep1", 7, {"nic0", "db"});
    t.add({"rep1", 1, 0}, {"nic0", "db"});
    EXPECT_EQ(t.totals().at("rep1").rx, 8u);
}

// An open file descriptor's inode.
uint32_t inode_of(int fd) {
    struct stat st{};
    return ::fstat(fd, &st) == 0 ? static_cast<uint32_t>(st.st_ino) : 0;
}

// As root: a packet socket on lo that nobody reads overflows, and the
// kernel's sk_drops, read through sock_diag, says by how much.
TEST(OvsSocketDrops, TheKernelCountsAnOverflowingSocket) {
    constexpr uint16_t kEtherType = 0x88b5;  // IEEE 802 local experimental: nothing else on lo uses it
    const int rx = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(kEtherType));
    if (rx < 0) GTEST_SKIP() << "no packet socket (needs CAP_NET_RAW): " << std::strerror(errno);
    // qemu-user (the arm64 tier) does not emulate NETLINK_SOCK_DIAG: there is
    // no kernel answer to check, so the test has nothing to assert.
    const int diag = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (diag < 0 && errno == EPROTONOSUPPORT) {
        ::close(rx);
        GTEST_SKIP() << "no NETLINK_SOCK_DIAG here (qemu-user?): " << std::strerror(errno);
    }
    if (diag >= 0) ::close(diag);
    const int tx = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    ASSERT_GE(tx, 0);
    const int lo = static_cast<int>(::if_nametoindex("lo"));
    ASSERT_GT(lo, 0);
    sockaddr_ll at{};
    at.sll_family = AF_PACKET;
    at.sll_protocol = htons(kEtherType);
    at.sll_ifindex = lo;
    ASSERT_EQ(::bind(rx, reinterpret_cast<sockaddr*>(&at), sizeof at), 0) << std::strerror(errno);
    const int small = 4096;  // the kernel doubles it and keeps a floor: a few frames fit
    ::setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);

    std::vector<uint8_t> frame(60, 0);
    frame[12] = kEtherType >> 8;
    frame[13] = kEtherType & 0xff;
    constexpr int kSent = 200;
    for (int i = 0; i < kSent; ++i) {
        ASSERT_EQ(::sendto(tx, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&at), sizeof at),
                  static_cast<ssize_t>(frame.size()))
            << std::strerror(errno);
    }

    const uint32_t inode = inode_of(rx);
    PacketSocket mine;
    // lo delivers from the backlog (softirq): give it a moment to take all of them.
    for (int t = 0; t < 50 && mine.drops <= kSent / 2u; ++t) {
        std::vector<PacketSocket> all;
        const auto st = read_packet_sockets(all);
        ASSERT_TRUE(st.ok()) << st.reason;
        mine = {};
        for (const auto& s : all) {
            if (s.inode == inode) mine = s;
        }
        ASSERT_EQ(mine.inode, inode) << "socket " << inode << " not in the dump of " << all.size();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(mine.ifindex, static_cast<uint32_t>(lo));
    EXPECT_GT(mine.drops, kSent / 2u) << "a few frames fit the queue, the rest were dropped";
    EXPECT_LT(mine.drops, static_cast<uint64_t>(kSent));

    std::set<uint32_t> held;
    ASSERT_TRUE(socket_inodes("/proc/self/fd", held).ok());
    EXPECT_TRUE(held.count(inode)) << "this process holds it";
    EXPECT_TRUE(held.count(inode_of(tx)));
    ::close(rx);
    ::close(tx);
}

TEST(OvsSocketDrops, MissingPidfileSaysWhichFile) {
    std::vector<PortSocket> out;
    const auto st = read_ovs_port_sockets("/nonexistent-ovs-rundir", out);
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.reason.find("/nonexistent-ovs-rundir/ovs-vswitchd.pid"), std::string::npos) << st.reason;
}

}  // namespace
}  // namespace snoc::monitor
