// What a NIC looks like right now, as read from sysfs and devlink. The
// reconciler compares this with the spec and changes only the difference.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "offload/net_address.h"
#include "offload/nic_profile.h"

namespace snoc::nic {

// A devlink handle: "pci/0000:03:00.0", "netdevsim/netdevsim10".
struct DevlinkHandle {
    std::string bus;
    std::string device;
    std::string str() const { return bus + "/" + device; }
    bool operator==(const DevlinkHandle&) const = default;
};

enum class PortFlavour : uint8_t { Physical, PciPf, PciVf, PciSf, Other };
std::string_view to_string(PortFlavour f);

// One devlink port: the uplink, or the representor of a VF / SF.
struct DevlinkPort {
    uint32_t index = 0;
    PortFlavour flavour = PortFlavour::Other;
    std::optional<uint16_t> pf;
    std::optional<uint16_t> vf;
    std::string netdev;                 // the representor (or uplink) netdev
    int ifindex = 0;
    std::optional<net::Mac> function_mac;  // port function hw_addr (the VF's MAC)
};

// Per-VF settings the PF's driver holds (rtnetlink IFLA_VF_*).
struct VfLink {
    uint32_t vf = 0;
    net::Mac mac{};
    uint16_t vlan = 0;
    uint8_t qos = 0;
    std::optional<bool> spoofchk;
    std::optional<bool> trust;
    uint32_t max_tx_rate_mbps = 0;
};

struct NicState {
    DevlinkHandle devlink;
    std::string device_path;            // /sys/.../<device> the PF belongs to
    std::string driver;                 // "mlx5_core", "netdevsim"
    std::string pf_netdev;
    int pf_ifindex = 0;
    std::vector<VfLink> vf_links;       // from the PF's IFLA_VFINFO_LIST
    std::optional<int> numa_node;       // unset when the platform reports -1
    uint32_t sriov_totalvfs = 0;
    uint32_t sriov_numvfs = 0;
    std::optional<offload::EswitchMode> eswitch_mode;  // unset when devlink has no eswitch for it
    std::vector<DevlinkPort> ports;
    std::string phys_switch_id;         // of the PF netdev

    const DevlinkPort* vf_port(uint16_t vf) const;
    const DevlinkPort* uplink_port() const;
    const VfLink* vf_link(uint32_t vf) const;
};

}  // namespace snoc::nic
