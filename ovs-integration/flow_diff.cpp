#include "ovs-integration/flow_diff.h"

#include <cerrno>
#include <cstdio>
#include <map>
#include <set>

#include "offload/policy_syntax.h"

namespace snoc::ovs {
namespace {

using offload::Status;

std::string hex_cookie(uint64_t cookie) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(cookie));
    return buf;
}

// "table=T,priority=P,cookie=C/-1[,match]": the strict identity of a flow,
// restricted to the cookie snoc gave it.
std::string strict_selector(const flow::Flow& f) {
    std::string out = "table=" + std::to_string(f.table) + ",priority=" + std::to_string(f.priority) +
                      ",cookie=" + hex_cookie(f.cookie.value_or(0)) + "/-1";
    const std::string match = flow::format_match(f.match);
    if (!match.empty()) out += "," + match;
    return out;
}

bool same_except_actions(const flow::Flow& a, const flow::Flow& b) {
    return a.cookie == b.cookie && a.idle_timeout == b.idle_timeout && a.hard_timeout == b.hard_timeout;
}

}  // namespace

std::string flow_key(const flow::Flow& f) {
    return std::to_string(f.table) + "/" + std::to_string(f.priority) + "/" + flow::format_match(f.match);
}

Status diff_flows(const std::vector<flow::Flow>& desired, const std::vector<flow::Flow>& current, FlowMods& out) {
    out = FlowMods{};
    std::map<std::string, const flow::Flow*> want;
    for (const flow::Flow& f : desired) {
        if (!f.cookie) {
            return Status::failure(EINVAL, "desired flow " + flow::format_flow(f) +
                                               " has no cookie; snoc marks every flow it installs with its cookie");
        }
        if (!want.emplace(flow_key(f), &f).second) {
            return Status::failure(EINVAL, "two desired flows have the same table, priority and match (" +
                                               flow_key(f) + "); OpenFlow would keep only one");
        }
    }
    std::set<std::string> seen;
    std::vector<FlowMod> modifies, adds;
    for (const flow::Flow& f : current) {
        const std::string key = flow_key(f);
        seen.insert(key);
        const auto it = want.find(key);
        if (it == want.end()) {
            out.mods.push_back({FlowMod::Kind::Delete, f});
            ++out.deleted;
            continue;
        }
        const flow::Flow& w = *it->second;
        if (w == f) {
            ++out.unchanged;
        } else if (same_except_actions(w, f)) {
            modifies.push_back({FlowMod::Kind::Modify, w});  // keeps the flow's counters
            ++out.modified;
        } else {
            adds.push_back({FlowMod::Kind::Add, w});  // an add with the same key replaces the flow
            ++out.modified;
        }
    }
    for (const flow::Flow& f : desired) {
        if (seen.count(flow_key(f)) != 0) continue;
        adds.push_back({FlowMod::Kind::Add, f});
        ++out.added;
    }
    for (auto& m : modifies) out.mods.push_back(std::move(m));
    for (auto& m : adds) out.mods.push_back(std::move(m));
    return Status::success();
}

FlowDrift drift_of(const std::vector<flow::Flow>& desired, const std::vector<flow::Flow>& current) {
    FlowDrift drift;
    std::map<std::string, const flow::Flow*> have;
    for (const flow::Flow& f : current) have.emplace(flow_key(f), &f);
    std::set<std::string> wanted;
    for (const flow::Flow& f : desired) {
        const std::string key = flow_key(f);
        wanted.insert(key);
        const auto it = have.find(key);
        if (it == have.end()) {
            drift.missing.push_back(f);
        } else if (!(*it->second == f)) {
            drift.changed.emplace_back(f, *it->second);
        }
    }
    for (const flow::Flow& f : current) {
        if (wanted.count(flow_key(f)) == 0) drift.unexpected.push_back(f);
    }
    return drift;
}

std::string bundle_line(const FlowMod& mod) {
    switch (mod.kind) {
        case FlowMod::Kind::Add:
            return "add " + flow::format_flow(mod.flow);
        case FlowMod::Kind::Modify:
            return "modify_strict " + strict_selector(mod.flow) + " actions=" + flow::format_actions(mod.flow.actions);
        case FlowMod::Kind::Delete:
            return "delete_strict " + strict_selector(mod.flow);
    }
    return "";
}

}  // namespace snoc::ovs
