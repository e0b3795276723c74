// Can this rule run in this NIC's hardware, through this backend? And if
// not, every reason why, each naming the field or action and the profile's
// limit — the answer operators never get from OVS today.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"
#include "offload/nic_profile.h"
#include "offload/ports.h"

namespace snoc::offload {

enum class ReasonCode : uint8_t {
    BackendUnsupported,    // the NIC profile has no such backend
    MissingInPort,         // hardware rules attach to one port; the rule names none
    UnknownPort,           // a port no spec entry defines
    PortNotOnEswitch,      // a veth, LOCAL, or a tunnel without an underlay NIC
    CrossesEswitches,      // ports on two different NICs
    MatchUnsupported,      // the NIC cannot match this field
    MaskUnsupported,       // it can, but not with this mask
    ActionUnsupported,
    SetFieldUnsupported,   // rewrite of this field is not offloadable
    TunnelUnsupported,     // encap / decap of this tunnel type
    ConntrackUnsupported,
    SoftwareOnlyAction,    // NORMAL: OVS's learning switch has no hardware form
    TooManyActions,
    TooManyTables,
    TableFull,             // beyond the profile's max_rules, by priority order
    InstallFailed,         // the backend could not install the rule (its words in the detail)
    NotInHardware,         // installed, but the NIC did not take it: it runs in the backend's software path
    LeftToOvs,             // snoc installs no rule: OVS offloads the policy flow itself (OVS-DPDK)
    Quirk,                 // a documented limit of this NIC (see the profile); the last code
};
std::string_view to_string(ReasonCode c);

struct Reason {
    ReasonCode code{};
    std::string subject;  // the field, action, port or quirk id
    std::string detail;   // one sentence with the profile's limit
    bool operator==(const Reason&) const = default;
};
std::string describe(const Reason& r);  // "match-unsupported ipv6_src: ..."

struct BackendVerdict {
    Backend backend{};
    bool offloadable = false;
    std::vector<Reason> reasons;  // empty when offloadable
};

// The NIC whose eSwitch a rule would run on: the NIC of its in_port (a
// tunnel port's underlay NIC for decap rules). Unset when the rule has no
// in_port or it is not on any NIC.
std::optional<std::string> rule_nic(const flow::Flow& lowered, const PortDirectory& ports);

// Checks one lowered rule (see tunnel_lowering.h) against one NIC profile
// and backend. `nic` is the spec name of the NIC the profile belongs to.
BackendVerdict check_rule(const flow::Flow& lowered, const PortDirectory& ports, std::string_view nic,
                          const NicProfile& profile, Backend backend);

// The rule's own reasons for no eSwitch taking it (no in_port, NORMAL),
// worded for hardware: for a rule with no NIC behind it when OVS does not
// use tc, so no tc software path could run it either.
std::vector<Reason> reasons_without_eswitch(const flow::Flow& lowered);

// What the kernel's tc software datapath can run (flower without hardware):
// used for rules between veths, which have no NIC but still skip OVS.
BackendVerdict check_tc_software(const flow::Flow& lowered, const PortDirectory& ports);

// True when the mask is the leading-ones kind ("prefix") for the field.
bool is_prefix_mask(flow::Field f, const flow::Masked& m);

}  // namespace snoc::offload
