#include "offload/emulated/esw_table.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace snoc::offload::emulated {

static_assert(sizeof(esw_key) == 72 && sizeof(esw_key) % 8 == 0, "esw_key is masked in 64-bit words");
static_assert(sizeof(esw_rule_key) == 80, "layout shared with esw.bpf.c");
static_assert(sizeof(esw_rule) == 32, "layout shared with esw.bpf.c");

namespace {

bool same_key(const esw_key& a, const esw_key& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

EswTable::EswTable(EswMaps& maps, uint32_t capacity) : maps_(maps), capacity_(capacity) { rebuild_free_ids(); }

void EswTable::rebuild_free_ids() {
    std::vector<bool> used(capacity_, false);
    for (const auto& [cookie, rule] : rules_) used[rule.rule_id] = true;
    free_ids_.clear();
    free_ids_.reserve(capacity_);
    // Lowest id last (the next handed out), so ids go out from 0 upwards.
    for (uint32_t id = capacity_; id > 0; --id) {
        if (!used[id - 1]) free_ids_.push_back(id - 1);
    }
}

void EswTable::clear() {
    masks_ = {};
    rules_.clear();
    groups_.clear();
    rebuild_free_ids();
}

void EswTable::adopt_masks(const std::array<esw_mask, ESW_MAX_MASKS>& masks) {
    for (size_t i = 0; i < masks.size(); ++i) {
        if (!masks[i].in_use) continue;
        masks_[i].used = true;
        masks_[i].mask = masks[i].mask;
    }
}

Status EswTable::adopt_rule(const esw_rule_key& key, const esw_rule& value, std::vector<bool>& slots) {
    const std::string name = "adopted rule " + std::to_string(value.cookie);
    if (value.rule_id >= capacity_) {
        return Status::failure(ERANGE, name + " counts into slot " + std::to_string(value.rule_id) + ", beyond the table's " +
                                           std::to_string(capacity_) + " slots");
    }
    if (rules_.count(value.cookie)) return Status::failure(EEXIST, name + ": the cookie is in two map entries");
    if (slots[value.rule_id]) {
        return Status::failure(EEXIST, name + " shares counter slot " + std::to_string(value.rule_id) + " with another rule");
    }
    slots[value.rule_id] = true;
    Rule rule;
    rule.entry.cookie = value.cookie;
    rule.entry.priority = value.priority;
    rule.entry.key = key.key;
    rule.entry.mask = masks_[key.mask_id].mask;
    // As translate() leaves it: the fields the table fills itself are zero.
    rule.entry.action = value;
    rule.entry.action.cookie = 0;
    rule.entry.action.priority = 0;
    rule.entry.action.rule_id = 0;
    rule.mask_id = key.mask_id;
    rule.rule_id = value.rule_id;
    masks_[key.mask_id].refs++;
    groups_[group_key(key)] = {value.cookie};
    rules_.emplace(value.cookie, rule);
    return Status::success();
}

Status EswTable::adopt() {
    clear();
    std::array<esw_mask, ESW_MAX_MASKS> masks{};
    std::vector<std::pair<esw_rule_key, esw_rule>> entries;
    if (auto s = maps_.read_all(masks, entries); !s.ok()) return s;
    adopt_masks(masks);
    std::vector<bool> slots(capacity_, false);
    for (const auto& [key, value] : entries) {
        if (key.mask_id >= ESW_MAX_MASKS || !masks_[key.mask_id].used) {
            // Invisible to packets (its mask is not published) and its mask is
            // unknown: finish the interrupted insert / delete by deleting it.
            if (auto s = maps_.delete_rule(key); !s.ok() && s.error != ENOENT) {
                clear();
                return s;
            }
            continue;
        }
        if (auto s = adopt_rule(key, value, slots); !s.ok()) {
            clear();
            return s;
        }
    }
    for (uint32_t slot = 0; slot < masks_.size(); ++slot) {
        if (!masks_[slot].used || masks_[slot].refs > 0) continue;
        // A published mask with no entry is only search cost: unpublish it.
        masks_[slot] = MaskSlot{};
        if (auto s = maps_.set_mask(slot, esw_mask{}); !s.ok()) {
            clear();
            return s;
        }
    }
    rebuild_free_ids();
    // A process that died while publishing a mask may have left the limit
    // below it: the limit follows the published masks again.
    if (auto s = maps_.set_mask_limit(mask_limit()); !s.ok()) {
        clear();
        return s;
    }
    return Status::success();
}

esw_rule_key EswTable::rule_key(uint32_t mask_id, const esw_key& key) const {
    esw_rule_key k{};
    k.mask_id = mask_id;
    k.key = key;
    return k;
}

EswTable::GroupKey EswTable::group_key(const esw_rule_key& k) {
    return GroupKey(reinterpret_cast<const char*>(&k), sizeof k);
}

esw_rule EswTable::map_value(const Rule& r) const {
    esw_rule v = r.entry.action;
    v.cookie = r.entry.cookie;
    v.priority = r.entry.priority;
    v.rule_id = r.rule_id;
    return v;
}

int EswTable::find_mask(const esw_key& mask) const {
    for (size_t i = 0; i < masks_.size(); ++i) {
        if (masks_[i].used && same_key(masks_[i].mask, mask)) return static_cast<int>(i);
    }
    return -1;
}

int EswTable::free_mask() const {
    for (size_t i = 0; i < masks_.size(); ++i) {
        if (!masks_[i].used) return static_cast<int>(i);
    }
    return -1;
}

uint32_t EswTable::mask_limit() const {
    uint32_t limit = 0;
    for (size_t i = 0; i < masks_.size(); ++i) {
        if (masks_[i].used) limit = static_cast<uint32_t>(i) + 1;
    }
    return limit;
}

size_t EswTable::masks_in_use() const {
    return static_cast<size_t>(std::count_if(masks_.begin(), masks_.end(), [](const MaskSlot& m) { return m.used; }));
}

Status EswTable::publish_mask(uint32_t slot) {
    esw_mask m{};
    m.in_use = 1;
    m.mask = masks_[slot].mask;
    if (auto s = maps_.set_mask(slot, m); !s.ok()) return s;
    // The search stops at the limit: raise it only once the slot is live.
    return maps_.set_mask_limit(mask_limit());
}

Status EswTable::unpublish_mask(uint32_t slot) {
    // Lower the limit first (it is computed without this slot), then clear the slot.
    const MaskSlot saved = masks_[slot];
    masks_[slot].used = false;
    Status s = maps_.set_mask_limit(mask_limit());
    masks_[slot] = saved;
    if (!s.ok()) return s;
    return maps_.set_mask(slot, esw_mask{});
}

Status EswTable::insert(const EswEntry& entry) {
    if (rules_.count(entry.cookie)) {
        return Status::failure(EEXIST, "a rule with cookie " + std::to_string(entry.cookie) + " is already installed");
    }
    if (rules_.size() >= capacity_ || free_ids_.empty()) {
        return Status::failure(E2BIG, "NIC table full: all " + std::to_string(capacity_) + " rules in use");
    }
    int slot = find_mask(entry.mask);
    const bool new_mask = slot < 0;
    if (new_mask) {
        slot = free_mask();
        if (slot < 0) {
            return Status::failure(ENOSPC, "NIC mask table full: the rule needs a new mask and all " +
                                               std::to_string(ESW_MAX_MASKS) + " distinct masks are in use");
        }
    }
    const uint32_t mask_id = static_cast<uint32_t>(slot);
    const esw_rule_key key = rule_key(mask_id, entry.key);
    const GroupKey gk = group_key(key);
    std::vector<uint64_t>& group = groups_[gk];
    for (uint64_t other : group) {
        if (rules_.at(other).entry.priority == entry.priority) {
            return Status::failure(EEXIST, "rule " + std::to_string(other) +
                                               " has the same match and priority " + std::to_string(entry.priority));
        }
    }

    Rule rule{entry, mask_id, free_ids_.back()};
    const bool wins = group.empty() || entry.priority > rules_.at(group.front()).entry.priority;
    if (wins) {
        // A counter slot may hold a deleted rule's hits: zero it before any packet can count into it.
        Status s = maps_.reset_counter(rule.rule_id);
        if (s.ok()) s = maps_.put_rule(key, map_value(rule));
        if (!s.ok()) {
            if (group.empty()) groups_.erase(gk);
            if (s.error == E2BIG) s.reason = "NIC table full: " + s.reason;
            return s;
        }
    } else if (auto s = maps_.reset_counter(rule.rule_id); !s.ok()) {
        if (group.empty()) groups_.erase(gk);
        return s;
    }
    free_ids_.pop_back();
    if (new_mask) {
        masks_[mask_id].used = true;
        masks_[mask_id].mask = entry.mask;
    }
    masks_[mask_id].refs++;
    auto pos = std::find_if(group.begin(), group.end(),
                            [&](uint64_t c) { return rules_.at(c).entry.priority < entry.priority; });
    group.insert(pos, entry.cookie);
    rules_.emplace(entry.cookie, rule);
    // Entry first, mask second: until the mask is published no packet looks under it.
    if (new_mask) return publish_mask(mask_id);
    return Status::success();
}

Status EswTable::remove(uint64_t cookie) {
    auto it = rules_.find(cookie);
    if (it == rules_.end()) return Status::failure(ENOENT, "no rule with cookie " + std::to_string(cookie));
    const Rule& rule = it->second;
    const uint32_t mask_id = rule.mask_id;
    const esw_rule_key key = rule_key(mask_id, rule.entry.key);
    const GroupKey gk = group_key(key);
    std::vector<uint64_t>& group = groups_.at(gk);
    const bool in_map = group.front() == cookie;

    if (in_map && group.size() > 1) {
        // Promote the next rule by overwriting the entry: one map update, never a gap.
        if (auto s = maps_.put_rule(key, map_value(rules_.at(group[1]))); !s.ok()) return s;
    } else if (in_map) {
        const bool last_under_mask = masks_[mask_id].refs == 1;
        if (last_under_mask) {
            if (auto s = unpublish_mask(mask_id); !s.ok()) return s;
        }
        if (auto s = maps_.delete_rule(key); !s.ok() && s.error != ENOENT) return s;
    }
    group.erase(std::find(group.begin(), group.end(), cookie));
    if (group.empty()) groups_.erase(gk);
    if (--masks_[mask_id].refs == 0) masks_[mask_id] = MaskSlot{};
    free_ids_.push_back(rule.rule_id);
    rules_.erase(it);
    return Status::success();
}

Status EswTable::counters(uint64_t cookie, EswCounters& out) {
    auto it = rules_.find(cookie);
    if (it == rules_.end()) return Status::failure(ENOENT, "no rule with cookie " + std::to_string(cookie));
    return maps_.read_counter(it->second.rule_id, out);
}

const EswEntry* EswTable::find(uint64_t cookie) const {
    auto it = rules_.find(cookie);
    return it == rules_.end() ? nullptr : &it->second.entry;
}

std::vector<uint64_t> EswTable::cookies() const {
    std::vector<uint64_t> out;
    out.reserve(rules_.size());
    for (const auto& [cookie, rule] : rules_) out.push_back(cookie);
    return out;
}

bool EswTable::installed(uint64_t cookie) const {
    auto it = rules_.find(cookie);
    if (it == rules_.end()) return false;
    const auto& group = groups_.at(group_key(rule_key(it->second.mask_id, it->second.entry.key)));
    return group.front() == cookie;
}

}  // namespace snoc::offload::emulated
