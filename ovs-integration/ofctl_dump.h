// Reads `ovs-ofctl --names dump-flows` output back into canonical flows.
//
// A dump line is the policy syntax plus what the switch adds: statistics
// (duration=, n_packets=, n_bytes=, idle_age=, hard_age=), flags
// (reset_counts, send_flow_rem, ...) and ", " separators. Those are
// stripped, then the policy parser reads the rest, so a dumped flow and a
// desired flow compare as Flow values, not as strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"

namespace snoc::ovs {

struct DumpedFlows {
    std::vector<flow::Flow> flows;
    std::vector<std::string> unreadable;  // "<line>: <why>" for lines the policy syntax cannot express
};

// One dump line with the switch's additions removed ("" for header lines).
std::string strip_dump_line(std::string_view line);

// Parses a whole dump. Ports print as names with --names; the bridge's own
// port prints as LOCAL, which stays LOCAL (see canonical_ports()).
DumpedFlows parse_dump_flows(std::string_view output);

// Writes the bridge's own port as LOCAL (the name OVS dumps it under), so a
// policy saying output:br0 and a dump saying LOCAL compare equal.
flow::Flow canonical_ports(flow::Flow f, const std::string& bridge);

}  // namespace snoc::ovs
