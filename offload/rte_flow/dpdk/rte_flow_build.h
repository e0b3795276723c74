// rte_rule.h's plain description -> DPDK's rte_flow_attr, item and action
// arrays, with the storage they point into. The only place snoc lays out
// rte_flow structures; one table (field_slot in the .cpp) places each item
// field, and a test checks it covers every field rte_rule.h lists.
#pragma once

#include <rte_flow.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "offload/rte_flow/rte_rule.h"

namespace snoc::offload::rte {

class BuiltRule {
public:
    explicit BuiltRule(const Rule& rule);
    BuiltRule(const BuiltRule&) = delete;
    BuiltRule& operator=(const BuiltRule&) = delete;

    const rte_flow_attr* attr() const { return &attr_; }
    const rte_flow_item* pattern() const { return items_.data(); }
    const rte_flow_action* actions() const { return actions_.data(); }
    // The index of a pattern item / action from the pointer rte_flow_error's
    // `cause` gives, or -1 when it points elsewhere.
    int item_index(const void* cause) const;
    int action_index(const void* cause) const;

private:
    void* store(size_t bytes);  // zeroed storage that lives as long as this

    rte_flow_attr attr_{};
    std::vector<rte_flow_item> items_;
    std::vector<rte_flow_action> actions_;
    std::vector<std::unique_ptr<uint8_t[]>> storage_;
};

// True when every field item_fields() lists has a place in its rte_flow item
// structure (for the test suite).
bool every_item_field_placed();

}  // namespace snoc::offload::rte
