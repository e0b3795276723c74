#include "controller/monitor/ovs_socket_drops.h"

#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>

#include "ovs-integration/unixctl_client.h"

namespace snoc::monitor {

using offload::Status;

namespace {

Status sys_failure(const std::string& what) {
    const int e = errno;
    return Status::failure(e, what + ": " + std::strerror(e));
}

// The attributes of one packet_diag message.
Status parse_attributes(const uint8_t* p, size_t len, PacketSocket& s) {
    while (len >= sizeof(nlattr)) {
        nlattr a;
        std::memcpy(&a, p, sizeof a);
        if (a.nla_len < sizeof a || a.nla_len > len) {
            return Status::failure(EPROTO, "sock_diag: packet socket " + std::to_string(s.inode) + " has an attribute of " +
                                               std::to_string(a.nla_len) + " bytes in " + std::to_string(len));
        }
        const uint8_t* payload = p + NLA_HDRLEN;
        const size_t payload_len = a.nla_len - NLA_HDRLEN;
        const int type = a.nla_type & NLA_TYPE_MASK;
        if (type == PACKET_DIAG_INFO && payload_len >= sizeof(packet_diag_info)) {
            packet_diag_info info;
            std::memcpy(&info, payload, sizeof info);
            s.ifindex = info.pdi_index;
        } else if (type == PACKET_DIAG_MEMINFO && payload_len >= (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) {
            uint32_t drops = 0;
            std::memcpy(&drops, payload + SK_MEMINFO_DROPS * sizeof(uint32_t), sizeof drops);
            s.drops = drops;
        }
        const size_t step = NLA_ALIGN(a.nla_len);
        if (step >= len) break;
        p += step;
        len -= step;
    }
    return Status::success();
}

}  // namespace

Status parse_packet_diag(const void* data, size_t len, std::vector<PacketSocket>& out, bool& done) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (len >= sizeof(nlmsghdr)) {
        nlmsghdr h;
        std::memcpy(&h, p, sizeof h);
        if (h.nlmsg_len < sizeof h || h.nlmsg_len > len) {
            return Status::failure(EPROTO, "sock_diag: a message of " + std::to_string(h.nlmsg_len) + " bytes in " +
                                               std::to_string(len) + " received");
        }
        const uint8_t* body = p + NLMSG_HDRLEN;
        const size_t body_len = h.nlmsg_len - NLMSG_HDRLEN;
        if (h.nlmsg_type == NLMSG_DONE) {
            done = true;
            return Status::success();
        }
        if (h.nlmsg_type == NLMSG_ERROR) {
            int error = 0;
            if (body_len >= sizeof error) std::memcpy(&error, body, sizeof error);
            const int e = error < 0 ? -error : EPROTO;
            return Status::failure(e, std::string("sock_diag: the kernel refused the dump of packet sockets: ") + std::strerror(e));
        }
        if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            if (body_len < sizeof(packet_diag_msg)) {
                return Status::failure(EPROTO, "sock_diag: a packet socket message of " + std::to_string(body_len) +
                                                   " bytes, shorter than packet_diag_msg");
            }
            packet_diag_msg m;
            std::memcpy(&m, body, sizeof m);
            PacketSocket s;
            s.inode = m.pdiag_ino;
            const size_t head = NLMSG_ALIGN(sizeof m);
            if (body_len > head) {
                if (Status st = parse_attributes(body + head, body_len - head, s); !st.ok()) return st;
            }
            out.push_back(s);
        }
        const size_t step = NLMSG_ALIGN(h.nlmsg_len);
        if (step >= len) break;
        p += step;
        len -= step;
    }
    return Status::success();
}

Status read_packet_sockets(std::vector<PacketSocket>& out) {
    out.clear();
    const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return sys_failure("sock_diag: socket(NETLINK_SOCK_DIAG)");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    // A dump the kernel does not finish must not stall the poll.
    timeval timeout{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    struct {
        nlmsghdr h;
        packet_diag_req r;
    } req{};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = 1;
    req.r.sdiag_family = AF_PACKET;
    req.r.pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
        return sys_failure("sock_diag: sending the dump request for packet sockets");
    }
    std::vector<uint8_t> buf(32768);
    for (bool done = false; !done;) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_failure("sock_diag: reading the dump of packet sockets");
        }
        if (n == 0) break;
        if (Status s = parse_packet_diag(buf.data(), static_cast<size_t>(n), out, done); !s.ok()) return s;
    }
    return Status::success();
}

Status socket_inodes(const std::string& fd_dir, std::set<uint32_t>& out) {
    out.clear();
    std::error_code ec;
    std::filesystem::directory_iterator it(fd_dir, ec);
    if (ec) return Status::failure(ec.value(), "listing " + fd_dir + ": " + ec.message());
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) return Status::failure(ec.value(), "listing " + fd_dir + ": " + ec.message());
        std::error_code link_ec;
        const std::string target = std::filesystem::read_symlink(it->path(), link_ec).string();
        // A descriptor closed since the listing, or not a link: not a socket we can name.
        if (link_ec || !target.starts_with("socket:[") || !target.ends_with("]")) continue;
        try {
            out.insert(static_cast<uint32_t>(std::stoul(target.substr(8, target.size() - 9))));
        } catch (const std::exception&) {
            continue;  // "socket:[...]" without a number: not one sock_diag reports
        }
    }
    return Status::success();
}

Status read_ovs_port_sockets(const std::string& ovs_rundir, std::vector<PortSocket>& out) {
    out.clear();
    long pid = 0;
    if (Status s = ovs::read_daemon_pid(ovs_rundir, "ovs-vswitchd", pid); !s.ok()) return s;
    std::set<uint32_t> held;
    if (Status s = socket_inodes("/proc/" + std::to_string(pid) + "/fd", held); !s.ok()) {
        return Status::failure(s.error, "ovs-vswitchd's sockets (pid " + std::to_string(pid) + " from " + ovs_rundir +
                                            "/ovs-vswitchd.pid): " + s.reason);
    }
    std::vector<PacketSocket> all;
    if (Status s = read_packet_sockets(all); !s.ok()) return s;
    for (const PacketSocket& s : all) {
        if (s.ifindex == 0 || !held.count(s.inode)) continue;
        char name[IF_NAMESIZE] = {};
        if (::if_indextoname(s.ifindex, name) == nullptr) continue;  // the port went away since the dump
        out.push_back({name, s});
    }
    return Status::success();
}

std::map<std::string, uint64_t> SocketDropDeltas::observe(const std::vector<PortSocket>& sockets) {
    std::map<std::string, uint64_t> added;
    std::map<uint32_t, uint64_t> now;
    for (const PortSocket& p : sockets) {
        const auto last = last_.find(p.socket.inode);
        // Unknown, or fewer drops than last time (the inode now names a new socket): all of it is new.
        added[p.port] +=
            last == last_.end() || p.socket.drops < last->second ? p.socket.drops : p.socket.drops - last->second;
        now[p.socket.inode] = p.socket.drops;
    }
    last_ = std::move(now);
    return added;
}

}  // namespace snoc::monitor
