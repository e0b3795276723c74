#include "controller/monitor/status_view.h"
#include "controller/output_format.h"

#include <cstdio>
#include <ctime>
#include <ostream>
#include <set>

namespace snoc::monitor {

namespace {

using offload::Placement;

double seconds(std::chrono::system_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// RFC 3339 in UTC: what operators paste into tickets and what jq can sort.
std::string utc_text(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::vector<Cell> traffic_cells(const ScopeTraffic* t) {
    static const ScopeTraffic none;
    const ScopeTraffic& s = t ? *t : none;
    return {count_cell(s.cumulative[Placement::Hardware].packets),
            count_cell(s.cumulative[Placement::TcSoftware].packets),
            count_cell(s.cumulative[Placement::Ovs].packets),
            ratio_cell(s.interval.hit_rate()),
            ratio_cell(s.cumulative.hit_rate())};
}

std::vector<Column> traffic_columns(Column first) {
    return {std::move(first),
            {"HW PKTS", "packets_hardware", Layout::Right},
            {"TC PKTS", "packets_tc_software", Layout::Right},
            {"OVS PKTS", "packets_ovs", Layout::Right},
            {"HIT NOW", "hit_rate_interval", Layout::Right},
            {"HIT TOTAL", "hit_rate_cumulative", Layout::Right}};
}

Cell optional_count(const std::optional<uint32_t>& v) {
    if (!v) return Cell{.text = "unknown", .json = nullptr};
    return count_cell(*v);
}

nlohmann::json poll_json(const StatusInputs& in) {
    const PollHealth& h = in.health;
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : h.recent_errors()) errors.push_back({{"time", utc_text(e.when)}, {"error", e.what}});
    nlohmann::json last = nullptr, age = nullptr;
    if (h.last_poll()) {
        last = utc_text(*h.last_poll());
        age = seconds(in.now - *h.last_poll());
    }
    return {{"polls", h.polls()},
            {"last_poll", last},
            {"last_poll_age_seconds", age},
            {"last_poll_duration_seconds", std::chrono::duration<double>(h.last_duration()).count()},
            {"errors", h.errors()},
            {"config_reload_failures", h.config_reload_failures()},
            {"recent_errors", errors}};
}

}  // namespace

ColumnTable nic_status_table(const StatusInputs& in) {
    std::vector<Column> cols = traffic_columns({"NIC", "nic", Layout::Left});
    cols.push_back({"HW RULES", "hw_rules", Layout::Right});
    cols.push_back({"CAPACITY", "capacity", Layout::Right});
    cols.push_back({"FULL", "occupancy", Layout::Right});
    cols.push_back({"INSTALLS", "installs", Layout::Right});
    cols.push_back({"FAILURES", "failures", Layout::Right});
    ColumnTable t(std::move(cols), "failures_by_reason");

    std::set<std::string, std::less<>> names;
    for (const auto& [n, s] : in.ledger.scopes(Dimension::Nic)) names.insert(n);
    for (const auto& [n, s] : in.offload.nics()) names.insert(n);
    for (const auto& name : names) {
        TableRow row;
        row.cells.push_back(text_cell(name));
        for (auto& c : traffic_cells(in.ledger.find(Dimension::Nic, name))) row.cells.push_back(std::move(c));
        auto it = in.offload.nics().find(name);
        if (it != in.offload.nics().end()) {
            const NicTable& nt = it->second;
            row.cells.push_back(count_cell(nt.rules_in_hw));
            row.cells.push_back(optional_count(nt.capacity));
            row.cells.push_back(ratio_cell(nt.occupancy()));
            row.cells.push_back(count_cell(nt.installs));
            row.cells.push_back(count_cell(nt.failures));
            for (const auto& [reason, n] : nt.failures_by_reason) {
                row.details.push_back(DetailItem{.text = "failed " + std::to_string(n) + "x: " + reason,
                                                 .json = {{"reason", reason}, {"count", n}}});
            }
        }
        t.add_row(std::move(row));
    }
    return t;
}

ColumnTable workload_status_table(const StatusInputs& in) {
    ColumnTable t(traffic_columns({"WORKLOAD", "workload", Layout::Left}));
    for (const auto& [name, s] : in.ledger.scopes(Dimension::Workload)) {
        TableRow row;
        row.cells.push_back(text_cell(name));
        for (auto& c : traffic_cells(&s)) row.cells.push_back(std::move(c));
        t.add_row(std::move(row));
    }
    return t;
}

nlohmann::json status_json(const StatusInputs& in) {
    nlohmann::json repairs = nlohmann::json::object();
    for (RepairKind k : kRepairKinds) repairs[std::string(to_string(k))] = in.offload.repairs(k);
    const auto rate = in.offload.installs_per_second();
    const ScopeTraffic& all = in.ledger.overall();
    return {{"poll", poll_json(in)},
            {"hit_rate_interval", ratio_cell(all.interval.hit_rate()).json},
            {"hit_rate_cumulative", ratio_cell(all.cumulative.hit_rate()).json},
            {"nics", nic_status_table(in).to_json()},
            {"workloads", workload_status_table(in).to_json()},
            {"installs", in.offload.installs()},
            {"installs_per_second", rate ? nlohmann::json(*rate) : nlohmann::json(nullptr)},
            {"repairs", repairs},
            {"overflowed_samples", in.ledger.overflowed_samples() + in.offload.overflows()}};
}

void print_status(const StatusInputs& in, OutputFormat f, std::ostream& out) {
    if (f == OutputFormat::Json) {
        out << json_text(status_json(in)) << "\n";
        return;
    }
    const PollHealth& h = in.health;
    if (h.last_poll()) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "last poll %s (%.0f s ago), took %.1f ms; %llu polls, %llu errors",
                      utc_text(*h.last_poll()).c_str(), seconds(in.now - *h.last_poll()),
                      std::chrono::duration<double, std::milli>(h.last_duration()).count(),
                      static_cast<unsigned long long>(h.polls()), static_cast<unsigned long long>(h.errors()));
        out << buf << "\n";
    } else {
        out << "no poll yet\n";
    }
    const ScopeTraffic& all = in.ledger.overall();
    out << "hit rate: " << ratio_cell(all.interval.hit_rate()).text << " last interval, "
        << ratio_cell(all.cumulative.hit_rate()).text << " since start\n";

    out << "\nNICs\n";
    nic_status_table(in).print_text(out, 2);
    out << "\nWorkloads\n";
    workload_status_table(in).print_text(out, 2);

    std::string repairs;
    for (RepairKind k : kRepairKinds) {
        if (in.offload.repairs(k) == 0) continue;
        repairs += (repairs.empty() ? "" : ", ") + std::string(to_string(k)) + " " +
                   std::to_string(in.offload.repairs(k));
    }
    out << "\nrepairs: " << (repairs.empty() ? "none" : repairs) << "\n";
    if (!h.recent_errors().empty()) {
        out << "\nrecent errors\n";
        for (const auto& e : h.recent_errors()) out << "  " << utc_text(e.when) << "  " << e.what << "\n";
    }
}

}  // namespace snoc::monitor
