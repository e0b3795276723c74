#include "ovs-integration/dpflow_parse.h"

#include <utility>

#include "ovs-integration/dpflow_key.h"
#include "ovs-integration/dpflow_view.h"

namespace snoc::ovs {

// The full records are the compact ones (dpflow_view) with the key read
// again into a Match: one reader of the line grammar and one of the key.

std::optional<std::string> parse_dpflow_key(std::string_view key, DpFlow& out) {
    DpKeyFacts facts;
    facts.recirc_id = out.recirc_id;  // kept when the key has no recirc_id(...)
    auto err = read_dpflow_key(key, facts, &out.match, &out.unmapped_keys);
    out.recirc_id = facts.recirc_id;
    return err;
}

DpFlowLineResult parse_dpflow_line(std::string_view line) {
    DpFlowLineResult result;
    DpFlowView view;
    if (auto err = scan_dpflow_line(line, view)) {
        result.error = std::move(err);
    } else {
        result.flow = to_dpflow(view);
    }
    return result;
}

DpFlowDump parse_dpflow_dump(std::string_view output) {
    DpFlowScan scan = scan_dpflow_dump(output);
    DpFlowDump dump;
    dump.errors = std::move(scan.errors);
    dump.flows.reserve(scan.flows.size());
    for (const DpFlowView& v : scan.flows) dump.flows.push_back(to_dpflow(v));
    return dump;
}

}  // namespace snoc::ovs
