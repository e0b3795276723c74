// A policy flow text as the HwRule a backend is given, for the backend tests
// and benchmarks (emulated eSwitch, rte_flow): one place, so they cannot
// drift apart on what a rule carries.
#pragma once

#include <cstdint>
#include <string>

#include "offload/backend.h"
#include "flow/policy_syntax.h"

namespace snoc::test {

// "priority=...,udp,... actions=..." as a rule on `port` with the flow's
// table and priority; false when the text does not parse.
inline bool policy_rule(uint64_t cookie, const std::string& port, const std::string& policy, offload::HwRule& out) {
    auto parsed = flow::parse_policy_flow(policy);
    out = {};
    out.cookie = cookie;
    out.port = port;
    if (!parsed.flow) return false;
    out.flow = *parsed.flow;
    out.priority = parsed.flow->priority;
    out.table = parsed.flow->table;
    return true;
}

}  // namespace snoc::test
