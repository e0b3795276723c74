#include "ovs-integration/flow_record.h"

#include <cerrno>
#include <deque>
#include <unordered_set>

#include "flow/policy_syntax.h"
#include "ovs-integration/ofctl_dump.h"

namespace snoc::ovs {
namespace {

using offload::Status;

bool names_bridge(const flow::Flow& f, const std::string& bridge) {
    if (f.match.in_port && *f.match.in_port == bridge) return true;
    for (const flow::Action& a : f.actions) {
        if (const auto* o = std::get_if<flow::Output>(&a); o != nullptr && o->port == bridge) return true;
    }
    return false;
}

}  // namespace

void FlowRecord::assign(const std::vector<flow::Flow>& flows) {
    entries_.clear();
    index_.clear();
    index_.reserve(flows.size());
    for (const flow::Flow& f : flows) {
        auto it = entries_.insert(entries_.end(), Entry{f, 0});
        auto [slot, fresh] = index_.try_emplace(&it->flow, it);
        if (!fresh) {  // a later flow of the same identity replaces the earlier one
            entries_.erase(slot->second);
            index_.erase(slot);
            index_.emplace(&it->flow, it);
        }
    }
}

void FlowRecord::apply(const std::vector<FlowMod>& mods) {
    for (const FlowMod& m : mods) {
        const auto found = index_.find(&m.flow);
        if (found != index_.end()) {
            const auto entry = found->second;
            index_.erase(found);
            entries_.erase(entry);
        }
        if (m.kind == FlowMod::Kind::Delete) continue;
        auto it = entries_.insert(entries_.end(), Entry{m.flow, 0});
        index_.emplace(&it->flow, it);
    }
}

Status FlowRecord::diff(const std::vector<flow::Flow>& desired, const std::string& bridge, FlowMods& out) const {
    out = FlowMods{};
    const uint64_t diff_id = ++diffs_;
    std::deque<flow::Flow> canonical_copies;  // only flows that name the bridge
    // Identities of desired flows the record lacks (usually few): duplicates among them.
    std::unordered_set<const flow::Flow*, FlowIdentityHash, FlowIdentityEqual> new_identities;
    std::vector<FlowMod> modifies, adds;
    size_t matched = 0;
    auto duplicate = [](const flow::Flow& f) {
        return Status::failure(EINVAL, "two desired flows have the same table, priority and match (" + flow_key(f) +
                                           "); OpenFlow would keep only one");
    };
    for (const flow::Flow& original : desired) {
        const flow::Flow* f = &original;
        if (names_bridge(original, bridge)) f = &canonical_copies.emplace_back(canonical_ports(original, bridge));
        if (!f->cookie) {
            return Status::failure(EINVAL, "desired flow " + flow::format_flow(*f) +
                                               " has no cookie; snoc marks every flow it installs with its cookie");
        }
        const auto it = index_.find(f);
        if (it == index_.end()) {
            if (!new_identities.insert(f).second) return duplicate(*f);
            adds.push_back({FlowMod::Kind::Add, *f});
            ++out.added;
            continue;
        }
        if (it->second->matched_in == diff_id) return duplicate(*f);
        it->second->matched_in = diff_id;
        ++matched;
        const flow::Flow& have = it->second->flow;
        if (have == *f) {
            ++out.unchanged;
        } else if (actions_only_change(*f, have)) {
            modifies.push_back({FlowMod::Kind::Modify, *f});
            ++out.modified;
        } else {
            adds.push_back({FlowMod::Kind::Add, *f});
            ++out.modified;
        }
    }
    // Every desired identity is distinct, so when each recorded flow was
    // matched there is nothing to delete and the scan can be skipped.
    if (matched != index_.size()) {
        for (const Entry& e : entries_) {
            if (e.matched_in != diff_id) {
                out.mods.push_back({FlowMod::Kind::Delete, e.flow});
                ++out.deleted;
            }
        }
    }
    for (auto& m : modifies) out.mods.push_back(std::move(m));
    for (auto& m : adds) out.mods.push_back(std::move(m));
    return Status::success();
}

}  // namespace snoc::ovs
