#include "ovs-integration/flow_diff.h"

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "flow/policy_syntax.h"

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


}  // namespace

std::string flow_key(const flow::Flow& f) {
    return std::to_string(f.table) + "/" + std::to_string(f.priority) + "/" + flow::format_match(f.match);
}

bool actions_only_change(const flow::Flow& want, const flow::Flow& have) {
    return want.cookie == have.cookie && want.idle_timeout == have.idle_timeout &&
           want.hard_timeout == have.hard_timeout;
}

size_t FlowIdentityHash::operator()(const flow::Flow* f) const {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    auto mix = [&h](const void* data, size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    mix(&f->table, sizeof f->table);
    mix(&f->priority, sizeof f->priority);
    if (f->match.in_port) mix(f->match.in_port->data(), f->match.in_port->size());
    // Not match.present(): it allocates, and this runs for every flow.
    for (const flow::FieldInfo& info : flow::all_fields()) {
        const auto& m = f->match.find(info.id);
        if (!m) continue;
        mix(&info.id, sizeof info.id);
        mix(m->value.data(), info.bytes);
        mix(m->mask.data(), info.bytes);
    }
    return static_cast<size_t>(h);
}

namespace {

using IdentityMap = std::unordered_map<const flow::Flow*, const flow::Flow*, FlowIdentityHash, FlowIdentityEqual>;
using IdentitySet = std::unordered_set<const flow::Flow*, FlowIdentityHash, FlowIdentityEqual>;

}  // namespace

Status diff_flows(const std::vector<flow::Flow>& desired, const std::vector<flow::Flow>& current, FlowMods& out) {
    out = FlowMods{};
    IdentityMap want;
    want.reserve(desired.size());
    for (const flow::Flow& f : desired) {
        if (!f.cookie) {
            return Status::failure(EINVAL, "desired flow " + flow::format_flow(f) +
                                               " has no cookie; snoc marks every flow it installs with its cookie");
        }
        if (!want.emplace(&f, &f).second) {
            return Status::failure(EINVAL, "two desired flows have the same table, priority and match (" +
                                               flow_key(f) + "); OpenFlow would keep only one");
        }
    }
    IdentitySet seen;
    seen.reserve(current.size());
    std::vector<FlowMod> modifies, adds;
    for (const flow::Flow& f : current) {
        seen.insert(&f);
        const auto it = want.find(&f);
        if (it == want.end()) {
            out.mods.push_back({FlowMod::Kind::Delete, f});
            ++out.deleted;
            continue;
        }
        const flow::Flow& w = *it->second;
        if (w == f) {
            ++out.unchanged;
        } else if (actions_only_change(w, f)) {
            modifies.push_back({FlowMod::Kind::Modify, w});  // keeps the flow's counters
            ++out.modified;
        } else {
            adds.push_back({FlowMod::Kind::Add, w});  // an add with the same key replaces the flow
            ++out.modified;
        }
    }
    for (const flow::Flow& f : desired) {
        if (seen.count(&f) != 0) continue;
        adds.push_back({FlowMod::Kind::Add, f});
        ++out.added;
    }
    for (auto& m : modifies) out.mods.push_back(std::move(m));
    for (auto& m : adds) out.mods.push_back(std::move(m));
    return Status::success();
}

FlowDrift drift_of(const std::vector<flow::Flow>& desired, const std::vector<flow::Flow>& current) {
    FlowDrift drift;
    IdentityMap have;
    have.reserve(current.size());
    for (const flow::Flow& f : current) have.emplace(&f, &f);
    IdentitySet wanted;
    wanted.reserve(desired.size());
    for (const flow::Flow& f : desired) {
        wanted.insert(&f);
        const auto it = have.find(&f);
        if (it == have.end()) {
            drift.missing.push_back(f);
        } else if (!(*it->second == f)) {
            drift.changed.emplace_back(f, *it->second);
        }
    }
    for (const flow::Flow& f : current) {
        if (wanted.count(&f) == 0) drift.unexpected.push_back(f);
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
