#include "ovs-integration/datapath_monitor.h"

#include <utility>

namespace snoc::ovs {
namespace {

using offload::Placement;
using offload::Status;
using Clock = std::chrono::steady_clock;

std::chrono::microseconds since(Clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
}

std::vector<std::string> with_datapath(std::vector<std::string> args, const std::string& datapath) {
    if (!datapath.empty()) args.push_back(datapath);
    return args;
}

}  // namespace

DatapathMonitor::DatapathMonitor(UnixctlClient& client, MonitorOptions options)
    : client_(client), options_(std::move(options)), counters_(options_.forget_after) {}

void DatapathMonitor::set_offload_context(OffloadContext context) {
    context_ = std::move(context);
    reasons_cache_.clear();
}

Status DatapathMonitor::refresh_ports() {
    std::string dpif, dpctl;
    if (Status s = client_.dpif_show(dpif); !s.ok()) return s;
    if (Status s = client_.call("dpctl/show", with_datapath({}, options_.datapath), dpctl); !s.ok()) return s;
    DpPortMap fresh;
    if (Status s = fresh.read_dpif_show(dpif); !s.ok()) return s;
    if (Status s = fresh.read_dpctl_show(dpctl); !s.ok()) return s;
    ports_ = std::move(fresh);
    return Status::success();
}

bool DatapathMonitor::knows_port(const DpFlowView& f) const {
    return f.in_port.empty() || ports_.find(f.in_port, options_.datapath) != nullptr;
}

const std::string& DatapathMonitor::resolve_in_port(
    std::string_view printed, std::unordered_map<std::string_view, std::string>& resolved) const {
    auto [it, fresh] = resolved.try_emplace(printed);
    if (fresh) it->second = ports_.resolve(printed, options_.datapath);
    return it->second;
}

Status DatapathMonitor::poll(DatapathPoll& out) {
    if (ports_.empty()) {
        if (Status s = refresh_ports(); !s.ok()) return s;
    }
    const auto t0 = Clock::now();
    std::string dump;
    if (Status s = client_.call("dpctl/dump-flows", with_datapath({"-m"}, options_.datapath), dump); !s.ok()) {
        s.reason = "dpctl/dump-flows: " + s.reason;
        return s;
    }
    const auto dump_time = since(t0);
    process(std::make_shared<const std::string>(std::move(dump)), out);
    // A port added since the last read shows up as an unknown in_port: read
    // the port tables again and attribute (and explain) those flows anew.
    bool unknown = false;
    for (const MonitoredFlow& m : out.flows) unknown = unknown || !knows_port(m.flow);
    if (unknown && refresh_ports().ok()) {
        std::unordered_map<std::string, std::pair<std::string, std::vector<offload::Reason>>> cache;
        std::unordered_map<std::string_view, std::string> resolved;
        for (MonitoredFlow& m : out.flows) {
            if (m.flow.in_port.empty()) continue;
            m.in_port = resolve_in_port(m.flow.in_port, resolved);
            if (context_ && m.placement != Placement::Hardware) {
                m.reasons = explain_not_offloaded(to_dpflow(m.flow), ports_, *context_, options_.datapath);
                reasons_cache_[flow_identity(m.flow)] = {std::string(m.flow.actions_text), m.reasons};
            }
        }
    }
    out.dump_time = dump_time;
    return Status::success();
}

void DatapathMonitor::process(std::string_view dump_text, DatapathPoll& out) {
    process(std::make_shared<const std::string>(dump_text), out);
}

void DatapathMonitor::process(std::shared_ptr<const std::string> dump_text, DatapathPoll& out) {
    const auto t0 = Clock::now();
    out = DatapathPoll{};
    out.text = dump_text ? std::move(dump_text) : std::make_shared<const std::string>();
    DpFlowScan dump = scan_dpflow_dump(
        *out.text, options_.scan_threads == 0 ? default_dpflow_scan_threads() : options_.scan_threads);
    out.error_count = dump.errors.size();
    if (dump.errors.size() > options_.max_errors) dump.errors.resize(options_.max_errors);
    out.errors = std::move(dump.errors);
    if (dump.flows.size() > options_.max_flows) {
        out.over_cap = dump.flows.size() - options_.max_flows;
        dump.flows.resize(options_.max_flows);
    }
    std::vector<TrafficCounts> per_flow(dump.flows.size());
    if (!primed_ && options_.baseline_first_poll) {
        counters_.prime(dump.flows);
        out.baseline = true;
    } else {
        out.delta = counters_.add_poll(dump.flows, per_flow);
    }
    primed_ = true;
    out.totals = counters_.totals();

    std::unordered_map<std::string, std::pair<std::string, std::vector<offload::Reason>>> next_cache;
    std::unordered_map<std::string_view, std::string> resolved;
    out.flows.reserve(dump.flows.size());
    for (size_t i = 0; i < dump.flows.size(); ++i) {
        MonitoredFlow m;
        m.flow = dump.flows[i];
        m.placement = classify(m.flow);
        m.delta = per_flow[i];
        if (!m.flow.in_port.empty()) m.in_port = resolve_in_port(m.flow.in_port, resolved);
        ++out.flows_by_placement[static_cast<size_t>(m.placement)];
        if (context_ && m.placement != Placement::Hardware) explain(m, next_cache);
        out.flows.push_back(std::move(m));
    }
    reasons_cache_ = std::move(next_cache);
    out.parse_time = since(t0);
}

void DatapathMonitor::explain(
    MonitoredFlow& m, std::unordered_map<std::string, std::pair<std::string, std::vector<offload::Reason>>>& next) {
    const std::string id = flow_identity(m.flow);
    const auto it = reasons_cache_.find(id);
    if (it != reasons_cache_.end() && it->second.first == m.flow.actions_text) {
        m.reasons = it->second.second;
    } else {
        // The only place the monitor builds a full DpFlow (canonical Match).
        m.reasons = explain_not_offloaded(to_dpflow(m.flow), ports_, *context_, options_.datapath);
    }
    next[id] = {std::string(m.flow.actions_text), m.reasons};
}

}  // namespace snoc::ovs
