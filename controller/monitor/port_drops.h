// Packets dropped on the ports the slow path runs through.
//
// A packet that misses the NIC's table goes to its representor, where OVS
// reads it. It can be lost on the way in two places, and snoc reads both
// for every uplink and representor, so a slow path losing packets shows up
// in /metrics (snoc_port_dropped_packets_total), not only in `ip -s link`:
//
// - the interface: the kernel drops it at the representor (backlog full:
//   rx_dropped; a send to the port that fails: tx_dropped). Source:
//   /proc/self/net/dev of the namespace snoc and OVS run in, one read for
//   every port, "drop" columns = rx_dropped (+ rx_missed) and tx_dropped;
// - OVS's socket (userspace datapath): the interface received it, then
//   ovs-vswitchd did not read its packet socket in time and the socket's
//   queue overflowed. No interface counter sees this one — it is the usual
//   loss when OVS falls behind (ovs_socket_drops.h measured it) — and it is
//   added to rx.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "offload/status.h"

namespace snoc::monitor {

enum class DropDirection : uint8_t { Rx, Tx };
std::string_view to_string(DropDirection d);  // "rx", "tx"

struct PortDropReading {
    std::string port;
    uint64_t rx_dropped = 0;
    uint64_t tx_dropped = 0;
};

// The readings of `ports` from /proc/net/dev text; ports it lacks are left
// out. A malformed line is an error naming it.
offload::Status parse_proc_net_dev(std::string_view text, const std::vector<std::string>& ports,
                                   std::vector<PortDropReading>& out);
// Reads /proc/self/net/dev.
offload::Status read_port_drops(const std::vector<std::string>& ports, std::vector<PortDropReading>& out);

// Totals that only go up, from kernel counters that start again at 0 when a
// device is re-made (a re-made veth, a reloaded driver): a reading below the
// last one is a restart, and counts in full.
class PortDropTotals {
public:
    struct Labels {
        std::string nic;
        std::string workload;
    };
    struct Total {
        Labels labels;
        uint64_t rx = 0, tx = 0;
        uint64_t last_rx = 0, last_tx = 0;
        bool seen = false;
    };

    void add(const PortDropReading& r, Labels labels);
    // Drops of OVS's packet sockets on `port` since the last poll
    // (SocketDropDeltas): already deltas, added to rx as they are.
    void add_socket_drops(const std::string& port, uint64_t added, Labels labels);
    const std::map<std::string, Total>& totals() const { return totals_; }  // by port

private:
    std::map<std::string, Total> totals_;
};

}  // namespace snoc::monitor
