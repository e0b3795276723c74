// Header rewrites (set_field, dec_ttl) <-> tc pedit keys.
//
// pedit edits 32-bit words: new = (old & mask) ^ val, in packet byte order.
// A field is a run of bytes (and bits) at an offset in one header, so one
// table of field regions turns any rewrite into words, and back.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "flow/flow.h"
#include "offload/status.h"

namespace snoc::offload::tc {

struct PeditKey {
    uint32_t mask = 0;   // bits kept (packet byte order, as a raw 32-bit word)
    uint32_t val = 0;    // bits set
    uint32_t off = 0;    // byte offset of the word in its header
    uint16_t htype = 0;  // TCA_PEDIT_KEY_EX_HDR_TYPE_*
    uint16_t cmd = 0;    // TCA_PEDIT_KEY_EX_CMD_SET / _ADD
    bool operator==(const PeditKey&) const = default;
};

struct PeditPlan {
    std::vector<PeditKey> keys;
    uint32_t csum_flags = 0;  // TCA_CSUM_UPDATE_FLAG_* the rewrites make stale
};

// `actions` are SetField / DecTtl actions; `match` tells IPv4 from IPv6 and
// TCP from UDP. Unsupported rewrites fail with EOPNOTSUPP naming the field.
Status plan_pedit(std::span<const flow::Action> actions, const flow::Match& match, PeditPlan& out);

// The inverse: the SetField / DecTtl actions the keys perform, in field-table order.
Status actions_from_pedit(const std::vector<PeditKey>& keys, std::vector<flow::Action>& out);

// True for the actions pedit carries.
bool is_pedit_action(const flow::Action& a);

}  // namespace snoc::offload::tc
