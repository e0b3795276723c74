// IRQ affinity of a NIC: its NUMA node's CPUs, the MSI interrupts of the PF
// and its VFs, and where each may run (/proc/irq/N/smp_affinity_list).
// Pinning a NIC's interrupts to CPUs of its own NUMA node keeps the packet
// path off the inter-socket link: lower, steadier latency for containers.
//
// Both roots are injectable ("/sys", "/proc" in production) so unit tests run
// on a tree they build; netdevsim has no PCI device and no MSI IRQs.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controller/nic/nic_state.h"
#include "offload/status.h"

namespace snoc::nic {

// "0-3,8,10-11" -> {0,1,2,3,8,10,11}; unset when malformed.
std::optional<std::set<unsigned>> parse_cpulist(std::string_view text);
// The kernel's own shortest form: "0-3,8,10-11".
std::string format_cpulist(const std::set<unsigned>& cpus);

class IrqAffinity {
public:
    IrqAffinity(std::string sysfs_root, std::string procfs_root)
        : sys_(std::move(sysfs_root)), proc_(std::move(procfs_root)) {}

    // CPUs of NUMA node `node` (<sys>/devices/system/node/node<N>/cpulist).
    offload::Status node_cpus(int node, std::set<unsigned>& out) const;
    // MSI IRQs under <device>/msi_irqs and <device>/virtfn<N>/msi_irqs, each
    // with its current affinity; empty when the device has none.
    offload::Status irqs(const NicState& s, std::vector<IrqState>& out) const;
    // Writes <proc>/irq/<irq>/smp_affinity_list.
    offload::Status set(unsigned irq, const std::set<unsigned>& cpus) const;
    std::string affinity_path(unsigned irq) const;

private:
    std::string sys_, proc_;
};

}  // namespace snoc::nic
