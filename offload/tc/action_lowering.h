// A rule's canonical actions as the tc actions that carry them, in order,
// before anything is written or printed: encode_actions and tc_command both
// start here, so every folding is decided once.
//
//   output            mirred egress redirect (the last action) / mirror (others)
//   drop              gact shot            goto_table   gact goto chain
//   push_vlan+set_vlan_vid[+pcp]  vlan push        set_vlan_vid[+pcp]  vlan modify
//   pop_vlan          vlan pop
//   set_field, dec_ttl  pedit (+ csum for the checksums they make stale)
//   meter:N           police, shared by index
//   ct(commit,zone,table)  ct [+ gact goto chain]     ct_clear  ct clear
//   tunnel_encap      tunnel_key set + mirred to the tunnel device
//   tunnel_decap      tunnel_key unset
//   empty list        gact shot
// What tc cannot express (NORMAL, set_vlan_pcp without set_vlan_vid) becomes
// a NoTcForm: encoding fails on it, printing shows a comment.
#pragma once

#include <vector>

#include "offload/tc/action_kind.h"

namespace snoc::offload::tc {

std::vector<TcAction> lower_actions(const TcRule& rule, const TranslateContext& ctx);

}  // namespace snoc::offload::tc
