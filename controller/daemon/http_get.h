// A minimal HTTP/1.0 GET over TCP for `snoc status` / `snoc flows`, which
// read the running daemon's /status endpoint (no HTTP client library needed
// for one local request).
#pragma once

#include <chrono>
#include <string>

#include "offload/status.h"

namespace snoc::daemon {

// `address` is "host:port" as in monitoring.listen. Fails with the reason
// (refused: "is `snoc run` running?"), or a non-200 status line.
offload::Status http_get(const std::string& address, const std::string& path, std::string& body,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace snoc::daemon
