// NIC facts from sysfs: the PF's device, bus and driver, NUMA node, SR-IOV
// counts, switch id, and representors by phys_switch_id / phys_port_name
// (the fallback when devlink has no port information).
//
// Every path is under a root ("/sys" in production) so unit tests run on a
// tree they build; the VM tier checks the same code against netdevsim.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "controller/nic/nic_state.h"
#include "offload/status.h"

namespace snoc::nic {

class Sysfs {
public:
    explicit Sysfs(std::string root = "/sys") : root_(std::move(root)) {}

    // Fills devlink handle, device path, driver, NUMA node, SR-IOV counts and
    // switch id from the PF netdev.
    offload::Status read_pf(const std::string& pf_netdev, NicState& out) const;
    // The PF netdev of a PCI function (the first one under its net/ directory).
    offload::Status pf_of_pci(const std::string& pci, std::string& pf_netdev) const;
    // Writes sriov_numvfs; callers go through 0 when changing a non-zero count.
    offload::Status write_numvfs(const NicState& s, uint32_t n) const;
    offload::Status read_numvfs(const NicState& s, uint32_t& n) const;
    // Unbinds every VF of the PF from its driver (virtfnN links under the PF's
    // device), or asks the kernel to probe drivers for them again.
    offload::Status unbind_vfs(const NicState& s) const;
    offload::Status probe_vfs(const NicState& s) const;
    // Netdevs with the PF's switch id, mapped by phys_port_name ("p0"/"p1" uplink, "pf0vf3").
    std::vector<DevlinkPort> representors(const std::string& switch_id) const;
    // The netdev of VF `vf` of the PF (virtfn<vf>/net/*), "" when it has none.
    std::string vf_netdev(const NicState& s, uint16_t vf) const;
    // A netdev's flags (IFF_*, from its sysfs "flags"); unset when it does not exist.
    std::optional<unsigned> netdev_flags(const std::string& netdev) const;
    // A netdev's phys_port_name ("" when it has none).
    std::string phys_port_name(const std::string& netdev) const;

private:
    std::string path(const std::string& rel) const { return root_ + "/" + rel; }
    std::string root_;
};

// Parses a phys_port_name: "pf0vf3" -> pf 0, vf 3; "p1" -> physical.
bool parse_phys_port_name(const std::string& name, DevlinkPort& out);

}  // namespace snoc::nic
