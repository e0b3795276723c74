#include "ovs-integration/ofctl_dump.h"

#include <array>

#include "flow/policy_syntax.h"

namespace snoc::ovs {
namespace {

constexpr std::string_view kActions = "actions=";

// Statistics and flags a dump adds that are not part of the flow's identity
// or behaviour as snoc defines it.
constexpr std::array<std::string_view, 6> kStatKeys = {"duration", "n_packets", "n_bytes",
                                                       "idle_age", "hard_age", "importance"};
constexpr std::array<std::string_view, 6> kFlagWords = {"reset_counts", "send_flow_rem",  "check_overlap",
                                                        "no_packet_counts", "no_byte_counts", "no_readonly_table"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

template <size_t N>
bool one_of(std::string_view word, const std::array<std::string_view, N>& words) {
    for (auto w : words) {
        if (w == word) return true;
    }
    return false;
}

}  // namespace

std::string strip_dump_line(std::string_view line) {
    line = trim(line);
    // Every flow line has actions; anything else is a header of older
    // OpenFlow versions ("NXST_FLOW reply (xid=0x4):") or blank.
    const size_t actions_at = line.find(kActions);
    if (actions_at == std::string_view::npos) return "";
    const std::string_view head = line.substr(0, actions_at);
    std::string out;
    size_t pos = 0;
    while (pos <= head.size()) {
        // Terms are separated by ',' (", " after statistics) and the last
        // flag is separated from the match by a space.
        size_t end = head.find_first_of(", ", pos);
        if (end == std::string_view::npos) end = head.size();
        const std::string_view term = trim(head.substr(pos, end - pos));
        pos = end + 1;
        if (term.empty()) continue;
        const std::string_view key = term.substr(0, term.find('='));
        if (one_of(key, kStatKeys) || one_of(term, kFlagWords)) continue;
        if (!out.empty()) out += ',';
        out += term;
    }
    out += " " + std::string(trim(line.substr(actions_at)));
    return out;
}

DumpedFlows parse_dump_flows(std::string_view output) {
    DumpedFlows out;
    size_t pos = 0;
    while (pos < output.size()) {
        size_t end = output.find('\n', pos);
        if (end == std::string_view::npos) end = output.size();
        const std::string_view line = output.substr(pos, end - pos);
        pos = end + 1;
        const std::string text = strip_dump_line(line);
        if (text.empty()) continue;
        flow::ParsedFlow parsed = flow::parse_policy_flow(text);
        if (parsed.flow) {
            out.flows.push_back(std::move(*parsed.flow));
        } else {
            out.unreadable.push_back(std::string(trim(line)) + ": " + parsed.error->message);
        }
    }
    return out;
}

flow::Flow canonical_ports(flow::Flow f, const std::string& bridge) {
    if (f.match.in_port && *f.match.in_port == bridge) f.match.in_port = "LOCAL";
    for (flow::Action& a : f.actions) {
        if (auto* o = std::get_if<flow::Output>(&a); o != nullptr && o->port == bridge) o->port = "LOCAL";
    }
    return f;
}

}  // namespace snoc::ovs
