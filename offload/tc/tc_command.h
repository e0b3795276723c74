// A TcRule as the `tc filter add` command an operator would type to install
// the same rule by hand (iproute2 syntax), for logs, `snoc plan` and the
// backend's render(). It says what the netlink message says, key by key and
// action by action; one difference is forced by the tc command line: it
// takes the ethertype only through `protocol`, where snoc's messages use
// protocol all plus an eth_type key (docs/tc-flower.md).
#pragma once

#include <string>

#include "offload/tc/tc_rule.h"

namespace snoc::offload::tc {

std::string tc_command(const TcRule& rule, const TranslateContext& ctx);

}  // namespace snoc::offload::tc
