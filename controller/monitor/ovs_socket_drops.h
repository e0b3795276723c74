// Slow-path packets OVS lost before it read them: the drops of ovs-vswitchd's
// packet sockets on its system ports (representors, uplinks).
//
// OVS's userspace datapath reads each system port through an AF_PACKET
// socket bound to it. When ovs-vswitchd falls behind, the kernel drops what
// no longer fits that socket's receive queue — after the interface counted
// the packet as received. So rx_dropped of the representor, tx_dropped of
// its veth peer in the NIC namespace and OVSDB's Interface statistics all
// stay 0. Measured on the development host: 5006 frames sent to a
// representor while ovs-vswitchd was stopped, 4748 dropped, every interface
// counter 0, `ss -0 -m` showing d4748 on OVS's socket. The socket's own
// count (sk_drops) is the only one; it is read here with sock_diag
// (NETLINK_SOCK_DIAG, AF_PACKET, PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO),
// the source `ss -0 -m` reads.
//
// Only ovs-vswitchd's sockets count (their inodes among /proc/<pid>/fd, the
// pid from its pidfile in the OVS run directory), so a tcpdump left on a
// representor adds nothing. OVS on the kernel datapath reads ports through
// its kernel module, not packet sockets: there nothing is found, and its
// upcall losses are `ovs-dpctl show`'s "lost".
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "offload/status.h"

namespace snoc::monitor {

// One packet socket as sock_diag reports it.
struct PacketSocket {
    uint32_t inode = 0;
    uint32_t ifindex = 0;  // the interface it is bound to; 0 = every interface
    uint64_t drops = 0;    // sk_drops: packets the kernel dropped at this socket since it was opened
};

// Parses one recv() worth of a sock_diag dump of packet sockets, appending
// to `out`; `done` is set at NLMSG_DONE. An NLMSG_ERROR or a truncated
// message is an error saying which.
offload::Status parse_packet_diag(const void* data, size_t len, std::vector<PacketSocket>& out, bool& done);

// Every packet socket of this process's network namespace.
offload::Status read_packet_sockets(std::vector<PacketSocket>& out);

// The inodes of the sockets among the links of `fd_dir` (/proc/<pid>/fd:
// "socket:[N]"); other links are skipped.
offload::Status socket_inodes(const std::string& fd_dir, std::set<uint32_t>& out);

// One port's socket as of a poll: the port's name and the socket.
struct PortSocket {
    std::string port;
    PacketSocket socket;
};

// The packet sockets ovs-vswitchd holds (pid from <ovs_rundir>/ovs-vswitchd.pid)
// that are bound to an interface, with that interface's name.
offload::Status read_ovs_port_sockets(const std::string& ovs_rundir, std::vector<PortSocket>& out);

// The drops each port's OVS sockets added since the last poll, for
// PortDropTotals. sk_drops is per socket: OVS opens a new one when it
// restarts or re-adds a port, and that one starts again at 0. A socket seen
// for the first time counts in full (drops since OVS opened it), one seen
// before counts what it added; a socket that went away takes its drops since
// the last poll along.
class SocketDropDeltas {
public:
    // By port; every port of `sockets` is there, 0 when nothing was added.
    std::map<std::string, uint64_t> observe(const std::vector<PortSocket>& sockets);

private:
    std::map<uint32_t, uint64_t> last_;  // drops by socket inode, as of the last poll
};

}  // namespace snoc::monitor
