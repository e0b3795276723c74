#include "offload/tc/tc_backend.h"

#include "offload/tc/tc_command.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace snoc::offload::tc {

TcRule to_tc_rule(const HwRule& rule) {
    TcRule t;
    t.dev = rule.port;
    t.chain = rule.table;
    t.prio = prio_for(rule.priority);
    t.handle = handle_for(rule.cookie);
    t.cookie = rule.cookie;
    t.skip = rule.residency == Residency::HardwareOnly   ? SkipPolicy::SkipSw
             : rule.residency == Residency::SoftwareOnly ? SkipPolicy::SkipHw
                                                         : SkipPolicy::None;
    t.flow = rule.flow;
    // The filter sits on the in_port's device, which is its in_port: the
    // kernel keeps no such key, so a read-back rule has none, and a desired
    // rule with one would never compare equal (and be replaced every sync).
    t.flow.match.in_port.reset();
    t.flow.table = static_cast<uint8_t>(rule.table);
    t.flow.priority = rule.priority;
    return t;
}

void assign_unique_handles(std::vector<TcRule>& rules) {
    using Group = std::tuple<std::string, uint32_t, uint16_t>;
    std::map<Group, std::vector<TcRule*>> groups;
    for (TcRule& r : rules) groups[{r.dev, r.chain, r.prio}].push_back(&r);
    for (auto& [group, members] : groups) {
        std::map<uint32_t, size_t> per_handle;
        for (const TcRule* r : members) ++per_handle[r->handle];
        if (std::all_of(per_handle.begin(), per_handle.end(), [](const auto& h) { return h.second == 1; })) continue;
        std::sort(members.begin(), members.end(), [](const TcRule* a, const TcRule* b) { return a->cookie < b->cookie; });
        std::set<uint32_t> used;
        std::vector<TcRule*> moved;
        for (TcRule* r : members) {
            if (!used.insert(r->handle).second) moved.push_back(r);
        }
        for (TcRule* r : moved) {
            uint32_t h = r->handle;
            do {
                ++h;
            } while (h == 0 || per_handle.count(h) != 0 || used.count(h) != 0);
            r->handle = h;
            used.insert(h);
        }
    }
}

HwRuleState from_tc_state(const TcRuleState& s) {
    HwRuleState h;
    h.rule.cookie = s.rule.cookie;
    h.rule.port = s.rule.dev;
    h.rule.table = s.rule.chain;
    h.rule.priority = openflow_priority_of(s.rule.prio);
    h.rule.flow = s.rule.flow;
    h.rule.residency = s.rule.skip == SkipPolicy::SkipSw   ? Residency::HardwareOnly
                       : s.rule.skip == SkipPolicy::SkipHw ? Residency::SoftwareOnly
                                                           : Residency::Any;
    h.placement = s.in_hw ? Placement::Hardware : Placement::TcSoftware;
    h.packets = s.total.packets;
    h.bytes = s.total.bytes;
    h.hw_packets = s.hw.packets;
    h.hw_bytes = s.hw.bytes;
    h.idle_ms = s.last_used_ms;
    return h;
}

Status TcBackend::open(std::unique_ptr<TcBackend>& out, std::map<uint32_t, MeterRate> meters) {
    auto b = std::unique_ptr<TcBackend>(new TcBackend());
    if (auto s = TcEngine::open(b->engine_); !s.ok()) return s;
    b->engine_->context().meters = std::move(meters);
    out = std::move(b);
    return Status::success();
}

HwSyncReport TcBackend::sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) {
    std::vector<TcRule> rules;
    rules.reserve(desired.size());
    for (const HwRule& r : desired) rules.push_back(to_tc_rule(r));
    assign_unique_handles(rules);
    const SyncReport tc = engine_->sync(rules, ports);
    HwSyncReport out;
    out.added = tc.added;
    out.replaced = tc.replaced;
    out.deleted = tc.deleted;
    out.unchanged = tc.unchanged;
    for (const auto& [rule, status] : tc.failures) {
        HwRule h;
        h.cookie = rule.cookie;
        h.port = rule.dev;
        h.table = rule.chain;
        h.priority = rule.flow.priority;
        h.flow = rule.flow;
        out.failures.emplace_back(std::move(h), status);
    }
    out.warnings = tc.warnings;
    return out;
}

Status TcBackend::read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) {
    out.clear();
    for (const std::string& port : ports) {
        std::vector<TcRuleState> states;
        if (auto s = engine_->dump(port, true, states); !s.ok()) {
            return Status::failure(s.error, "reading tc rules on " + port + ": " + s.reason);
        }
        for (const auto& st : states) out.push_back(from_tc_state(st));
    }
    return Status::success();
}

std::string TcBackend::render(const HwRule& rule) const { return tc_command(to_tc_rule(rule), engine_->context()); }

}  // namespace snoc::offload::tc
