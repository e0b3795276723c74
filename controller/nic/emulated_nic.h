// Bring-up of an emulated switchdev NIC (a NIC with `backend: emulated`):
// veth pairs and namespaces that stand where a SmartNIC's VFs, representors
// and uplink would be, with the eBPF eSwitch (offload/emulated/) switching
// between them. docs/emulated-eswitch.md shows the topology.
//
//   host (OVS)          NIC namespace snoc-esw-<nic>          elsewhere
//   <pf>v<i>  (VF i) <-> vf<i>   [eSwitch]                    (moved into the workload's namespace by apply)
//   <rep>vf<i> (rep) <-> rep<i>  misses of vf<i> go here, OVS answers through it
//   <pf> (uplink rep)<-> uplink  misses of wire go here
//                        wire   <-> wire0 in snoc-wire-<nic>  (the network beyond the NIC)
//
// Like a real NIC, it outlives the snoc process that brought it up: maps
// and program stay pinned under /run/snoc/esw/<nic> and the program stays
// attached, so traffic keeps flowing between `snoc apply` and `snoc run`,
// and the next process adopts the rules in the table instead of
// reinstalling them. `snoc down` (tear_down) removes all of it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "controller/nic/nic_reconcile.h"
#include "controller/spec.h"
#include "offload/backend.h"
#include "offload/nic_profile.h"
#include "offload/status.h"

namespace snoc::nic {

// The names an emulated NIC uses, all derived from its spec.
struct EmulatedLayout {
    struct Vf {
        std::string vf_netdev;     // host side of the VF (moved into its workload's namespace)
        std::string representor;   // host side of the representor (an OVS port)
        std::string vf_port;       // NIC side of the VF: the eSwitch looks packets up here
        std::string rep_port;      // NIC side of the representor
    };
    std::string nic_netns;         // the eSwitch's ports
    std::string wire_netns;        // the far end of the uplink's wire
    std::string pin_dir;           // pinned maps and program
    std::string pf;                // host side of the uplink representor (an OVS port)
    std::string uplink_port = "uplink";  // NIC side of the uplink representor
    std::string wire_port = "wire";      // NIC side of the wire: looks packets up
    std::string wire_peer = "wire0";     // the wire's end in wire_netns
    std::vector<Vf> vfs;
};
EmulatedLayout emulated_layout(const spec::NicSpec& nic);

// The VF netdev of `vf` while it is still in the host namespace (before
// apply moves it to its workload), else "".
std::string emulated_vf_netdev(const spec::NicSpec& nic, uint16_t vf);

class EmulatedNic {
public:
    // Creates what is missing, loads the eSwitch or adopts the one an earlier
    // process left, and (re)attaches every port. With dry_run it only reports
    // the steps. `out` is set when the eSwitch is up (not in a dry run).
    static NicReport bring_up(const spec::NicSpec& nic, const offload::NicProfile& profile, bool dry_run,
                              std::unique_ptr<EmulatedNic>& out);
    // Detaches and unpins the eSwitch and deletes the NIC's namespaces (and
    // with them every veth pair, VF netdevs in workload namespaces included).
    // Idempotent; `done` lists what it removed.
    static offload::Status tear_down(const spec::NicSpec& nic, std::vector<std::string>& done);

    // Leaves the data plane running when the process ends.
    ~EmulatedNic();
    EmulatedNic(const EmulatedNic&) = delete;
    EmulatedNic& operator=(const EmulatedNic&) = delete;

    offload::OffloadBackend& backend();
    const EmulatedLayout& layout() const { return layout_; }

private:
    EmulatedNic() = default;
    struct Parts;
    EmulatedLayout layout_;
    std::unique_ptr<Parts> parts_;
};

}  // namespace snoc::nic
