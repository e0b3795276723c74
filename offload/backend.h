// The offload backend: the one interface the controller programs a NIC's
// hardware rule table through, whatever sits below it — tc flower over
// rtnetlink (tc/tc_backend.h), the emulated eBPF eSwitch, DPDK rte_flow.
// Modelled on OVS's dpif-offload provider: every call has a written
// contract, every failure an errno and a human reason.
//
// Rules are identified by their owner cookie (the same 64-bit cookie the
// policy flow carries in OVS), so a restarted controller finds its own rules
// and never touches anybody else's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flow/flow.h"
#include "offload/nic_profile.h"
#include "offload/placement.h"
#include "offload/status.h"

namespace snoc::offload {

// Where a backend may run a rule. tc can keep a rule out of hardware
// (skip_hw) or out of software (skip_sw); table-only backends ignore it.
enum class Residency : uint8_t {
    Any,           // hardware when the NIC takes it, software otherwise
    HardwareOnly,  // fail rather than run in software (tc skip_sw)
    SoftwareOnly,  // never in hardware (tc skip_hw, OVS's tc-policy=skip_hw)
};
std::string_view to_string(Residency r);

// One rule snoc wants in a NIC's table.
struct HwRule {
    uint64_t cookie = 0;      // owner cookie; unique per rule, stable across restarts
    std::string port;         // the port (netdev) whose ingress the rule attaches to
    uint32_t table = 0;       // OpenFlow table = tc chain = rte_flow group
    uint16_t priority = 0;    // OpenFlow priority: higher runs first
    flow::Flow flow;          // lowered (tunnel_lowering.h); ports are netdev names
    Residency residency = Residency::Any;

    bool operator==(const HwRule&) const = default;
};

// A rule as the backend reads it back, with what only the backend knows.
struct HwRuleState {
    HwRule rule;
    Placement placement = Placement::Hardware;  // Hardware, or TcSoftware when the NIC did not take it
    // Every packet the rule matched, wherever it ran; which bytes of a packet
    // count is the backend's (its provider's ByteCounting, offload/provider.h).
    uint64_t packets = 0, bytes = 0;
    uint64_t hw_packets = 0, hw_bytes = 0;      // of which the hardware ran
    std::optional<uint64_t> idle_ms;            // since the last hit, when the backend knows
};

struct HwSyncReport {
    size_t added = 0, replaced = 0, deleted = 0, unchanged = 0;
    std::vector<std::pair<HwRule, Status>> failures;  // the rule and why
    // Rules the backend took in software only (tc: "not in hardware"), with the driver's words.
    std::vector<std::string> warnings;
    bool ok() const { return failures.empty(); }
};

class OffloadBackend {
public:
    virtual ~OffloadBackend() = default;

    virtual Backend kind() const = 0;

    // Makes snoc's rules on `ports` exactly `desired`: reads what is there,
    // then adds, replaces and deletes only what differs. Rules without a
    // snoc cookie are never touched. Every desired rule's port must be in
    // `ports`. A failed rule is reported and the others still go in; a second
    // call with the same input changes nothing.
    virtual HwSyncReport sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) = 0;

    // snoc's rules on `ports` with their counters and placement. A port that
    // no longer exists is an error naming it (the controller repairs it).
    virtual Status read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) = 0;

    // The rule in the syntax an operator would type to install it by hand
    // (`tc filter add ...`, testpmd `flow create ...`), for logs and plans.
    virtual std::string render(const HwRule& rule) const = 0;
};

}  // namespace snoc::offload
