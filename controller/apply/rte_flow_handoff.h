// What `snoc apply` does with the hardware rules of an rte_flow NIC.
//
// It creates none: an rte_flow rule lives as long as the DPDK process that
// made it, and apply exits. Who does, depends on the datapath:
//  - OVS-DPDK (bridge datapath_type netdev, hw-offload=true): OVS offloads
//    the policy flows snoc installed, megaflow by megaflow, through rte_flow
//    on the DPDK ports snoc wired. Nothing is missing: the section succeeds
//    with a note, and each rule is in OVS, offloaded by OVS-DPDK if the NIC
//    takes it (the datapath monitor then sees offloaded:yes / partial).
//  - anything else: a DPDK application that owns the ports must create them
//    (`snoc plan` prints each as a testpmd command): the section fails with
//    ENOTSUP saying so, and the rules are not in hardware.
#pragma once

#include <string>

#include "offload/capability.h"
#include "offload/placement.h"
#include "offload/status.h"
#include "ovs-integration/ovs_reconcile.h"

namespace snoc::apply {

struct RteFlowHandoff {
    offload::Status status;        // the section's status
    std::string note;              // for the section, when it succeeds
    offload::Reason rule_reason;   // for each rule of the NIC
    offload::Placement placement;  // where each rule ends up
};

RteFlowHandoff rte_flow_handoff(const std::string& nic, const ovs::DesiredOvs& ovs);

}  // namespace snoc::apply
