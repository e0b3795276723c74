// Workload attachment: put a container's interface in its network namespace
// with its name, MAC, MTU, addresses and default route — a VF netdev moved in,
// or a veth pair created for workloads without a VF.
//
// Contract: attach() is idempotent (a second call changes nothing and says
// so), works in the namespace through a netlink socket opened there (the
// caller's own namespace is never changed), and names the workload, the step
// and the kernel's text on failure. Named namespaces are created with
// `ip netns add` (a bind mount under /run/netns, which netlink cannot make).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "flow/net_address.h"
#include "offload/status.h"

namespace snoc::nic {

struct Attachment {
    std::string workload;
    std::string netns;
    std::string ifname = "eth0";               // the name inside the namespace
    // Either a VF's netdev to move in, or a veth pair to create.
    bool vf = false;
    std::string move_netdev;                   // VF: its netdev here ("" once moved: found in the namespace)
    std::string veth_host;                     // veth: host-side name (stays here, joins OVS)
    std::optional<net::Mac> mac;
    uint16_t mtu = 1500;
    std::vector<net::IpPrefix> addresses;
    std::optional<net::IpAddress> gateway;
};

struct AttachReport {
    std::vector<std::string> done;             // what changed, one line each
    offload::Status status;
};

AttachReport attach(const Attachment& a, bool dry_run);

}  // namespace snoc::nic
