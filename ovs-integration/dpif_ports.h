// Which OVS port a datapath port number (or datapath port name) is, read
// from ovs-vswitchd's own tables over unixctl:
//
//   dpif/show   "  netdev@ovs-netdev: hit:0 missed:0" / "  br0:" /
//               "    vx0 1/1: (vxlan: key=flow, remote_ip=192.0.2.9)"
//               (OVS port name, OpenFlow port / datapath port, type)
//   dpctl/show  "  port 1: vxlan_sys_4789 (vxlan: packet_type=ptap)"
//               (datapath port number, the datapath's own name)
//
// Datapath flow dumps name ports as the datapath does: a number, or with -m
// the datapath's name, which for tunnels is the shared vport
// (vxlan_sys_4789), not the OVS port (vx0). Monitoring attributes traffic
// to OVS ports, so both spellings resolve to the OVS port here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "offload/status.h"

namespace snoc::ovs {

struct DpPort {
    std::string datapath;              // "netdev@ovs-netdev", "system@ovs-system"
    std::string bridge;                // "" when only dpctl/show named it
    std::string name;                  // the OVS port name ("" when only dpctl/show named it)
    std::string dp_name;               // the datapath's name for it ("" until dpctl/show is read)
    std::optional<uint32_t> ofport;    // unset for "none"
    uint32_t dp_port = 0;
    std::string type;                  // "system", "tap", "internal", "vxlan", ...
};

class DpPortMap {
public:
    // Replaces the ports of the datapaths named in `text` (dpif/show output).
    // Fails (EPROTO) on a line it cannot read, quoting it; never throws.
    offload::Status read_dpif_show(std::string_view text);
    // Adds the datapath's own port names (dpctl/show output) to the ports
    // read from dpif/show, by datapath and number.
    offload::Status read_dpctl_show(std::string_view text);

    // The OVS port for a port as a dump prints it (a number or a datapath
    // name). `datapath` narrows the search when several datapaths exist
    // ("" = any). nullptr when unknown.
    const DpPort* find(std::string_view printed, std::string_view datapath = "") const;
    // The OVS port name for `printed`, or `printed` itself when unknown
    // (the caller then sees the raw datapath spelling, never a wrong name).
    std::string resolve(std::string_view printed, std::string_view datapath = "") const;

    const std::vector<DpPort>& ports() const { return ports_; }
    bool empty() const { return ports_.empty(); }

private:
    std::vector<DpPort> ports_;
};

}  // namespace snoc::ovs
