// A minimal HTTP/1.0 GET over TCP for `snoc status` / `snoc flows`, which
// read the running daemon's /status endpoint (no HTTP client library needed
// for one local request).
#pragma once

#include <netdb.h>

#include <chrono>
#include <string>

#include "offload/status.h"

namespace snoc::daemon {

// `address` is "host:port" as in monitoring.listen. Fails with the reason
// (refused: "is `snoc run` running?"), or a non-200 status line.
offload::Status http_get(const std::string& address, const std::string& path, std::string& body,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// Connects a stream socket to the first address of `list` that accepts, in
// order, as curl does: "localhost" is ::1 first on a machine whose
// /etc/hosts names both loopbacks, while the daemon listens on 127.0.0.1.
// Returns the socket, or -1 with `error` set from the last attempt (its
// errno in `err`).
int connect_first(const addrinfo* list, int& err, std::string& error);

}  // namespace snoc::daemon
