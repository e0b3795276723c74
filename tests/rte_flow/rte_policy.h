// Test and benchmark helpers for the rte_flow backend: a policy flow as an
// HwRule, and a command's output.
#pragma once

#include <cstdint>
#include <string>

#include "offload/backend.h"

namespace snoc::test {

// A policy flow ("priority=...,udp,... actions=...") as a rule on `port`;
// false when the text does not parse.
bool rte_policy_rule(uint64_t cookie, const std::string& port, const std::string& policy, offload::HwRule& out);

// stdout (and stderr) of a shell command.
std::string command_output(const std::string& cmd);

}  // namespace snoc::test
