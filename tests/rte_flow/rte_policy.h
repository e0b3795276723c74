// Test helpers for the rte_flow backend: a policy flow as an HwRule
// (tests/support/policy_rule.h), and a command's output.
#pragma once

#include <cstdint>
#include <string>

#include "offload/backend.h"
#include "tests/support/policy_rule.h"  // policy_rule(): a policy text as a rule

namespace snoc::test {


// stdout (and stderr) of a shell command.
std::string command_output(const std::string& cmd);

}  // namespace snoc::test
