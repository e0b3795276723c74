// A datapath flow as a canonical flow, and why it did not run in hardware.
//
// translate_dpflow() puts together the parts: the key (already mapped onto
// canonical fields by dpflow_parse's key table), in_port and output ports
// resolved to OVS port names (dpif_ports), and the actions (dpflow_actions'
// table). Whatever has no canonical form is a reason of its own, never
// dropped: a key the model lacks (skb_mark(0x1), ipv4(frag=first)) is
// match-unsupported, an action it lacks (userspace(...), sample(...)) is
// action-unsupported or software-only-action.
//
// explain_not_offloaded() then runs the same capability check the plan uses
// (offload/capability.h check_rule) against the NIC profile of the flow's
// in_port, so monitoring and planning give the same reasons for the same rule.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "offload/capability.h"
#include "offload/nic_profile.h"
#include "offload/ports.h"
#include "ovs-integration/dpflow_parse.h"
#include "ovs-integration/dpif_ports.h"

namespace snoc::ovs {

struct DpFlowTranslation {
    // table: 0 for a first pass, 1 after a recirculation (recirc_id != 0).
    // A flow arriving from a tunnel port starts with TunnelDecap, as
    // lower_tunnels() marks policy rules.
    flow::Flow flow;
    std::vector<offload::Reason> untranslatable;
};

DpFlowTranslation translate_dpflow(const DpFlow& f, const DpPortMap& ports, std::string_view datapath = "");

// What the capability check needs to know about this host: the ports by
// their OVS names, the NIC profile of each NIC (by the name PortInfo::nic
// uses), and the backend OVS offloads through (tc-flower for the kernel
// datapath, rte_flow for DPDK).
struct OffloadContext {
    offload::PortDirectory ports;
    std::map<std::string, offload::NicProfile, std::less<>> nic_profiles;
    offload::Backend backend = offload::Backend::TcFlower;
    // NICs whose rules go through another backend than `backend` (an
    // emulated NIC beside real ones), by the name PortInfo::nic uses.
    std::map<std::string, offload::Backend, std::less<>> nic_backends;
    offload::Backend backend_of(std::string_view nic) const {
        auto it = nic_backends.find(nic);
        return it != nic_backends.end() ? it->second : backend;
    }
};

// Every reason `f` is not in hardware, in order: untranslatable keys and
// actions, then the port (no in_port, unknown, not on a NIC, no profile for
// its NIC), then check_rule's reasons. When the profile finds nothing
// against the flow, one Quirk reason says why it still is not in hardware:
// subject "runtime" (tc-flower, rte_flow) — the NIC should take it and the
// driver or OVS declined at run time; subject "eswitch-table" (emulated NIC)
// — OVS does not offload its datapath flows to the emulated eSwitch, only
// snoc's policy rules run there, and none covers this flow. Never empty.
std::vector<offload::Reason> explain_not_offloaded(const DpFlow& f, const DpPortMap& ports,
                                                   const OffloadContext& context, std::string_view datapath = "");

}  // namespace snoc::ovs
