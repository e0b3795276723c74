// What `snoc apply` makes true beyond the NICs and workloads, derived from a
// spec and its plan: the OVS configuration, the policy flows as OVS holds
// them, and the direct tc / hardware rules per NIC with the ports each
// backend owns, taken from the plan as it decided them. One function derives
// it, so apply, `snoc run`'s drift repair and monitoring agree on every name
// and cookie.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controller/plan.h"
#include "controller/profile_loader.h"
#include "controller/spec.h"
#include "offload/backend.h"
#include "ovs-integration/ovs_reconcile.h"

namespace snoc::apply {

// The direct rules of one rule table, as the plan decided them.
using RuleTable = plan::RuleTable;

// Who a rule or port belongs to, for reports and metrics labels.
struct RuleInfo {
    std::string name;                      // policy rule name
    std::string nic;
    std::string port;                      // OVS port / netdev it attaches to
    std::string workload;                  // workload of that port, "" for an uplink
    offload::Placement planned = offload::Placement::Ovs;
    std::vector<offload::Reason> reasons;  // why not in hardware, from the plan
};

struct DesiredState {
    ovs::DesiredOvs ovs;
    std::vector<std::string> meters;       // ovs-ofctl meter specs ("meter=1,kbps,...")
    std::vector<flow::Flow> flows;         // policy flows: OVS port names, owner cookies
    std::vector<RuleTable> tables;
    std::map<uint64_t, RuleInfo> rules;    // every policy rule by cookie
    std::map<std::string, std::string> workload_of_port;  // OVS port -> workload
    std::map<std::string, std::string> nic_of_port;       // OVS port -> NIC (uplinks, representors)
};

// The netdev a policy port has in the kernel: OVS port name for workloads
// and uplinks; OVS's kernel tunnel device (vxlan_sys_4789, ...) for tunnels.
std::string netdev_of(const spec::Spec& s, const std::string& policy_port);

// `s` must be resolved: every NIC's pf known (see resolve_pf_names in apply).
DesiredState desired_state(const spec::Spec& s, const plan::Plan& p);

}  // namespace snoc::apply
