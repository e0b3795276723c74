// The names of the bits of the flag fields (tcp_flags, ct_state) as OVS
// spells them: one definition for the policy syntax, the datapath flow
// parser (ovs-integration) and tc's printer.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "flow/flow.h"

namespace snoc::flow {

struct FlagName {
    std::string_view name;
    uint32_t bit;
};

// In bit order, which is also the order OVS prints them in.
std::span<const FlagName> tcp_flag_names();     // fin syn rst psh ack urg ece cwr ns
std::span<const FlagName> ct_state_flag_names();  // new est rel rpl inv trk snat dnat

// The names of a flag field's bits (TcpFlags, or CtState for any other field).
std::span<const FlagName> flag_names(Field f);

// The name of one bit of a flag field; empty when it has none.
std::string_view flag_name(Field f, uint32_t bit);

}  // namespace snoc::flow
