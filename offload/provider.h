// The backend provider table: what the controller knows about an offload
// backend, one entry per backend, in the spirit of OVS's
// netdev-offload-provider.h. The controller never names a concrete backend:
// it finds an entry by kind (controller/backend_providers.h; the one file
// that registers them, in order) and calls through it. Adding a backend is one entry there
// and its own folder under offload/.
//
// An entry answers four questions, each with a written contract:
//  - who opens the backend and for how long (its lifecycle, `Opening`);
//  - what its counters mean (`ByteCounting`) and how its rules look in OVS's
//    own datapath dump (`dump_marks`), so monitoring counts each packet once;
//  - can it express a rule the NIC profile allows (`check`), for the plan;
//  - how an operator would install a rule by hand (`render`), for the plan.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "offload/backend.h"
#include "offload/capability.h"
#include "offload/status.h"

namespace snoc::offload {

// Who makes a backend object and how long it lives.
enum class Opening : uint8_t {
    Shared,     // one object serves every table of this kind; `open` makes it, apply keeps it (tc: one rtnetlink socket)
    ByNic,      // the NIC's bring-up makes it with the NIC's eSwitch and hands it to apply (emulated)
    Elsewhere,  // snoc holds no rules of this kind: another process owns them (rte_flow: the DPDK process)
};
std::string_view to_string(Opening o);

// What HwRuleState::bytes (and hw_bytes) count.
enum class ByteCounting : uint8_t {
    FromNetworkHeader,  // tc: the kernel pulled the Ethernet header before counting (monitor adds 14 bytes back)
    WholeFrames,        // every byte of the frame as it arrived
};
std::string_view to_string(ByteCounting b);

// A meter's rate, for backends that police (tc's police action).
struct MeterRate {
    uint64_t rate_kbps = 0;
    uint64_t burst_kb = 0;
};

// What a backend needs to know about the deployment to check or render a
// rule without a live backend (the plan runs where no NIC is).
struct RenderContext {
    std::map<uint32_t, MeterRate> meters;
    // The DPDK port id of a netdev (rte_flow); nullopt for one DPDK does not own.
    std::function<std::optional<uint16_t>(const std::string&)> dpdk_port_of;
    // The tunnel type of a port rules attach to (decap rules); nullopt for a plain port.
    std::function<std::optional<flow::TunnelType>(const std::string&)> tunnel_of;
    // Every hardware rule of the rule's table (rte_flow ranks priorities among them).
    std::vector<HwRule> table;
};

// What opening a shared backend needs.
struct OpenContext {
    std::map<uint32_t, MeterRate> meters;
};

// How `snoc plan` shows a rule the backend would hold.
struct Rendering {
    std::string summary;  // "tc-flower rule on esw0_vf1 ingress (skip_sw)"
    std::string command;  // what an operator would type; "" when there is no such command
};

struct BackendProvider {
    Backend kind{};
    Opening opening = Opening::Shared;
    ByteCounting bytes = ByteCounting::WholeFrames;
    // Prefixes of the ufid OVS prints for this backend's own rules when its
    // datapath dump lists them (tc: OVS reads every flower filter's action
    // cookie as a ufid); empty when OVS never sees them.
    std::vector<std::string> dump_marks;
    // Opening::Shared only: makes the backend. A failure says why (no
    // rtnetlink, no permission) and nothing is held.
    std::function<Status(const OpenContext&, std::unique_ptr<OffloadBackend>&)> open;
    // Whether the backend can say `rule` at all, after the NIC profile said
    // the NIC can run it: a reason when it cannot. Unset: always.
    std::function<std::optional<Reason>(const HwRule&, const RenderContext&)> check;
    // The rule as an operator would install it by hand.
    std::function<Rendering(const HwRule&, const RenderContext&)> render;
};

}  // namespace snoc::offload
