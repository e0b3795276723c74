// The apply report for people and for scripts, from one walk over it.
#include <nlohmann/json.hpp>

#include <map>
#include <ostream>

#include "controller/apply/applier.h"
#include "controller/output_format.h"

namespace snoc::apply {
namespace {

using offload::Placement;

nlohmann::json section_json(const Section& s) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : s.changes) changes.push_back({{"description", c.description}, {"command", c.command}});
    return {{"phase", to_string(s.phase)},
            {"subject", s.subject},
            {"ok", s.status.ok()},
            {"skipped", s.skipped},
            {"error", s.status.ok() ? nlohmann::json(nullptr) : nlohmann::json(s.status.reason)},
            {"changes", changes},
            {"notes", s.notes},
            {"assumptions", s.assumptions}};
}

void section_text(const Section& s, bool dry_run, std::ostream& out) {
    out << s.subject << "\n";
    // What the steps below take for granted comes first.
    for (const auto& a : s.assumptions) out << "  note:  " << a << "\n";
    for (const auto& c : s.changes) {
        out << "  " << (dry_run ? "would: " : "done:  ") << c.description << "\n";
        if (!c.command.empty()) out << "      $ " << c.command << "\n";
    }
    if (s.changes.empty() && s.status.ok()) out << "  nothing to change\n";
    for (const auto& n : s.notes) out << "  note:  " << n << "\n";
    if (s.skipped) out << "  SKIPPED: " << s.status.reason << "\n";
    else if (!s.status.ok()) out << "  FAILED: " << s.status.reason << "\n";
}

}  // namespace

void print_apply_report(const ApplyReport& r, bool json, std::ostream& out) {
    std::map<Placement, size_t> by_placement;
    for (const auto& rule : r.rules) ++by_placement[rule.placement];
    if (json) {
        nlohmann::json sections = nlohmann::json::array();
        for (const auto& s : r.sections) sections.push_back(section_json(s));
        nlohmann::json rules = nlohmann::json::array();
        for (const auto& rule : r.rules) {
            // Reasons as one line each ("code subject: detail"); /status keeps them as objects.
            nlohmann::json reasons = nlohmann::json::array();
            for (const auto& why : rule.reasons) reasons.push_back(offload::describe(why));
            rules.push_back({{"rule", rule.name},
                             {"cookie", rule.cookie},
                             {"placement", to_string(rule.placement)},
                             {"port", rule.port},
                             {"reasons", reasons},
                             {"command", rule.command}});
        }
        nlohmann::json summary = nlohmann::json::object();
        for (const auto& [p, n] : by_placement) summary[std::string(to_string(p))] = n;
        out << json_text(nlohmann::json{{"file", r.file},
                                        {"dry_run", r.dry_run},
                                        {"ok", r.ok()},
                                        {"changes", r.change_count()},
                                        {"restart_pending", r.restart_pending},
                                        {"assumed", r.assumed},
                                        {"sections", sections},
                                        {"rules", rules},
                                        {"placements", summary}})
            << "\n";
        return;
    }
    for (const auto& s : r.sections) section_text(s, r.dry_run, out);
    if (!r.rules.empty()) {
        out << (r.dry_run ? "policy rules, as planned:" : "policy rules:");
        for (const auto& [p, n] : by_placement) out << " " << n << " " << to_string(p);
        out << "\n";
        for (const auto& rule : r.rules) {
            if (rule.placement != Placement::Failed && rule.placement != Placement::TcSoftware) continue;
            out << "  " << rule.name << ": " << to_string(rule.placement);
            for (const auto& why : rule.reasons) out << "\n      " << offload::describe(why);
            out << "\n";
        }
    }
    out << (r.dry_run ? "dry run: " : "") << r.change_count()
        << (r.dry_run ? " changes would be made" : " changes made");
    for (size_t i = 0; i < r.assumed.size(); ++i) {
        out << (i == 0 ? ", assuming " : i + 1 == r.assumed.size() ? " and " : ", ") << r.assumed[i];
    }
    if (!r.assumed.empty()) out << " (see the notes above)";
    out << (r.ok() ? "" : "; apply did not finish (see FAILED above); run it again once fixed") << "\n";
}

}  // namespace snoc::apply
