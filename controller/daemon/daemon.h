// `snoc run FILE`: the daemon. Applies the spec, then keeps reconciling and
// monitoring until SIGTERM / SIGINT:
//   - every poll_interval: reads snoc's rules and OVS's datapath flows,
//     updates the ledger, /metrics and /status;
//   - every repair interval, and at once when OVSDB reports a change to a
//     bridge, port or interface: re-applies (a no-op when nothing drifted;
//     each repair is logged and counted by kind);
//   - SIGHUP or a change of the file: reloads; a bad file keeps the running
//     state, logs every error and counts a reload failure.
// Exiting leaves the data plane as it is: a restarted daemon adopts its
// rules, flows and ports by their owner marks without duplicating them.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "controller/apply/applier.h"

namespace snoc::daemon {

struct DaemonOptions {
    std::string file;
    std::vector<std::string> profile_dirs;
    apply::ApplyOptions apply;
    std::optional<std::string> listen;                 // overrides monitoring.listen
    std::chrono::seconds repair_interval{30};
    // Stop after this many polls (0 = until a signal); for tests and demos.
    uint64_t max_polls = 0;
};

// Returns the process exit code (cli.h): 0 after a signal, 1 when the spec
// is invalid at start, 3 when the metrics endpoint cannot listen.
int run_daemon(const DaemonOptions& options, std::ostream& err);

}  // namespace snoc::daemon
