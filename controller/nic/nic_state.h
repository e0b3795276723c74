// What a NIC looks like right now, as read from sysfs and devlink. The
// reconciler compares this with the spec and changes only the difference.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "flow/net_address.h"
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

// A netdev the port phase tunes: the PF or a VF representor.
struct NetdevState {
    std::string name;
    int ifindex = 0;
    bool up = false;                        // IFF_UP (administratively up)
    std::optional<bool> hw_tc_offload;      // active; unset when not read (the spec does not ask)
    bool hw_tc_offload_changeable = true;   // false: the driver has it [fixed]
};

// One MSI / MSI-X interrupt of the PF or of one of its VFs.
struct IrqState {
    unsigned irq = 0;
    std::set<unsigned> cpus;                // /proc/irq/N/smp_affinity_list
    std::string owner;                      // "PF", "VF 3": for messages
    std::optional<uint16_t> vf;             // unset for the PF
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
    std::optional<offload::InlineMode> inline_mode;  // unset when the driver does not report it
    std::optional<offload::EncapMode> encap_mode;    // likewise
    std::vector<NetdevState> netdevs;   // the PF and the VF representors
    std::set<unsigned> numa_cpus;       // CPUs of numa_node (read when the spec pins IRQs)
    std::vector<IrqState> irqs;         // MSI IRQs of the PF and its VFs (likewise)

    const DevlinkPort* vf_port(uint16_t vf) const;
    const DevlinkPort* uplink_port() const;
    const VfLink* vf_link(uint32_t vf) const;
    const NetdevState* netdev(int ifindex) const;
};

}  // namespace snoc::nic
