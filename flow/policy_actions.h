// Private to flow/policy_*.cpp: the action list of the policy syntax,
// read and printed through one table of action names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"
#include "flow/policy_values.h"

namespace snoc::flow::syntax {

// Everything after "actions=". Failures point into `text`.
Result<std::vector<Action>> parse_action_list(std::string_view text);

// One action. `context` is the flow's match when known: set_field on ICMP
// fields must name icmpv6_type / icmpv6_code for IPv6 flows.
std::string format_action_in(const Action& a, const Match* context);

}  // namespace snoc::flow::syntax
