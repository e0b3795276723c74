// The records behind `snoc flows`: every flow snoc knows of — OVS datapath
// flows and snoc's own hardware / tc rules — with where it ran, its counters
// and, for flows not in hardware, why. In the spirit of ovs-dpctl-top, but
// answering the question it cannot: why is this flow not on the NIC?
//
// The daemon builds FlowRecords from its last poll; this file filters, sorts
// and renders them (text or JSON from one ColumnTable, see column_table.h).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/monitor/column_table.h"
#include "controller/monitor/traffic_labels.h"
#include "controller/output_format.h"
#include "offload/capability.h"
#include "offload/placement.h"

namespace snoc::monitor {

struct FlowRecord {
    Source source = Source::Datapath;
    std::string id;  // datapath: ufid (or key text without one); hw-rule: policy rule name
    offload::Placement placement = offload::Placement::Ovs;
    TrafficLabels labels;
    std::string match;    // as OVS or the policy syntax prints it
    std::string actions;
    uint64_t packets = 0;  // the flow's counters as last read (not deltas)
    uint64_t bytes = 0;
    std::optional<uint64_t> idle_ms;  // unknown when the source does not say
    // Why it is not in hardware: the plan's verdict for snoc's rules, the
    // backend's words for a rule the NIC refused. Empty for hardware flows.
    std::vector<offload::Reason> reasons;
};

struct FlowFilter {
    std::optional<offload::Placement> placement;
    std::optional<std::string> workload;
};

// `--placement` values: hw|hardware, tc|tc-software, ovs, failed. nullopt otherwise.
std::optional<offload::Placement> parse_placement(std::string_view s);

// The records that pass the filter, most packets first (ties: by id, so the
// order is stable between two runs).
std::vector<FlowRecord> select_flows(const std::vector<FlowRecord>& all, const FlowFilter& filter);

ColumnTable flow_table(const std::vector<FlowRecord>& selected);

// Text: the table, then one totals line: flows, packets per placement, hit rate.
// JSON: {"flows": [...], "totals": {...}}. Renders `selected` as given.
nlohmann::json flows_json(const std::vector<FlowRecord>& selected);
void print_flows(const std::vector<FlowRecord>& selected, OutputFormat f, std::ostream& out);

}  // namespace snoc::monitor
