// What one NIC model's eSwitch can offload, as loaded from nic-profiles/*.yaml.
//
// A profile is data, not code: the capability check (capability.h) reads it,
// `snoc profiles` prints it, and docs/nic-profiles.md cites where each figure
// comes from. Where no public figure exists the field stays unset and the
// check says so instead of guessing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"

namespace snoc::offload {

enum class Backend : uint8_t { TcFlower, RteFlow, Emulated };
inline constexpr Backend kAllBackends[] = {Backend::TcFlower, Backend::RteFlow, Backend::Emulated};
std::string_view to_string(Backend b);  // "tc-flower", "rte_flow", "emulated"
std::optional<Backend> backend_from_name(std::string_view name);

// How a match field may be masked in hardware.
enum class MaskSupport : uint8_t {
    Exact,      // only full masks
    Prefix,     // CIDR-style prefixes (addresses) / leading-ones masks
    Arbitrary,  // any bit mask
};
std::string_view to_string(MaskSupport m);
std::optional<MaskSupport> mask_support_from_name(std::string_view name);

enum class EswitchMode : uint8_t { Legacy, Switchdev };
std::string_view to_string(EswitchMode m);
std::optional<EswitchMode> eswitch_mode_from_name(std::string_view name);

// What must hold on the PF before its eswitch mode may change (issue: bring-up order).
enum class ModeChangeRule : uint8_t {
    Any,              // mode can change with VFs present
    RequiresNoVfs,    // set mode first, then create VFs (e.g. ice)
    RequiresUnbound,  // VFs may exist but must be unbound from their driver (e.g. mlx5)
};
std::string_view to_string(ModeChangeRule r);
std::optional<ModeChangeRule> mode_change_rule_from_name(std::string_view name);

// devlink eswitch inline-mode: the least of a packet's headers the driver
// copies into the send descriptor for the eSwitch to classify on (DEVLINK_ESWITCH_INLINE_MODE_*).
enum class InlineMode : uint8_t { None, Link, Network, Transport };
inline constexpr std::string_view kInlineModeNames[] = {"none", "link", "network", "transport"};
inline std::string_view to_string(InlineMode m) { return kInlineModeNames[static_cast<size_t>(m)]; }

// devlink eswitch encap-mode: whether the eSwitch may do tunnel encap / decap (DEVLINK_ESWITCH_ENCAP_MODE_*).
enum class EncapMode : uint8_t { None, Basic };
inline constexpr std::string_view kEncapModeNames[] = {"none", "basic"};
inline std::string_view to_string(EncapMode m) { return kEncapModeNames[static_cast<size_t>(m)]; }

// eswitch settings besides the mode that a driver wants in switchdev mode
// (profile key `eswitch`). Unset: snoc leaves the driver's value alone.
struct EswitchSettings {
    std::optional<InlineMode> inline_mode;
    std::optional<EncapMode> encap_mode;
    // true: a driver that cannot report or set them (EOPNOTSUPP) gets a note,
    // not a failure — the settings help on some firmware and are moot on other.
    bool optional = false;
};

// The capabilities of one offload backend on this NIC.
struct BackendCaps {
    std::map<flow::Field, MaskSupport> match;  // absent field = cannot be matched in hardware
    std::set<flow::ActionKind> actions;
    std::set<flow::Field> set_fields;          // fields set_field may rewrite
    std::set<flow::TunnelType> tunnels;        // encap / decap types
    bool conntrack = false;                    // ct action and ct_* matches
    bool skip_sw = false;                      // rules can live in hardware only
    std::optional<uint32_t> max_rules;         // unset: no public figure
    std::optional<uint32_t> max_actions;       // per rule; unset: no public limit
    std::optional<uint32_t> max_tables;        // chains / groups; unset: no public limit
};

// A known limitation that the field / action sets cannot express, e.g.
// "no VLAN push together with tunnel encap". It applies when every listed
// condition holds for a rule.
struct Quirk {
    std::string id;
    std::string description;
    std::optional<Backend> backend;            // unset: every backend
    std::vector<flow::Field> when_match;       // rule matches all of these fields
    std::vector<flow::ActionKind> when_actions;  // rule has all of these actions
    // Rule matches these bits of the field as set (mask and value both have
    // them), e.g. ct_state 0x01 = "+new". Expresses limits on values, not fields.
    std::map<flow::Field, uint64_t> when_bits_set;
    bool blocks_offload = true;                // false: informational only
};

struct NicProfile {
    std::string name;             // file stem, e.g. "connectx-6dx"
    std::string vendor;
    std::string model;
    std::vector<std::string> drivers;  // kernel drivers ("mlx5_core")
    std::string arch;                  // host CPU of a DPU ("aarch64"), empty for a plain NIC
    std::optional<uint32_t> max_vfs;   // per PF
    std::set<EswitchMode> eswitch_modes;
    ModeChangeRule mode_change = ModeChangeRule::Any;
    EswitchSettings eswitch;           // inline / encap mode in switchdev mode
    std::map<Backend, BackendCaps> backends;
    std::vector<Quirk> quirks;
    std::map<std::string, std::string> sources;  // capability -> public source
    std::string notes;
    std::string origin;  // where it was loaded from ("builtin:nic-profiles/x.yaml" or a path)

    const BackendCaps* caps(Backend b) const {
        auto it = backends.find(b);
        return it == backends.end() ? nullptr : &it->second;
    }
};

}  // namespace snoc::offload
