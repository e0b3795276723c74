#include "controller/monitor/flow_view.h"
#include "controller/output_format.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "controller/monitor/traffic_ledger.h"
#include "controller/plan_output.h"

namespace snoc::monitor {

namespace {

using offload::Placement;

PlacementCounts totals_of(const std::vector<FlowRecord>& flows) {
    PlacementCounts t;
    for (const auto& f : flows) {
        t[f.placement].packets += f.packets;
        t[f.placement].bytes += f.bytes;
    }
    return t;
}

Cell idle_cell(const std::optional<uint64_t>& ms) {
    if (!ms) return Cell{.text = "-", .json = nullptr};
    char buf[40];
    const uint64_t s = *ms / 1000;
    if (s < 60) std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(*ms) / 1000);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                                     static_cast<unsigned long long>(s % 60));
    else std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                       static_cast<unsigned long long>(s / 60 % 60));
    return Cell{.text = buf, .json = *ms};
}

}  // namespace

std::optional<Placement> parse_placement(std::string_view s) {
    if (s == "hw" || s == "hardware") return Placement::Hardware;
    if (s == "tc" || s == "tc-software") return Placement::TcSoftware;
    if (s == "ovs") return Placement::Ovs;
    if (s == "failed") return Placement::Failed;
    return std::nullopt;
}

std::vector<FlowRecord> select_flows(const std::vector<FlowRecord>& all, const FlowFilter& filter) {
    std::vector<FlowRecord> out;
    for (const auto& f : all) {
        if (filter.placement && f.placement != *filter.placement) continue;
        if (filter.workload && f.labels.workload != *filter.workload) continue;
        out.push_back(f);
    }
    std::stable_sort(out.begin(), out.end(), [](const FlowRecord& a, const FlowRecord& b) {
        if (a.packets != b.packets) return a.packets > b.packets;
        return a.id < b.id;
    });
    return out;
}

ColumnTable flow_table(const std::vector<FlowRecord>& selected) {
    ColumnTable t({{"PLACEMENT", "placement", Layout::Left},
                   {"PACKETS", "packets", Layout::Right},
                   {"BYTES", "bytes", Layout::Right},
                   {"IDLE", "idle_ms", Layout::Right},
                   {"NIC", "nic", Layout::Left},
                   {"PORT", "port", Layout::Left},
                   {"WORKLOAD", "workload", Layout::Left},
                   {"RULE", "rule", Layout::Left},
                   {"SOURCE", "source", Layout::Left},
                   {"ID", "id", Layout::Left},
                   {"MATCH", "match", Layout::Line},
                   {"ACTIONS", "actions", Layout::Line}},
                  "reasons");
    for (const auto& f : selected) {
        TableRow row;
        row.cells = {text_cell(std::string(to_string(f.placement))),
                     count_cell(f.packets),
                     count_cell(f.bytes),
                     idle_cell(f.idle_ms),
                     text_cell(f.labels.nic),
                     text_cell(f.labels.port),
                     text_cell(f.labels.workload),
                     text_cell(f.labels.rule),
                     text_cell(std::string(to_string(f.source))),
                     text_cell(f.id),
                     text_cell(f.match),
                     text_cell(f.actions)};
        for (const auto& r : f.reasons) row.details.push_back(DetailItem{.text = describe(r), .json = to_json(r)});
        t.add_row(std::move(row));
    }
    return t;
}

nlohmann::json flows_json(const std::vector<FlowRecord>& selected) {
    const PlacementCounts t = totals_of(selected);
    nlohmann::json packets = nlohmann::json::object(), bytes = nlohmann::json::object();
    for (Placement p : kAllPlacements) {
        packets[std::string(to_string(p))] = t[p].packets;
        bytes[std::string(to_string(p))] = t[p].bytes;
    }
    const auto hit = t.hit_rate();
    return {{"flows", flow_table(selected).to_json()},
            {"totals",
             {{"flows", selected.size()},
              {"packets", packets},
              {"bytes", bytes},
              {"hit_rate", hit ? nlohmann::json(*hit) : nlohmann::json(nullptr)}}}};
}

void print_flows(const std::vector<FlowRecord>& selected, OutputFormat f, std::ostream& out) {
    if (f == OutputFormat::Json) {
        out << json_text(flows_json(selected)) << "\n";
        return;
    }
    flow_table(selected).print_text(out);
    const PlacementCounts t = totals_of(selected);
    out << "\n" << selected.size() << (selected.size() == 1 ? " flow" : " flows") << ", packets:";
    for (Placement p : kAllPlacements) out << " " << to_string(p) << " " << human_count(t[p].packets);
    out << "; hit rate " << ratio_cell(t.hit_rate()).text
        << " (counters as last read: since each flow was created)\n";
}

}  // namespace snoc::monitor
