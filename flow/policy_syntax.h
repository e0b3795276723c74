// The policy flow syntax: the ovs-ofctl flow syntax operators already know,
// e.g. "priority=100,in_port=web,tcp,tp_dst=80 actions=output:uplink".
//
// parse_policy_flow() turns one rule into a canonical Flow; format_flow()
// prints one back. The two are driven by the same field table (flow.h), and
// format_flow(f) always parses back to f (the round trip the tests check).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"

namespace snoc::flow {

// Where in the rule text a problem is, and what was expected there.
struct SyntaxError {
    size_t offset = 0;  // byte offset into the rule text
    size_t length = 0;  // length of the offending token (>= 1 when the text is non-empty)
    std::string message;
};

struct ParsedFlow {
    std::optional<Flow> flow;           // set on success
    std::optional<SyntaxError> error;   // set on failure
};

// Parses one rule. Never throws; every rejected input gets a SyntaxError.
ParsedFlow parse_policy_flow(std::string_view text);

// Prints a flow in canonical form: "table=T,priority=P,<match> actions=<actions>"
// (table, cookie and timeouts only when not default).
std::string format_flow(const Flow& f);
std::string format_match(const Match& m);
std::string format_actions(const std::vector<Action>& actions);
std::string format_action(const Action& a);
// One field as "name=value[/mask]" in the policy syntax.
std::string format_field(Field f, const Masked& m);

}  // namespace snoc::flow
