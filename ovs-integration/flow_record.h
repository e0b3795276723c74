// What snoc last installed on one bridge, by OpenFlow identity (table,
// priority, match), so a one-rule change is diffed against memory instead
// of a dump of every flow (~0.15 s for 10,000). OpenflowProgrammer keeps
// one per bridge and drops it whenever the switch may have moved on without
// it (a failed bundle, drift(), invalidate_record()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/flow.h"
#include "offload/status.h"
#include "ovs-integration/flow_diff.h"

namespace snoc::ovs {

class FlowRecord {
public:
    // Replaces the record with these (canonical) flows.
    void assign(const std::vector<flow::Flow>& flows);
    // Follows a bundle that succeeded: deletes, modifies and adds by identity
    // (an add replaces a flow of the same identity, as in OpenFlow).
    void apply(const std::vector<FlowMod>& mods);

    // The mods that turn the recorded flows into `desired`, with the same
    // rules and order as diff_flows(). `desired` need not be canonical: a
    // flow naming `bridge` as a port is canonicalised (LOCAL) on the way.
    // Fails (EINVAL) like diff_flows() on a duplicate identity or a flow
    // without a cookie. Cost: one hash lookup per desired flow.
    offload::Status diff(const std::vector<flow::Flow>& desired, const std::string& bridge, FlowMods& out) const;

    size_t size() const { return index_.size(); }

private:
    struct Entry {
        flow::Flow flow;
        // The diff() that last matched it: a second desired flow matching the
        // same entry is a duplicate identity, found without a set of all
        // desired flows (which would cost more than the rest of the diff).
        mutable uint64_t matched_in = 0;
    };
    std::list<Entry> entries_;  // stable addresses for the index
    std::unordered_map<const flow::Flow*, std::list<Entry>::iterator, FlowIdentityHash, FlowIdentityEqual> index_;
    mutable uint64_t diffs_ = 0;
};

}  // namespace snoc::ovs
