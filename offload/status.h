// The outcome of one backend call: an errno and a human reason, as OVS's
// lib/tc.c and DPDK's rte_flow_error carry them. `reason` is what operators
// read: the kernel's extended-ack text when there is one.
#pragma once

#include <string>
#include <utility>

namespace snoc::offload {

struct Status {
    int error = 0;       // 0 = success, else a positive errno value
    std::string reason;  // empty on success; never empty on failure

    bool ok() const { return error == 0; }
    static Status success() { return {}; }
    static Status failure(int err, std::string why) { return {err == 0 ? 1 : err, std::move(why)}; }
};

std::string to_string(const Status& s);  // "ok" or "<strerror>: <reason>"

}  // namespace snoc::offload
