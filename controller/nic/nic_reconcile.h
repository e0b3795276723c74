// NIC bring-up as a difference: read the NIC, compare with the spec, and
// change only what differs, in the order the driver needs (the profile's
// mode_change rule). A second run makes no change.
//
// Two phases, because representors only exist once the VFs and the mode do:
//   device phase: SR-IOV VF count and eswitch mode (and VF unbind / bind),
//                 then the profile's eswitch inline / encap mode;
//   port phase:   representor names, hw-tc-offload (ethtool netlink) and link
//                 up on the PF and representors, VF MACs through the devlink
//                 port function (IFLA_VF_MAC when the driver has none), VLAN /
//                 QoS, trust, spoof checking and TX rate through IFLA_VF_*,
//                 and IRQ affinity to the NIC's NUMA node.
// What cannot be done and need not be (no MSI IRQs, an optional eswitch
// setting the driver lacks) becomes a note, not a failure.
// Each step names the NIC, the VF and what it does, with the command an
// operator would type; a failed step stops the NIC and leaves a state the
// next run converges from (every step is idempotent on its own).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/nic/nic_state.h"
#include "controller/spec.h"
#include "offload/nic_profile.h"
#include "offload/status.h"

namespace snoc::nic {

enum class StepKind : uint8_t {
    SetNumVfs,
    UnbindVfs,
    SetEswitchMode,
    BindVfs,
    RenameRepresentor,
    SetVfMac,
    SetVfSettings,  // VLAN / QoS, spoof checking, trust, TX rate (IFLA_VF_*)
    SetInlineMode,  // devlink eswitch inline-mode
    SetEncapMode,   // devlink eswitch encap-mode
    SetHwTcOffload, // ethtool feature hw-tc-offload on
    SetLinkUp,      // IFF_UP on the PF or a representor
    SetIrqAffinity, // /proc/irq/N/smp_affinity_list
    // An emulated NIC (emulated_nic.h): what stands in for the hardware.
    CreateNetns,     // the eSwitch's namespace, the wire's
    CreatePortPair,  // a veth pair: VF, representor, uplink or wire
    ConfigurePort,   // IPv6 off, TX checksum offload off on OVS's side, link up
    LoadEswitch,     // the eBPF eSwitch loaded (or adopted) and attached to every port
};
std::string_view to_string(StepKind k);

struct Step {
    StepKind kind{};
    std::string nic;
    std::optional<uint16_t> vf;
    uint32_t count = 0;                           // SetNumVfs
    offload::EswitchMode mode{};                  // SetEswitchMode
    std::string netdev, new_name;                 // RenameRepresentor
    uint32_t port_index = 0;                      // SetVfMac
    net::Mac mac{};                               // SetVfMac
    std::optional<std::pair<uint16_t, uint8_t>> vlan_qos;  // SetVfSettings: what changes
    std::optional<bool> spoofchk, trust;
    std::optional<uint32_t> max_tx_rate_mbps;
    offload::InlineMode inline_mode{};            // SetInlineMode
    offload::EncapMode encap_mode{};              // SetEncapMode
    bool optional = false;                        // EOPNOTSUPP from the driver is a note, not a failure
    int ifindex = 0;                              // SetHwTcOffload, SetLinkUp (0: not known yet, in a dry run)
    unsigned irq = 0;                             // SetIrqAffinity
    std::set<unsigned> cpus;                      // SetIrqAffinity
    std::string description;                      // what will be true
    std::string command;                          // the manual equivalent
};

// Device-phase steps from the observed state to the spec. What is skipped on
// purpose is added to `notes` (when given).
std::vector<Step> device_steps(const spec::NicSpec& want, const offload::NicProfile& profile, const NicState& have,
                               std::vector<std::string>* notes = nullptr);
// Port-phase steps; `have` must be read after the device phase.
std::vector<Step> port_steps(const spec::NicSpec& want, const NicState& have, std::vector<std::string>* notes = nullptr);

// True when every VF of a switchdev NIC has a representor netdev.
bool representors_ready(const spec::NicSpec& want, const NicState& have);

// The operations steps need. The real one (system_ops) uses sysfs, devlink
// and rtnetlink; the VM tier tests it against netdevsim.
class NicOps {
public:
    virtual ~NicOps() = default;
    virtual offload::Status read(const spec::NicSpec& nic, NicState& out) = 0;
    virtual offload::Status apply(const NicState& state, const Step& step) = 0;
};
// The roots are injectable for tests: sysfs ("/sys") and procfs ("/proc", IRQ affinity).
std::unique_ptr<NicOps> system_ops(offload::Status& status, std::string sysfs_root = "/sys",
                                   std::string procfs_root = "/proc");

struct NicReport {
    std::string nic;
    std::vector<Step> done;
    std::optional<Step> failed;
    std::vector<std::string> notes;  // skipped on purpose, and why (each once)
    offload::Status status;  // of the failed step, or of reading the NIC
};

// Runs both phases for one NIC. With dry_run, nothing is written and the
// port phase is predicted from the device phase.
NicReport reconcile_nic(const spec::NicSpec& want, const offload::NicProfile& profile, NicOps& ops, bool dry_run);

}  // namespace snoc::nic
