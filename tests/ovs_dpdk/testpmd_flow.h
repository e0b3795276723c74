// A dpdk-testpmd `flow create` line read back into its parts, so two rules
// written by different programs (OVS-DPDK's netdev-offload-dpdk log, snoc's
// rte_testpmd.cpp) can be compared field by field instead of as text.
//
// The grammar is the subset both print:
//   flow create PORT [ingress] [egress] [transfer] [priority N] [group N]
//     pattern ITEM [FIELD is V | FIELD spec V FIELD mask M]... / ... / end
//     actions ACTION [ARG V]... / ... / end
// Values are normalised as they are read: numbers (decimal or 0x hex) to
// decimal, MACs and IPv6 addresses to lower case, so "proto is 0x11" equals
// "proto is 17".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snoc::testpmd {

struct FieldMatch {
    std::string spec;
    std::string mask;  // "" = the whole field ("is")
    bool operator==(const FieldMatch&) const = default;
};

struct Item {
    std::string name;                          // "eth", "ipv4", "represented_port", ...
    std::map<std::string, FieldMatch> fields;  // field name -> spec / mask
    bool operator==(const Item&) const = default;
};

struct Action {
    std::string name;                        // "drop", "port_id", "of_pop_vlan", ...
    std::map<std::string, std::string> args;  // "id" -> "1"
    bool operator==(const Action&) const = default;
};

struct FlowLine {
    uint32_t port = 0;
    bool ingress = false, egress = false, transfer = false;
    uint32_t priority = 0, group = 0;
    std::vector<Item> pattern;
    std::vector<Action> actions;
};

// Reads one line (anything before "flow create" is ignored). nullopt and
// `error` says which token was unexpected when it is not a flow create line
// of that grammar.
std::optional<FlowLine> parse_flow_line(std::string_view line, std::string* error = nullptr);

// The value as parse_flow_line stores it: decimal for numbers, lower case
// otherwise.
std::string normalise_value(std::string_view v);

// One line, the way the grammar spells it (normalised values), for messages.
std::string to_text(const FlowLine& f);

}  // namespace snoc::testpmd
