#include "offload/emulated/emulated_backend.h"

#include <time.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace snoc::offload::emulated {

namespace {

uint64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

bool EmulatedBackend::same_entry(const HwRule& a, const HwRule& b) const {
    EswEntry x, y;
    if (!translate(a, ports_, x).ok() || !translate(b, ports_, y).ok()) return false;
    // Entries are built from zero-initialised structs, so padding compares equal too.
    return x.cookie == y.cookie && x.priority == y.priority && std::memcmp(&x.key, &y.key, sizeof x.key) == 0 &&
           std::memcmp(&x.mask, &y.mask, sizeof x.mask) == 0 && std::memcmp(&x.action, &y.action, sizeof x.action) == 0;
}

Status EmulatedBackend::install(const HwRule& rule) {
    EswEntry entry;
    if (auto s = translate(rule, ports_, entry); !s.ok()) return s;
    if (auto s = table_.insert(entry); !s.ok()) return s;
    rules_[rule.cookie] = rule;
    return Status::success();
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
    // Deletes first: they free table entries and masks the additions may need.
    std::vector<uint64_t> stale;
    for (const auto& [cookie, rule] : rules_) {
        if (scope.count(rule.port) && !wanted.count(cookie)) stale.push_back(cookie);
    }
    for (uint64_t cookie : stale) {
        if (auto s = table_.remove(cookie); !s.ok()) {
            report.failures.emplace_back(rules_.at(cookie), s);
            continue;
        }
        rules_.erase(cookie);
        report.deleted++;
    }
    for (const auto& [cookie, rule] : wanted) {
        auto have = rules_.find(cookie);
        if (have != rules_.end() && have->second == *rule) {
            report.unchanged++;
            continue;
        }
        const bool replacing = have != rules_.end();
        if (replacing && same_entry(*rule, have->second)) {
            // Differs only in what the eSwitch ignores (residency): keep the
            // entry and its counters.
            have->second = *rule;
            report.unchanged++;
            continue;
        }
        if (replacing) {
            // Between the removal and the insert the flow's packets miss to
            // OVS, which holds the same flow: slower for a moment, never wrong.
            if (auto s = table_.remove(cookie); !s.ok()) {
                report.failures.emplace_back(*rule, s);
                continue;
            }
            rules_.erase(have);
        }
        if (auto s = install(*rule); !s.ok()) {
            report.failures.emplace_back(*rule, s);
            continue;
        }
        if (replacing) {
            report.replaced++;
        } else {
            report.added++;
        }
    }
    return report;
}

Status EmulatedBackend::read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) {
    out.clear();
    for (const std::string& port : ports) {
        if (!ports_.count(port)) return Status::failure(ENODEV, "emulated eSwitch has no port " + port);
    }
    const std::set<std::string> scope(ports.begin(), ports.end());
    const uint64_t now = monotonic_ns();
    for (const auto& [cookie, rule] : rules_) {
        if (!scope.count(rule.port)) continue;
        EswCounters c;
        if (auto s = table_.counters(cookie, c); !s.ok()) {
            return Status::failure(s.error, "reading counters of rule " + std::to_string(cookie) + ": " + s.reason);
        }
        HwRuleState st;
        st.rule = rule;
        st.placement = Placement::Hardware;
        st.packets = st.hw_packets = c.packets;
        st.bytes = st.hw_bytes = c.bytes;
        if (c.last_used_ns != 0) st.idle_ms = (now > c.last_used_ns ? now - c.last_used_ns : 0) / 1000000;
        out.push_back(std::move(st));
    }
    return Status::success();
}

}  // namespace snoc::offload::emulated
