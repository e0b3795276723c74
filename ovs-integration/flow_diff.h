// The flow mods that turn the flows snoc has in a switch into the flows it
// wants, keyed the way OpenFlow identifies a flow (table, priority, match):
// a changed rule becomes one modify (or one re-add when its cookie or
// timeouts changed), so changing one rule among 10,000 touches one flow.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "flow/flow.h"
#include "offload/status.h"

namespace snoc::ovs {

struct FlowMod {
    enum class Kind { Add, Modify, Delete };
    Kind kind = Kind::Add;
    flow::Flow flow;
};

struct FlowMods {
    std::vector<FlowMod> mods;  // deletes first, then modifies, then adds
    size_t added = 0;
    size_t modified = 0;
    size_t deleted = 0;
    size_t unchanged = 0;
};

// Desired vs. current drift, for reports: what is missing from the switch,
// what differs (desired, actual), and snoc-cookie flows nobody wants.
struct FlowDrift {
    std::vector<flow::Flow> missing;
    std::vector<std::pair<flow::Flow, flow::Flow>> changed;
    std::vector<flow::Flow> unexpected;
    std::vector<std::string> unreadable;  // dumped lines that could not be parsed
    bool clean() const { return missing.empty() && changed.empty() && unexpected.empty() && unreadable.empty(); }
};

// The identity of a flow in a switch: "table/priority/match".
std::string flow_key(const flow::Flow& f);

// The same identity for hash containers of flow pointers, computed from the
// values instead of flow_key()'s text (formatting 10,000 matches costs more
// than a one-rule update may take).
struct FlowIdentityHash {
    size_t operator()(const flow::Flow* f) const;
};
struct FlowIdentityEqual {
    bool operator()(const flow::Flow* a, const flow::Flow* b) const {
        return a->table == b->table && a->priority == b->priority && a->match == b->match;
    }
};

// True when `want` differs from `have` (same identity) only in its actions,
// so a modify_strict keeps the flow's counters; otherwise it is re-added.
bool actions_only_change(const flow::Flow& want, const flow::Flow& have);

// Both sides must already be canonical (canonical_ports()); fails (EINVAL)
// when two desired flows share a key or a desired flow has no cookie.
offload::Status diff_flows(const std::vector<flow::Flow>& desired, const std::vector<flow::Flow>& current,
                           FlowMods& out);
FlowDrift drift_of(const std::vector<flow::Flow>& desired, const std::vector<flow::Flow>& current);

// One line for `ovs-ofctl --bundle add-flows`: "add ...", "modify_strict ...
// cookie=C/-1 ...", "delete_strict ... cookie=C/-1" — the cookie mask makes
// modify and delete touch only a flow that still carries snoc's cookie.
std::string bundle_line(const FlowMod& mod);

}  // namespace snoc::ovs
