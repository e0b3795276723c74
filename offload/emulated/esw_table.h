// The emulated eSwitch's rule table as user space keeps it: a tuple-space
// classifier (one hash map keyed by mask id + masked key, a small table of
// masks) whose BPF side only ever sees complete rules.
//
// What the maps cannot hold lives here: which rules share a mask (refcounts),
// rules shadowed by a higher-priority rule with the same mask and masked key
// (the map holds one entry per masked key; the next is promoted when the
// winner is deleted), and which counter slot each rule owns.
//
// Update order, so no packet sees a half-installed rule:
//   insert: counters reset -> rule entry -> mask published (-> search limit raised)
//   delete: (search limit lowered ->) mask unpublished -> last rule entry deleted
//   promote: the shadowed rule overwrites the entry in one map update.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "offload/emulated/esw_maps.h"
#include "offload/status.h"

namespace snoc::offload::emulated {

// One rule in eSwitch terms: pre-masked key, mask, priority and action.
// action's cookie / priority / rule_id are filled in by the table.
struct EswEntry {
    uint64_t cookie = 0;
    uint32_t priority = 0;
    esw_key key{};
    esw_key mask{};
    esw_rule action{};
};

// A rule's counters summed over CPUs.
struct EswCounters {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t last_used_ns = 0;  // CLOCK_MONOTONIC; 0 = never hit
};

// The map updates the table needs. BpfEswMaps (esw_loader.h) performs them
// on the loaded maps; tests substitute a recording fake.
class EswMaps {
public:
    virtual ~EswMaps() = default;
    virtual Status set_mask(uint32_t slot, const esw_mask& mask) = 0;
    virtual Status set_mask_limit(uint32_t limit) = 0;
    // Inserts or atomically replaces one entry; a full map fails with E2BIG.
    virtual Status put_rule(const esw_rule_key& key, const esw_rule& value) = 0;
    virtual Status delete_rule(const esw_rule_key& key) = 0;
    virtual Status reset_counter(uint32_t rule_id) = 0;
    virtual Status read_counter(uint32_t rule_id, EswCounters& out) = 0;
    // Every mask slot and every rule entry, for adoption (EswTable::adopt).
    virtual Status read_all(std::array<esw_mask, ESW_MAX_MASKS>& masks,
                            std::vector<std::pair<esw_rule_key, esw_rule>>& rules) = 0;
};

class EswTable {
public:
    // capacity: rules the NIC holds (the profile's max_rules); the counters
    // map must have that many slots.
    EswTable(EswMaps& maps, uint32_t capacity);

    // Rebuilds the table from the maps an earlier process filled (an adopted
    // eSwitch), replacing whatever this table knew: masks with their
    // refcounts, one rule per map entry (cookie, priority, key, mask, action,
    // counter slot), free counter slots. Counters are not touched.
    // Lost: rules that were shadowed (only user space held them); the next
    // sync installs them again. Repaired: entries under an unpublished mask
    // (a process died between writing an entry and publishing its mask, or
    // between unpublishing and deleting; no packet could see them) are
    // deleted, published masks without entries are unpublished, and the
    // search limit is rewritten. Fails (the table left empty) on entries it
    // cannot own: a counter slot beyond capacity or used twice, a cookie twice.
    Status adopt();

    // E2BIG "NIC table full" at capacity, ENOSPC when a 17th distinct mask
    // is needed, EEXIST for a known cookie or a rule with the same mask,
    // masked key and priority as another.
    Status insert(const EswEntry& entry);
    // ENOENT for an unknown cookie.
    Status remove(uint64_t cookie);
    Status counters(uint64_t cookie, EswCounters& out);

    const EswEntry* find(uint64_t cookie) const;
    std::vector<uint64_t> cookies() const;
    size_t size() const { return rules_.size(); }
    size_t masks_in_use() const;
    uint32_t capacity() const { return capacity_; }
    // True when the rule is the one in the map (not shadowed).
    bool installed(uint64_t cookie) const;

private:
    struct MaskSlot {
        bool used = false;
        esw_key mask{};
        size_t refs = 0;  // rules under this mask, shadowed ones included
    };
    struct Rule {
        EswEntry entry;
        uint32_t mask_id = 0;
        uint32_t rule_id = 0;
    };
    using GroupKey = std::string;  // the esw_rule_key's bytes

    esw_rule_key rule_key(uint32_t mask_id, const esw_key& key) const;
    static GroupKey group_key(const esw_rule_key& k);
    esw_rule map_value(const Rule& r) const;
    int find_mask(const esw_key& mask) const;
    int free_mask() const;
    uint32_t mask_limit() const;
    Status publish_mask(uint32_t slot);
    Status unpublish_mask(uint32_t slot);
    void clear();
    // `slots`: counter slots taken so far, to refuse one taken twice.
    Status adopt_rule(const esw_rule_key& key, const esw_rule& value, std::vector<bool>& slots);
    void adopt_masks(const std::array<esw_mask, ESW_MAX_MASKS>& masks);
    void rebuild_free_ids();

    EswMaps& maps_;
    uint32_t capacity_;
    std::array<MaskSlot, ESW_MAX_MASKS> masks_{};
    std::map<uint64_t, Rule> rules_;
    // Per masked key: cookies by priority, highest first; front() is in the map.
    std::map<GroupKey, std::vector<uint64_t>> groups_;
    std::vector<uint32_t> free_ids_;
};

}  // namespace snoc::offload::emulated
