// Canonical actions <-> tc actions in TCA_FLOWER_ACT. Which tc action
// carries which canonical action is action_lowering.h's table; each tc
// action kind is one registry entry (action_kind.h). NORMAL has no tc form.
// The owner cookie rides on the first action.
#pragma once

#include <netlink/msg.h>

#include <optional>
#include <vector>

#include "offload/status.h"
#include "offload/tc/tc_rule.h"

namespace snoc::offload::tc {

inline constexpr uint32_t kPoliceIndexBase = 0x20000000;

struct DecodedActions {
    std::vector<flow::Action> actions;
    std::optional<uint64_t> cookie;        // set when the first action carries snoc's mark
    Counters total;                        // the first action's counters
    Counters hw;
    std::optional<uint64_t> last_used_ms;
};

// Writes TCA_FLOWER_ACT for the rule's actions (an empty list drops).
Status encode_actions(nl_msg* msg, const TcRule& rule, const TranslateContext& ctx);

// snoc's owner cookie from the first action of a TCA_FLOWER_ACT nest, without
// decoding anything else: the dump uses it to tell snoc's filters from
// foreign ones (OVS's own tc offloads, an operator's) before it tries to read
// them, because foreign filters may use actions snoc does not model.
std::optional<uint64_t> owner_cookie(nlattr* act_nest);

// Reads a TCA_FLOWER_ACT nest back into canonical actions.
Status decode_actions(nlattr* act_nest, const TranslateContext& ctx, DecodedActions& out);

// The action list as a kernel echo decodes it: a lone drop for an empty list,
// ct + goto_table as ct(table=N), set-fields of one pedit in field order,
// push_vlan with an explicit VLAN id, and no set_vlan_pcp:0 after a push or
// modify (the kernel reports priority 0 either way). Sync compares desired
// rules in this form with what it reads back.
std::vector<flow::Action> tc_normal_form(const std::vector<flow::Action>& actions);

// The police rate table and burst for a meter, as the kernel's police action
// wants them (exposed for tests). `tick_in_usec` comes from /proc/net/psched.
struct PoliceParams {
    uint32_t rate_bytes_per_s = 0;
    uint64_t rate64_bytes_per_s = 0;
    uint32_t burst_ticks = 0;
    uint8_t cell_log = 0;
    std::vector<uint32_t> rtab;  // 256 entries
};
PoliceParams police_params(const MeterRate& m, double tick_in_usec);

}  // namespace snoc::offload::tc
