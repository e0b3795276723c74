// The document `snoc run` serves at /status and `snoc status` / `snoc flows`
// read: the status summary (JSON and its text rendering, made by the daemon
// from its ledger), every known flow as a lossless record (so the CLI can
// filter by placement and workload), and the last apply's outcome.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "controller/monitor/flow_view.h"
#include "offload/status.h"

namespace snoc::daemon {

inline constexpr int kStatusDocumentVersion = 1;

nlohmann::json record_to_json(const monitor::FlowRecord& r);
// Fails naming the field that is missing or of the wrong type.
offload::Status record_from_json(const nlohmann::json& j, monitor::FlowRecord& out);

struct StatusDocument {
    nlohmann::json status;        // monitor::status_json
    std::string status_text;      // monitor::print_status, text
    std::vector<monitor::FlowRecord> flows;
    nlohmann::json apply;         // the last apply: ok, changes, placements, errors
};

nlohmann::json to_json(const StatusDocument& d);
offload::Status from_json(const std::string& text, StatusDocument& out);

}  // namespace snoc::daemon
