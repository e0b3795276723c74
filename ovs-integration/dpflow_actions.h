// Datapath actions (the text after "actions:" in dpctl/dump-flows) as
// canonical actions (flow/flow.h), so a datapath flow can be put through
// the same capability check as a policy rule.
//
// One converter per datapath action, in a table (dpflow_actions.cpp), the
// way iproute2's f_flower.c has one parser per key. Actions with no
// canonical form (userspace, sample, clone, trunc, hash, check_pkt_len,
// MPLS/NSH, ct nat, ...) and names the table does not know are returned in
// `untranslated` as printed, never dropped: each becomes a reason of its own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"
#include "ovs-integration/dpif_ports.h"

namespace snoc::ovs {

struct DpActionsTranslation {
    std::vector<flow::Action> actions;
    struct Untranslated {
        std::string text;  // the action as printed ("userspace(pid=0,...)")
        std::string why;   // one sentence
    };
    std::vector<Untranslated> untranslated;
};

// `ports` resolves output / tunnel port numbers and datapath names to OVS
// port names (unknown ports keep their printed spelling). Never throws.
DpActionsTranslation translate_dp_actions(std::string_view actions, const DpPortMap& ports,
                                          std::string_view datapath = "");

}  // namespace snoc::ovs
