// Per-VF settings the PF's driver holds (rtnetlink IFLA_VF_*): MAC, VLAN /
// QoS, trust, spoof checking, TX rate. Read with RTM_GETLINK (RTEXT_FILTER_VF),
// set with RTM_SETLINK on the PF.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "controller/nic/nic_state.h"
#include "flow/net_address.h"
#include "netlink/netlink_socket.h"
#include "offload/status.h"

namespace snoc::nic {

// What to change on one VF; unset fields stay as they are.
struct VfSettings {
    uint32_t vf = 0;
    std::optional<net::Mac> mac;
    std::optional<std::pair<uint16_t, uint8_t>> vlan_qos;
    std::optional<bool> spoofchk;
    std::optional<bool> trust;
    std::optional<uint32_t> max_tx_rate_mbps;
};

offload::Status read_vf_links(netlink::NetlinkSocket& rtnl, int pf_ifindex, std::vector<VfLink>& out);
offload::Status set_vf(netlink::NetlinkSocket& rtnl, int pf_ifindex, const VfSettings& s);

}  // namespace snoc::nic
