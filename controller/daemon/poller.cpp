#include "controller/daemon/poller.h"

#include <cstdio>

#include "controller/backend_providers.h"
#include "controller/monitor/tc_samples.h"
#include "flow/policy_syntax.h"

namespace snoc::daemon {
namespace {

using offload::Placement;

std::string cookie_key(uint64_t cookie) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(cookie));
    return buf;
}

std::string lookup(const std::map<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? "" : it->second;
}

}  // namespace

bool is_snoc_rule_in_dump(const ovs::DpFlow& f) { return f.ufid && has_backend_mark(*f.ufid); }
bool is_snoc_rule_in_dump(const ovs::DpFlowView& f) { return f.ufid && has_backend_mark(*f.ufid); }

void Poller::poll(apply::Applier& applier, const apply::ApplyReport& last_apply, ovs::DatapathMonitor* dp,
                  monitor::OffloadStats& offload, monitor::PollHealth& health, RateLimitedLog& log, PollResult& out) {
    out = {};
    rules(applier, last_apply, offload, health, log, out);
    if (dp) datapath(applier, *dp, health, log, out);
    port_drops(applier, health, log);
    // With ovs-vswitchd unreachable (dp unset, already logged) there are no sockets of its to read.
    if (dp) ovs_socket_drops(applier, health, log);
}

void Poller::port_drops(const apply::Applier& applier, monitor::PollHealth& health, RateLimitedLog& log) {
    const apply::DesiredState& d = applier.desired();
    std::vector<std::string> ports;
    for (const auto& [port, nic] : d.nic_of_port) ports.push_back(port);
    if (ports.empty()) return;
    std::vector<monitor::PortDropReading> readings;
    if (const auto st = monitor::read_port_drops(ports, readings); !st.ok()) {
        health.record_error(std::chrono::system_clock::now(), st.reason);
        log.log(spdlog::level::warn, "port-drops", "cannot read interface drop counters: " + st.reason);
        return;
    }
    for (const auto& r : readings) drops_.add(r, {lookup(d.nic_of_port, r.port), lookup(d.workload_of_port, r.port)});
}

void Poller::ovs_socket_drops(const apply::Applier& applier, monitor::PollHealth& health, RateLimitedLog& log) {
    const apply::DesiredState& d = applier.desired();
    if (d.nic_of_port.empty()) return;
    std::vector<monitor::PortSocket> sockets;
    if (const auto st = monitor::read_ovs_port_sockets(applier.options().ovs_rundir, sockets); !st.ok()) {
        health.record_error(std::chrono::system_clock::now(), st.reason);
        log.log(spdlog::level::warn, "ovs-socket-drops", "cannot read the drops of OVS's port sockets: " + st.reason);
        return;
    }
    // The uplinks and representors, as for the interface counters.
    std::erase_if(sockets, [&](const monitor::PortSocket& s) { return !d.nic_of_port.count(s.port); });
    for (const auto& [port, added] : socket_deltas_.observe(sockets)) {
        drops_.add_socket_drops(port, added, {lookup(d.nic_of_port, port), lookup(d.workload_of_port, port)});
    }
}

void Poller::rules(apply::Applier& applier, const apply::ApplyReport& last_apply, monitor::OffloadStats& offload,
                   monitor::PollHealth& health, RateLimitedLog& log, PollResult& out) {
    const apply::DesiredState& d = applier.desired();
    std::set<uint64_t> seen;
    for (const apply::RuleTable& t : d.tables) {
        if (t.rules.empty()) continue;
        offload::OffloadBackend* backend = applier.backend_for(t);
        const offload::BackendProvider* provider = find_provider(t.backend);
        if (!backend || !provider) continue;
        std::vector<offload::HwRuleState> states;
        if (auto st = backend->read(t.ports, states); !st.ok()) {
            health.record_error(std::chrono::system_clock::now(), st.reason);
            log.log(spdlog::level::warn, "read:" + t.nic, "cannot read rules of " +
                                                             (t.nic.empty() ? std::string("veth ports") : "NIC " + t.nic) +
                                                             ": " + st.reason);
            continue;
        }
        const offload::ByteCounting counted = provider->bytes;
        uint64_t in_hw = 0;
        for (const auto& s : states) {
            auto info = d.rules.find(s.rule.cookie);
            if (info == d.rules.end()) continue;  // stale: the next apply deletes it
            seen.insert(s.rule.cookie);
            if (s.placement == Placement::Hardware) ++in_hw;
            monitor::TrafficLabels labels{t.nic, d.ovs.bridge, s.rule.port, lookup(d.workload_of_port, s.rule.port),
                                          info->second.name};
            const auto delta = rule_deltas_.observe(
                cookie_key(s.rule.cookie), monitor::rule_counters(s.packets, s.bytes, s.hw_packets, s.hw_bytes));
            monitor::append_rule_samples(labels, delta, out.samples, counted);
            monitor::FlowRecord r;
            r.source = monitor::Source::HwRule;
            r.id = info->second.name;
            r.placement = s.placement;
            r.labels = labels;
            r.match = flow::format_match(s.rule.flow.match);
            r.actions = flow::format_actions(s.rule.flow.actions);
            r.packets = s.packets;
            r.bytes = monitor::frame_bytes(s.bytes, s.packets, counted);
            r.idle_ms = s.idle_ms;
            if (s.placement != Placement::Hardware) r.reasons = info->second.reasons;
            out.flows.push_back(std::move(r));
        }
        if (!t.nic.empty()) {
            const spec::NicSpec* nic = applier.resolved().find_nic(t.nic);
            auto p = nic ? applier.profiles().find(nic->profile) : applier.profiles().end();
            const offload::BackendCaps* caps = p != applier.profiles().end() ? p->second.caps(t.backend) : nullptr;
            offload.set_table(t.nic, in_hw, caps ? caps->max_rules : std::nullopt);
        }
    }
    rule_deltas_.end_poll();
    // Rules that should be in a table and are not: failed, with the apply's words.
    for (const auto& o : last_apply.rules) {
        if (o.placement == Placement::Ovs || seen.count(o.cookie)) continue;
        auto info = d.rules.find(o.cookie);
        monitor::FlowRecord r;
        r.source = monitor::Source::HwRule;
        r.id = o.name;
        r.placement = Placement::Failed;
        r.labels = {info != d.rules.end() ? info->second.nic : "", d.ovs.bridge, o.port,
                    lookup(d.workload_of_port, o.port), o.name};
        r.reasons = o.reasons;
        if (info != d.rules.end() && r.reasons.empty()) r.reasons = info->second.reasons;
        out.flows.push_back(std::move(r));
    }
}

void Poller::datapath(const apply::Applier& applier, ovs::DatapathMonitor& dp, monitor::PollHealth& health,
                      RateLimitedLog& log, PollResult& out) {
    const apply::DesiredState& d = applier.desired();
    ovs::DatapathPoll p;
    if (auto st = dp.poll(p); !st.ok()) {
        health.record_error(std::chrono::system_clock::now(), "dpctl/dump-flows: " + st.reason);
        log.log(spdlog::level::warn, "dpctl", "cannot read OVS datapath flows: " + st.reason);
        return;
    }
    for (const auto& e : p.errors) {
        log.log(spdlog::level::warn, "dpflow-parse", "unreadable datapath flow line: " + e.message);
    }
    for (const ovs::MonitoredFlow& m : p.flows) {
        if (is_snoc_rule_in_dump(m.flow)) continue;
        monitor::TrafficLabels labels{lookup(d.nic_of_port, m.in_port), d.ovs.bridge, m.in_port,
                                      lookup(d.workload_of_port, m.in_port), ""};
        if (m.delta.packets || m.delta.bytes) {
            out.samples.push_back({labels, m.placement, m.delta.packets, m.delta.bytes, monitor::Source::Datapath});
        }
        monitor::FlowRecord r;
        r.source = monitor::Source::Datapath;
        r.id = m.flow.ufid ? *m.flow.ufid : m.flow.key_text;
        r.placement = m.placement;
        r.labels = labels;
        r.match = m.flow.key_text;
        r.actions = m.flow.actions_text;
        r.packets = m.flow.packets;
        r.bytes = m.flow.bytes;
        if (m.flow.used_seconds) r.idle_ms = static_cast<uint64_t>(*m.flow.used_seconds * 1000);
        r.reasons = m.reasons;
        out.flows.push_back(std::move(r));
    }
}

}  // namespace snoc::daemon
