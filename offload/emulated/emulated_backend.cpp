#include "offload/emulated/emulated_backend.h"

#include <time.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace snoc::offload::emulated {

namespace {

uint64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

EmulatedBackend::EmulatedBackend(EswTable& table, EswPortMap ports) : table_(table), ports_(std::move(ports)) {
    // Names by ifindex, for adopted entries (they carry only in_ifindex).
    // Should two names share an ifindex, the first in name order speaks for it.
    for (const auto& [name, ifindex] : ports_) names_.emplace(ifindex, name);
}

bool EmulatedBackend::same_entry(const EswEntry& wanted, const EswEntry& installed) {
    // Entries are built from zero-initialised structs, so padding compares equal too.
    const esw_rule& a = wanted.action;
    const esw_rule& b = installed.action;
    return wanted.priority == installed.priority && std::memcmp(&wanted.key, &installed.key, sizeof wanted.key) == 0 &&
           std::memcmp(&wanted.mask, &installed.mask, sizeof wanted.mask) == 0 && a.action == b.action &&
           a.out_ifindex == b.out_ifindex && a.vlan_op == b.vlan_op && a.vlan_proto == b.vlan_proto &&
           a.vlan_tci == b.vlan_tci && a.vlan_tci_mask == b.vlan_tci_mask;
}

std::string EmulatedBackend::port_of(uint64_t cookie, const EswEntry& entry) const {
    if (auto it = rules_.find(cookie); it != rules_.end()) return it->second.port;
    auto name = names_.find(entry.key.in_ifindex);
    return name == names_.end() ? std::string() : name->second;
}

HwRule EmulatedBackend::rule_of(uint64_t cookie, const EswEntry& entry) const {
    if (auto it = rules_.find(cookie); it != rules_.end()) return it->second;
    HwRule r;
    r.cookie = cookie;
    r.port = port_of(cookie, entry);
    r.priority = static_cast<uint16_t>(entry.priority);
    r.flow.priority = r.priority;
    r.flow.cookie = cookie;
    return r;
}

void EmulatedBackend::delete_stale(const std::set<std::string>& scope, const std::map<uint64_t, const HwRule*>& wanted,
                                   HwSyncReport& report) {
    std::vector<uint64_t> stale;
    for (uint64_t cookie : table_.cookies()) {
        const EswEntry* e = table_.find(cookie);
        if (!e || wanted.count(cookie)) continue;
        // "": on an ifindex no port has, an orphan (see the header), whatever the scope.
        const std::string port = port_of(cookie, *e);
        if (port.empty() || scope.count(port)) stale.push_back(cookie);
    }
    for (uint64_t cookie : stale) {
        const HwRule gone = rule_of(cookie, *table_.find(cookie));
        if (auto s = table_.remove(cookie); !s.ok()) {
            report.failures.emplace_back(gone, s);
            continue;
        }
        rules_.erase(cookie);
        report.deleted++;
    }
}

void EmulatedBackend::sync_one(const HwRule& rule, HwSyncReport& report) {
    const EswEntry* have = table_.find(rule.cookie);
    auto known = rules_.find(rule.cookie);
    // The port map is fixed, so the same canonical rule is the same entry.
    if (have && known != rules_.end() && known->second == rule) {
        report.unchanged++;
        return;
    }
    EswEntry entry;
    const Status translated = translate(rule, ports_, entry);
    if (have && translated.ok() && same_entry(entry, *have)) {
        // Adopted, or differs only in what the eSwitch ignores (residency):
        // keep the entry and its counters.
        rules_[rule.cookie] = rule;
        report.unchanged++;
        return;
    }
    const bool replacing = have != nullptr;
    if (replacing) {
        // Between the removal and the insert the flow's packets miss to
        // OVS, which holds the same flow: slower for a moment, never wrong.
        if (auto s = table_.remove(rule.cookie); !s.ok()) {
            report.failures.emplace_back(rule, s);
            return;
        }
        rules_.erase(rule.cookie);
    }
    Status s = translated.ok() ? table_.insert(entry) : translated;
    if (!s.ok()) {
        report.failures.emplace_back(rule, s);
        return;
    }
    rules_[rule.cookie] = rule;
    if (replacing) {
        report.replaced++;
    } else {
        report.added++;
    }
}

HwSyncReport EmulatedBackend::sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) {
    HwSyncReport report;
    const std::set<std::string> scope(ports.begin(), ports.end());
    std::map<uint64_t, const HwRule*> wanted;
    for (const HwRule& r : desired) {
        if (!scope.count(r.port)) {
            report.failures.emplace_back(r, Status::failure(EINVAL, "rule's port " + r.port + " is not among the ports being synced"));
        } else if (!wanted.emplace(r.cookie, &r).second) {
            report.failures.emplace_back(r, Status::failure(EEXIST, "cookie " + std::to_string(r.cookie) + " appears twice in the desired rules"));
        }
    }
    // Canonical rules whose entry left the table are no longer known.
    std::erase_if(rules_, [this](const auto& kv) { return table_.find(kv.first) == nullptr; });
    // Deletes first: they free table entries and masks the additions may need.
    delete_stale(scope, wanted, report);
    for (const auto& [cookie, rule] : wanted) sync_one(*rule, report);
    return report;
}

Status EmulatedBackend::read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) {
    out.clear();
    for (const std::string& port : ports) {
        if (!ports_.count(port)) return Status::failure(ENODEV, "emulated eSwitch has no port " + port);
    }
    const std::set<std::string> scope(ports.begin(), ports.end());
    const uint64_t now = monotonic_ns();
    for (uint64_t cookie : table_.cookies()) {
        const EswEntry* e = table_.find(cookie);
        if (!e || !scope.count(port_of(cookie, *e))) continue;
        EswCounters c;
        if (auto s = table_.counters(cookie, c); !s.ok()) {
            return Status::failure(s.error, "reading counters of rule " + std::to_string(cookie) + ": " + s.reason);
        }
        HwRuleState st;
        st.rule = rule_of(cookie, *e);
        st.placement = Placement::Hardware;
        st.packets = st.hw_packets = c.packets;
        st.bytes = st.hw_bytes = c.bytes;
        if (c.last_used_ns != 0) st.idle_ms = (now > c.last_used_ns ? now - c.last_used_ns : 0) / 1000000;
        out.push_back(std::move(st));
    }
    return Status::success();
}

}  // namespace snoc::offload::emulated
