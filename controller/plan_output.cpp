#include "controller/plan_output.h"
#include "controller/output_format.h"

#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace snoc {


namespace {

nlohmann::json reasons_json(const std::vector<offload::Reason>& reasons) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : reasons) out.push_back(snoc::to_json(r));
    return out;
}

std::string hex64(uint64_t v) {
    char buf[19];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

// Left-aligned column of `width`, at least one space after the text.
std::string pad(const std::string& s, size_t width) {
    return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

nlohmann::json to_json(const offload::BackendVerdict& v) {
    return {{"backend", to_string(v.backend)}, {"offloadable", v.offloadable}, {"reasons", reasons_json(v.reasons)}};
}

nlohmann::json to_json(const plan::RulePlan& r) {
    nlohmann::json verdicts = nlohmann::json::array();
    for (const auto& v : r.verdicts) verdicts.push_back(to_json(v));
    return {{"name", r.name},
            {"text", r.text},
            {"canonical", r.canonical},
            {"openflow", r.openflow},
            {"cookie", hex64(r.cookie)},
            {"priority", r.priority},
            {"nic", r.nic},
            {"attach_port", r.attach_port},
            {"placement", to_string(r.placement)},
            {"reasons", reasons_json(r.reasons)},
            {"verdicts", verdicts}};
}

nlohmann::json to_json(const plan::OvsState& o) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& p : o.ports) {
        nlohmann::json j = {{"name", p.name},
                            {"type", p.type.empty() ? "system" : p.type},
                            {"role", p.role},
                            {"options", p.options},
                            {"external_ids", p.external_ids}};
        j["tag"] = p.tag ? nlohmann::json(*p.tag) : nlohmann::json(nullptr);
        ports.push_back(j);
    }
    return {{"bridge", o.bridge},   {"datapath_type", o.datapath_type}, {"other_config", o.other_config},
            {"ports", ports},       {"meters", o.meters},               {"flows", o.flows}};
}

std::string title_of(plan::Phase p) {
    switch (p) {
        case plan::Phase::Nic: return "NICs";
        case plan::Phase::Workload: return "Workloads";
        case plan::Phase::Ovs: return "Open vSwitch";
        case plan::Phase::Flows: return "OpenFlow policy";
        case plan::Phase::HardwareRules: return "Hardware rules";
    }
    return "";
}

void print_steps(const plan::Plan& p, std::ostream& out) {
    std::optional<plan::Phase> current;
    for (const auto& s : p.steps) {
        if (!current || *current != s.phase) {
            current = s.phase;
            out << "\n" << title_of(s.phase) << "\n";
        }
        out << "  " << pad(s.subject, 22) << s.description << "\n";
        if (!s.command.empty()) out << "  " << std::string(22, ' ') << "$ " << s.command << "\n";
        if (s.phase == plan::Phase::Flows) {
            for (const auto& f : p.ovs.flows) out << "  " << std::string(22, ' ') << "  " << f << "\n";
        }
    }
}

std::string verdict_cell(const plan::RulePlan& r, offload::Backend b) {
    for (const auto& v : r.verdicts) {
        if (v.backend == b) return v.offloadable ? "yes" : "no";
    }
    return "-";
}

void print_verdicts(const plan::Plan& p, std::ostream& out) {
    out << "\nOffload verdicts\n";
    out << "  " << pad("RULE", 20) << pad("PLACEMENT", 13) << pad("NIC", 8) << pad("TC-FLOWER", 11)
        << pad("RTE_FLOW", 10) << "ATTACH\n";
    for (const auto& r : p.rules) {
        out << "  " << pad(r.name, 20) << pad(std::string(to_string(r.placement)), 13)
            << pad(r.nic.empty() ? "-" : r.nic, 8) << pad(verdict_cell(r, offload::Backend::TcFlower), 11)
            << pad(verdict_cell(r, offload::Backend::RteFlow), 10) << (r.attach_port.empty() ? "-" : r.attach_port)
            << "\n";
        out << "      " << r.canonical << "\n";
        for (const auto& reason : r.reasons) out << "      - " << describe(reason) << "\n";
        // Backends other than the chosen one: their own reasons, so an operator can compare.
        for (const auto& v : r.verdicts) {
            if (v.offloadable || v.reasons == r.reasons) continue;
            for (const auto& reason : v.reasons) {
                out << "      - [" << to_string(v.backend) << "] " << describe(reason) << "\n";
            }
        }
    }
}

void print_summary(const plan::Plan& p, std::ostream& out) {
    out << "\nSummary\n  " << p.summary.rules << " rules:";
    bool first = true;
    for (auto pl : {offload::Placement::Hardware, offload::Placement::TcSoftware, offload::Placement::Ovs}) {
        auto it = p.summary.by_placement.find(pl);
        out << (first ? " " : ", ") << (it == p.summary.by_placement.end() ? 0 : it->second) << " " << to_string(pl);
        first = false;
    }
    out << "\n";
}

}  // namespace

nlohmann::json to_json(const offload::Reason& r) {
    return {{"code", to_string(r.code)}, {"subject", r.subject}, {"detail", r.detail}};
}

nlohmann::json to_json(const plan::Plan& p) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : p.steps) {
        steps.push_back({{"phase", plan::to_string(s.phase)},
                         {"subject", s.subject},
                         {"description", s.description},
                         {"command", s.command}});
    }
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : p.rules) rules.push_back(to_json(r));
    nlohmann::json by_placement = nlohmann::json::object();
    for (auto pl : {offload::Placement::Hardware, offload::Placement::TcSoftware, offload::Placement::Ovs}) {
        auto it = p.summary.by_placement.find(pl);
        by_placement[std::string(to_string(pl))] = it == p.summary.by_placement.end() ? 0 : it->second;
    }
    return {{"file", p.file},
            {"steps", steps},
            {"ovs", to_json(p.ovs)},
            {"rules", rules},
            {"summary", {{"rules", p.summary.rules}, {"by_placement", by_placement}}}};
}

nlohmann::json to_json(const Diagnostics& d) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& x : d.all()) {
        items.push_back({{"severity", to_string(x.severity)},
                         {"file", x.location.file},
                         {"line", x.location.line},
                         {"column", x.location.column},
                         {"path", x.path},
                         {"message", x.message}});
    }
    return {{"valid", !d.has_errors()},
            {"errors", d.error_count()},
            {"warnings", d.warning_count()},
            {"not_shown", d.dropped()},
            {"diagnostics", items}};
}

nlohmann::json to_json(const offload::NicProfile& p) {
    nlohmann::json backends = nlohmann::json::object();
    auto opt = [](const std::optional<uint32_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json("unknown"); };
    for (const auto& [b, caps] : p.backends) {
        nlohmann::json match = nlohmann::json::object();
        for (const auto& [f, m] : caps.match) match[std::string(to_string(f))] = to_string(m);
        nlohmann::json actions = nlohmann::json::array();
        for (auto a : caps.actions) actions.push_back(to_string(a));
        nlohmann::json set_fields = nlohmann::json::array();
        for (auto f : caps.set_fields) set_fields.push_back(to_string(f));
        nlohmann::json tunnels = nlohmann::json::array();
        for (auto t : caps.tunnels) tunnels.push_back(to_string(t));
        backends[std::string(to_string(b))] = {{"match", match},
                                               {"actions", actions},
                                               {"set_fields", set_fields},
                                               {"tunnels", tunnels},
                                               {"conntrack", caps.conntrack},
                                               {"skip_sw", caps.skip_sw},
                                               {"max_rules", opt(caps.max_rules)},
                                               {"max_actions", opt(caps.max_actions)},
                                               {"max_tables", opt(caps.max_tables)}};
    }
    nlohmann::json quirks = nlohmann::json::array();
    for (const auto& q : p.quirks) {
        nlohmann::json when_match = nlohmann::json::array(), when_actions = nlohmann::json::array();
        for (auto f : q.when_match) when_match.push_back(to_string(f));
        for (auto a : q.when_actions) when_actions.push_back(to_string(a));
        nlohmann::json when_bits = nlohmann::json::object();
        for (const auto& [fl, bits] : q.when_bits_set) when_bits[std::string(to_string(fl))] = bits;
        quirks.push_back({{"id", q.id},
                          {"description", q.description},
                          {"backend", q.backend ? nlohmann::json(to_string(*q.backend)) : nlohmann::json(nullptr)},
                          {"when_match", when_match},
                          {"when_actions", when_actions},
                          {"when_bits_set", when_bits},
                          {"blocks_offload", q.blocks_offload}});
    }
    nlohmann::json modes = nlohmann::json::array();
    for (auto m : p.eswitch_modes) modes.push_back(to_string(m));
    return {{"name", p.name},       {"vendor", p.vendor},   {"model", p.model},
            {"drivers", p.drivers}, {"arch", p.arch},       {"max_vfs", opt(p.max_vfs)},
            {"eswitch_modes", modes}, {"mode_change", to_string(p.mode_change)},
            {"backends", backends}, {"quirks", quirks},     {"sources", p.sources},
            {"notes", p.notes},     {"origin", p.origin}};
}

void print_plan(const plan::Plan& p, OutputFormat f, std::ostream& out) {
    if (f == OutputFormat::Json) {
        out << json_text(to_json(p)) << "\n";
        return;
    }
    out << "Plan for " << p.file << "\n";
    print_steps(p, out);
    print_verdicts(p, out);
    print_summary(p, out);
}

void print_diagnostics(const Diagnostics& d, OutputFormat f, std::ostream& out) {
    if (f == OutputFormat::Json) {
        out << json_text(to_json(d)) << "\n";
        return;
    }
    for (const auto& x : d.all()) out << format(x) << "\n";
    if (d.dropped()) {
        out << "... and " << d.dropped() << " more not shown (the first " << Diagnostics::kMaxKept
            << " are above; fix them and run again)\n";
    }
}

void print_profile_list(const ProfileMap& profiles, OutputFormat f, std::ostream& out) {
    if (f == OutputFormat::Json) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& [name, p] : profiles) all.push_back(to_json(p));
        out << json_text(all) << "\n";
        return;
    }
    out << pad("NAME", 16) << pad("VENDOR", 16) << pad("MODEL", 28) << pad("MAX_VFS", 9) << "BACKENDS\n";
    for (const auto& [name, p] : profiles) {
        std::string backends;
        for (const auto& [b, caps] : p.backends) backends += (backends.empty() ? "" : ",") + std::string(to_string(b));
        out << pad(name, 16) << pad(p.vendor, 16) << pad(p.model, 28)
            << pad(p.max_vfs ? std::to_string(*p.max_vfs) : "unknown", 9) << backends << "\n";
    }
}

void print_profile(const offload::NicProfile& p, OutputFormat f, std::ostream& out) {
    if (f == OutputFormat::Json) {
        out << json_text(to_json(p)) << "\n";
        return;
    }
    out << p.name << ": " << p.vendor << " " << p.model << "\n";
    out << "  origin:        " << p.origin << "\n";
    std::string drivers;
    for (const auto& d : p.drivers) drivers += (drivers.empty() ? "" : ", ") + d;
    out << "  drivers:       " << (drivers.empty() ? "-" : drivers) << "\n";
    if (!p.arch.empty()) out << "  arch:          " << p.arch << "\n";
    out << "  max VFs:       " << (p.max_vfs ? std::to_string(*p.max_vfs) : "unknown (no public figure)") << "\n";
    std::string modes;
    for (auto m : p.eswitch_modes) modes += (modes.empty() ? "" : ", ") + std::string(to_string(m));
    out << "  eswitch modes: " << modes << " (mode change: " << to_string(p.mode_change) << ")\n";
    for (const auto& [b, caps] : p.backends) {
        out << "\n  " << to_string(b) << "\n";
        std::string match;
        for (const auto& [fl, m] : caps.match) {
            match += (match.empty() ? "" : ", ") + std::string(to_string(fl));
            if (m != offload::MaskSupport::Exact) match += "/" + std::string(to_string(m));
        }
        std::string actions;
        for (auto a : caps.actions) actions += (actions.empty() ? "" : ", ") + std::string(to_string(a));
        std::string set_fields;
        for (auto fl : caps.set_fields) set_fields += (set_fields.empty() ? "" : ", ") + std::string(to_string(fl));
        std::string tunnels;
        for (auto t : caps.tunnels) tunnels += (tunnels.empty() ? "" : ", ") + std::string(to_string(t));
        auto opt = [](const std::optional<uint32_t>& v) { return v ? std::to_string(*v) : std::string("unknown"); };
        out << "    match:       " << (match.empty() ? "-" : match) << "\n";
        out << "    actions:     " << (actions.empty() ? "-" : actions) << "\n";
        out << "    set_field:   " << (set_fields.empty() ? "-" : set_fields) << "\n";
        out << "    tunnels:     " << (tunnels.empty() ? "-" : tunnels) << "\n";
        out << "    conntrack:   " << yes_no(caps.conntrack) << "   skip_sw: " << yes_no(caps.skip_sw) << "\n";
        out << "    max rules:   " << opt(caps.max_rules) << "   max actions: " << opt(caps.max_actions)
            << "   max tables: " << opt(caps.max_tables) << "\n";
    }
    if (!p.quirks.empty()) {
        out << "\n  quirks\n";
        for (const auto& q : p.quirks) {
            out << "    " << q.id << (q.blocks_offload ? "" : " (informational)") << ": " << q.description << "\n";
        }
    }
    if (!p.sources.empty()) {
        out << "\n  sources\n";
        for (const auto& [k, v] : p.sources) out << "    " << k << ": " << v << "\n";
    }
    if (!p.notes.empty()) out << "\n  notes: " << p.notes << "\n";
}

}  // namespace snoc
