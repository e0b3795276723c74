// Polls ovs-vswitchd for its datapath flows and says, per poll, where each
// one ran (hardware / tc software / OVS), how much traffic it carried since
// the last poll, which OVS port it came in on, and — for flows that did not
// run in hardware — every reason why.
//
// One poll = `dpctl/dump-flows -m [DP]` over the unixctl socket (the same
// socket ovs-appctl uses), parsed by dpflow_parse, credited by
// PlacementCounters. Works for the userspace datapath and for the kernel
// datapath with or without other_config:hw-offload (then the dump carries
// dp:tc / offloaded:yes). Ports come from dpif/show + dpctl/show, read on
// the first poll and again when a dump names a port they do not know.
//
// Bounded: at most MonitorOptions::max_flows flows are kept and credited
// per poll; the rest are counted in DatapathPoll::over_cap (the dump is
// still read whole, since unixctl has no paging).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "offload/capability.h"
#include "offload/placement.h"
#include "offload/status.h"
#include "ovs-integration/dpflow_classify.h"
#include "ovs-integration/dpflow_explain.h"
#include "ovs-integration/dpflow_parse.h"
#include "ovs-integration/dpflow_view.h"
#include "ovs-integration/dpif_ports.h"
#include "ovs-integration/unixctl_client.h"

namespace snoc::ovs {

struct MonitorOptions {
    // The datapath to dump ("system@ovs-system", "netdev@ovs-netdev"); ""
    // lets OVS pick, which works when only one datapath exists.
    std::string datapath;
    // Flows kept and credited per poll (OVS's own default flow-limit is
    // 200,000 per datapath).
    size_t max_flows = 200000;
    // Polls a vanished flow is remembered for (see PlacementCounters).
    size_t forget_after = 3;
    // The first poll only records counters (traffic before monitoring
    // started is not credited to the first interval). false: credit it.
    bool baseline_first_poll = true;
    // Unreadable dump lines kept per poll (all are counted).
    size_t max_errors = 20;
    // Threads that read a large dump (see scan_dpflow_dump); 0: the
    // default, min(2, hardware threads). 1 reads on the polling thread only.
    unsigned scan_threads = 0;
};

struct MonitoredFlow {
    // The compact record (views into DatapathPoll::text); to_dpflow(flow)
    // gives the full DpFlow with its canonical Match.
    DpFlowView flow;
    offload::Placement placement = offload::Placement::Ovs;
    // The OVS port the flow matches as in_port (resolved from the datapath
    // port number or name); the printed port when OVS does not know it; ""
    // when the flow has no in_port.
    std::string in_port;
    TrafficCounts delta;  // since the previous poll
    // Why it is not in hardware (software placements only, and only with
    // an offload context set); see explain_not_offloaded().
    std::vector<offload::Reason> reasons;
};

struct DatapathPoll {
    // The dump the flows' views point into. Shared, so a copy of the poll
    // (or of its flows, kept with it) stays valid on its own.
    std::shared_ptr<const std::string> text;
    std::vector<MonitoredFlow> flows;  // dump order, at most max_flows
    std::array<size_t, 4> flows_by_placement{};  // index: offload::Placement
    PlacementTraffic delta;   // this poll, per placement
    PlacementTraffic totals;  // since the monitor was created
    size_t over_cap = 0;      // flows beyond max_flows: not kept, not credited
    size_t error_count = 0;   // unreadable lines
    std::vector<DpFlowError> errors;  // the first max_errors of them
    bool baseline = false;    // this poll only recorded counters
    std::chrono::microseconds dump_time{0};   // the unixctl round trip (ovs-vswitchd's dump)
    std::chrono::microseconds parse_time{0};  // parse + classify + credit + explain here
};

class DatapathMonitor {
public:
    // `client` must be connected to ovs-vswitchd and outlive the monitor.
    explicit DatapathMonitor(UnixctlClient& client, MonitorOptions options = {});

    // Reasons for software flows are computed against this context (ports
    // keyed by OVS port name, NIC profiles). Without it, reasons stay empty.
    void set_offload_context(OffloadContext context);

    // Dumps, parses and credits one poll into `out` (replaced). Fails only
    // when ovs-vswitchd cannot be asked (errno + its message); unreadable
    // lines are reported in `out`, not as a failure.
    offload::Status poll(DatapathPoll& out);

    // The same for a dump already fetched (tests, replays, benchmarks):
    // never talks to ovs-vswitchd; dump_time stays 0. The text is copied
    // into out.text; the shared_ptr overload keeps the caller's instead.
    void process(std::string_view dump_text, DatapathPoll& out);
    void process(std::shared_ptr<const std::string> dump_text, DatapathPoll& out);

    // Re-reads dpif/show and dpctl/show.
    offload::Status refresh_ports();
    const DpPortMap& ports() const { return ports_; }
    // For callers that read port tables themselves (and for process()).
    DpPortMap& ports() { return ports_; }

    const PlacementTraffic& totals() const { return counters_.totals(); }

private:
    bool knows_port(const DpFlowView& f) const;
    void explain(MonitoredFlow& m, std::unordered_map<std::string, std::pair<std::string, std::vector<offload::Reason>>>& next);
    // in_port as OVS names it; `resolved` remembers each printed spelling
    // for one poll (a datapath has a few ports and up to 200,000 flows).
    const std::string& resolve_in_port(std::string_view printed,
                                       std::unordered_map<std::string_view, std::string>& resolved) const;

    UnixctlClient& client_;
    MonitorOptions options_;
    DpPortMap ports_;
    PlacementCounters counters_;
    std::optional<OffloadContext> context_;
    // identity -> (actions when explained, reasons): a flow's reasons are
    // computed once, again only when its actions change.
    std::unordered_map<std::string, std::pair<std::string, std::vector<offload::Reason>>> reasons_cache_;
    bool primed_ = false;
};

}  // namespace snoc::ovs
