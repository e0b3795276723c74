// Lowering of OVS-style tunnel actions into explicit encap / decap.
//
// The policy syntax says what OVS says: "set_field:198.51.100.7->tun_dst,
// set_field:100->tun_id,output:vxlan-cloud". Hardware rules need one encap
// action with every outer-header value. Lowering combines the pending
// tun_* set-fields with the tunnel port's own options (remote_ip, key,
// local_ip, dst_port) into TunnelEncap, and marks flows that enter from a
// tunnel port with TunnelDecap. Backends only ever see the lowered form.
#pragma once

#include <string>
#include <variant>

#include "flow/flow.h"
#include "offload/ports.h"

namespace snoc::offload {

struct LoweringError {
    size_t action_index = 0;  // index into the original action list
    std::string message;
};

// Returns the lowered flow, or an error naming the action and what is missing
// (e.g. a key=flow tunnel port with no tun_id set before the output).
std::variant<flow::Flow, LoweringError> lower_tunnels(const flow::Flow& f, const PortDirectory& ports);

}  // namespace snoc::offload
