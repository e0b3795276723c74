// The plan: the desired state a spec describes, step by step, and where
// each policy rule is expected to run with every reason it cannot run in
// hardware. It is the only place a rule's hardware form is decided: its
// table, port, priority and residency (RulePlan::hw, Plan::tables), which
// apply installs and the daemon reads back as they are. `snoc plan` prints
// it, each rule rendered by its backend's provider (offload/provider.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/profile_loader.h"
#include "controller/spec.h"
#include "offload/backend.h"
#include "offload/capability.h"
#include "offload/placement.h"

namespace snoc::plan {

enum class Phase : uint8_t { Nic, Workload, Ovs, Flows, HardwareRules };
std::string_view to_string(Phase p);

// One thing apply will make true, with the command an operator would use
// to do (or check) it by hand.
struct Step {
    Phase phase{};
    std::string subject;      // "nic0", "nic0 vf 3", "workload web", "bridge br-edge"
    std::string description;  // what will be true afterwards
    std::string command;      // the manual equivalent; empty when there is none
};

struct OvsPort {
    std::string name;                                   // OVS port / interface name
    std::string type;                                   // "" (system), "vxlan", "geneve", "gre"
    std::string role;                                   // "uplink of nic0", "representor of nic0 VF 2"
    std::optional<uint16_t> tag;                        // access VLAN
    std::map<std::string, std::string> options;         // Interface options
    std::map<std::string, std::string> external_ids;    // ownership marks
};

struct OvsState {
    std::string bridge;
    std::string datapath_type;
    std::map<std::string, std::string> other_config;    // Open_vSwitch other_config
    std::vector<OvsPort> ports;
    std::vector<std::string> meters;                    // ovs-ofctl add-meter syntax
    std::vector<std::string> flows;                     // ovs-ofctl add-flow syntax, with owner cookies
};

struct RulePlan {
    std::string name;
    std::string text;                                   // as written in the spec
    std::string canonical;                              // format_flow of the parsed rule
    std::string openflow;                               // as installed in OVS
    uint16_t priority = 0;
    uint64_t cookie = 0;
    std::string nic;                                    // NIC whose eSwitch it would run on; "" if none
    std::string attach_port;                            // OVS port a hardware / tc rule attaches to
    std::vector<offload::BackendVerdict> verdicts;      // one per backend the NIC profile lists
    offload::Placement placement = offload::Placement::Ovs;
    std::vector<offload::Reason> reasons;               // why it is not in hardware (empty when it is)
    // The rule as its table holds it (placement Hardware or TcSoftware):
    // port and flow in netdev names, residency decided. Unset otherwise.
    std::optional<offload::HwRule> hw;
};

// The direct rules of one rule table: a NIC's eSwitch, or (nic "") the tc
// software datapath of veth ports, which have no NIC.
struct RuleTable {
    std::string nic;                       // "" for veth ports
    offload::Backend backend = offload::Backend::TcFlower;
    std::vector<std::string> ports;        // every port snoc may hold rules on (stale ones are removed)
    std::vector<offload::HwRule> rules;    // the `hw` of every rule in this table, in spec order
};

struct Summary {
    size_t rules = 0;
    std::map<offload::Placement, size_t> by_placement;
};

struct Plan {
    std::string file;
    std::vector<Step> steps;
    OvsState ovs;
    std::vector<RulePlan> rules;
    std::vector<RuleTable> tables;                      // one per NIC, then one for veths when there are any
    Summary summary;
};

Plan build_plan(const spec::Spec& s, const ProfileMap& profiles);

}  // namespace snoc::plan
