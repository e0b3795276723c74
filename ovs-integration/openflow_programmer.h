// Programs snoc's flows into one bridge with `ovs-ofctl -O OpenFlow14
// --bundle`: every change is one atomic OpenFlow bundle, written to
// ovs-ofctl's stdin (10,000 flows take ~0.1 s this way; one add-flow call per
// flow takes ~6 s per 1,000). Only flows with snoc's cookie (0x5c0c/16) are
// ever read back, modified or deleted.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "flow/flow.h"
#include "offload/status.h"
#include "ovs-integration/flow_diff.h"
#include "ovs-integration/flow_record.h"
#include "ovs-integration/ofport_numbers.h"

namespace snoc::ovs {

struct OpenflowOptions {
    std::string bridge;  // the bridge's name (also the name of its LOCAL port)
    // What ovs-ofctl connects to: the bridge name (vswitchd's default run
    // directory) or "unix:<rundir>/<bridge>.mgmt". Empty = bridge.
    std::string target;
    std::string ofctl = "ovs-ofctl";
    std::chrono::milliseconds timeout{120000};
    // How long after its last dump (resync) update() trusts its record of
    // what it installed; then it dumps and diffs once more (0 = until
    // invalidate_record(), drift() finding a difference, or a failure).
    std::chrono::milliseconds record_max_age{0};
    // Where bundles get the bridge's OpenFlow port numbers (e.g.
    // read_ofport_numbers() over a connected OvsdbClient), asked before each
    // bundle. When set and every port of the bundle has a number, flows go
    // with numbers and `--no-names`, which spares ovs-ofctl fetching the
    // switch's port and table descriptions (a one-flow bundle: ~5 ms instead
    // of ~15 ms). Otherwise, or when it fails, flows go with names; a
    // numbered bundle the switch rejects is sent once more with names, so
    // its error names the ports as the policy does.
    std::function<offload::Status(OfportNumbers&)> port_numbers;

    // The defaults for one bridge reached through `target`.
    static OpenflowOptions for_bridge(std::string bridge, std::string target = {}) {
        OpenflowOptions o;
        o.bridge = std::move(bridge);
        o.target = std::move(target);
        return o;
    }
};

class OpenflowProgrammer {
public:
    explicit OpenflowProgrammer(OpenflowOptions options);

    // Adds the flows in one bundle; a flow with the same table, priority and
    // match as an existing one replaces it.
    offload::Status install(const std::vector<flow::Flow>& flows);
    // Makes snoc's flows in the switch equal `desired`, touching only the
    // flows that differ. `done` counts what was added/modified/deleted.
    // With a valid record of what snoc last installed (see below) the diff
    // is against that record: no dump, one bundle of the changed flow mods
    // (~ms for one rule in 10,000). Without one, it is resync().
    offload::Status update(const std::vector<flow::Flow>& desired, FlowMods& done);
    // Dumps snoc's flows, diffs `desired` against them, sends the difference
    // and records `desired` as installed. For after an OVS restart, or when
    // anything else may have changed snoc's flows.
    offload::Status resync(const std::vector<flow::Flow>& desired, FlowMods& done);

    // The in-memory record: what snoc's flows on this bridge are, as far as
    // this programmer knows (set by resync(), kept up to date by update(),
    // install() and remove_all()). Any failed or unconfirmed command drops it,
    // so the next update() dumps instead of trusting a guess.
    bool record_valid() const { return record_valid_; }
    void invalidate_record() { record_valid_ = false; }
    // Removes every flow with snoc's cookie and nothing else.
    offload::Status remove_all();
    // snoc's flows as the switch holds them (ports canonical, see canonical_ports()).
    offload::Status dump(std::vector<flow::Flow>& flows, std::vector<std::string>& unreadable);
    // What differs between `desired` and the switch (always dumps). A
    // difference also invalidates the record, so the next update() repairs it.
    offload::Status drift(const std::vector<flow::Flow>& desired, FlowDrift& drift);
    // Runs one bundle of flow mods (exposed so callers can batch their own).
    offload::Status apply(const std::vector<FlowMod>& mods);
    // How the last bundle sent named ports: true = numbers (see port_numbers).
    bool last_bundle_numbered() const { return last_numbered_; }

private:
    std::vector<std::string> ofctl_argv(std::initializer_list<std::string> args, bool names = true) const;
    offload::Status run(const std::vector<std::string>& argv, const std::string& input, std::string& out) const;
    std::vector<flow::Flow> canonical(const std::vector<flow::Flow>& flows) const;
    bool record_fresh() const;
    void set_record(const std::vector<flow::Flow>& canonical_flows);

    OpenflowOptions options_;
    FlowRecord record_;  // canonical; meaningful only when record_valid_
    bool record_valid_ = false;
    bool last_numbered_ = false;
    std::chrono::steady_clock::time_point record_since_{};
};

}  // namespace snoc::ovs
