// One monitoring poll of `snoc run`: reads where traffic ran since the last
// poll — snoc's own rules from the offload backend (per-rule counters, the
// hardware share from the NIC's counters, residency from in_hw) and OVS's
// datapath flows (dpctl/dump-flows -m) — and turns it into labelled samples
// for the ledger and records for `snoc flows`.
//
// Double counting: a packet that matches one of snoc's rules at a port's
// ingress never reaches OVS, so rule samples and datapath samples count
// disjoint packets. OVS's tc dump may still list snoc's filters (it reads
// every flower filter's action cookie as a ufid): datapath flows whose ufid
// carries snoc's cookie magic are skipped.
#pragma once

#include <string>
#include <vector>

#include "controller/apply/applier.h"
#include "controller/monitor/counter_deltas.h"
#include "controller/monitor/flow_view.h"
#include "controller/monitor/offload_stats.h"
#include "controller/monitor/ovs_socket_drops.h"
#include "controller/monitor/poll_health.h"
#include "controller/monitor/port_drops.h"
#include "controller/monitor/traffic_ledger.h"
#include "controller/daemon/rate_limited_log.h"
#include "ovs-integration/datapath_monitor.h"

namespace snoc::daemon {

struct PollResult {
    std::vector<monitor::TrafficSample> samples;  // this poll's deltas
    std::vector<monitor::FlowRecord> flows;       // every flow known now
};

class Poller {
public:
    Poller() { rule_deltas_.prime_next_poll(); }

    // Reads the backend's rules and (when `dp` is set) OVS's datapath flows.
    // Errors are recorded in `health` and logged (rate-limited); what could
    // be read is still returned.
    void poll(apply::Applier& applier, const apply::ApplyReport& last_apply, ovs::DatapathMonitor* dp,
              monitor::OffloadStats& offload, monitor::PollHealth& health, RateLimitedLog& log, PollResult& out);

    // Drops of every uplink and representor (interface counters and OVS's
    // packet sockets), as of the last poll.
    const monitor::PortDropTotals& drops() const { return drops_; }

private:
    void port_drops(const apply::Applier& applier, monitor::PollHealth& health, RateLimitedLog& log);
    // Misses OVS's packet sockets dropped (userspace datapath): counted in drops_' rx.
    void ovs_socket_drops(const apply::Applier& applier, monitor::PollHealth& health, RateLimitedLog& log);
    void rules(apply::Applier& applier, const apply::ApplyReport& last_apply, monitor::OffloadStats& offload,
               monitor::PollHealth& health, RateLimitedLog& log, PollResult& out);
    void datapath(const apply::Applier& applier, ovs::DatapathMonitor& dp, monitor::PollHealth& health,
                  RateLimitedLog& log, PollResult& out);

    monitor::CounterDeltas rule_deltas_;
    monitor::PortDropTotals drops_;
    monitor::SocketDropDeltas socket_deltas_;
};

// True for a datapath flow that is one of snoc's own tc rules seen through OVS.
bool is_snoc_rule_in_dump(const ovs::DpFlow& f);
bool is_snoc_rule_in_dump(const ovs::DpFlowView& f);

}  // namespace snoc::daemon
