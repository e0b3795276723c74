// Canonical match <-> flower keys inside TCA_OPTIONS.
#pragma once

#include <netlink/msg.h>

#include <span>

#include "netlink/attr_policy.h"
#include "flow/flow.h"
#include "offload/status.h"

namespace snoc::offload::tc {

// Puts every match field as TCA_FLOWER_KEY_* attributes. A field flower cannot
// express (a masked VLAN id, a 64-bit tunnel key, ct_state snat) fails with
// EOPNOTSUPP and names the field; nothing partial is meant to be sent then.
Status encode_match(nl_msg* msg, const flow::Match& m);

// The inverse, from attributes parsed with TCA_FLOWER_MAX and flower_key_rules().
Status decode_match(nlattr* tb[], flow::Match& out);

// The length rules of every TCA_FLOWER_KEY_* attribute decode_match reads.
std::span<const netlink::AttrRule> flower_key_rules();

}  // namespace snoc::offload::tc
