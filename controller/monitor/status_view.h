// The model behind `snoc status` and the daemon's /status endpoint: is the
// daemon polling, and per NIC and per workload, where did the traffic run
// and how full is each hardware table. Text and JSON come from the same
// ColumnTables (column_table.h); the JSON field names are stable API.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <iosfwd>

#include "controller/monitor/column_table.h"
#include "controller/monitor/offload_stats.h"
#include "controller/monitor/poll_health.h"
#include "controller/monitor/traffic_ledger.h"
#include "controller/output_format.h"

namespace snoc::monitor {

struct StatusInputs {
    const TrafficLedger& ledger;
    const OffloadStats& offload;
    const PollHealth& health;
    std::chrono::system_clock::time_point now;  // for "last poll N s ago"
};

// One row per NIC: packets per placement (cumulative), hit rate over the
// last interval and cumulative, table rules / capacity / occupancy, installs
// and failures. NICs with traffic and NICs with a table both appear.
ColumnTable nic_status_table(const StatusInputs& in);
// One row per workload: packets per placement and both hit rates.
ColumnTable workload_status_table(const StatusInputs& in);

nlohmann::json status_json(const StatusInputs& in);
void print_status(const StatusInputs& in, OutputFormat f, std::ostream& out);

}  // namespace snoc::monitor
