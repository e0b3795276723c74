// An rte_flow rule in dpdk-testpmd syntax ("flow create 0 transfer pattern
// ... / end actions ... / end"), for logs and `snoc plan`: an operator can
// paste it into testpmd, and OVS-DPDK logs the rules it tries the same way.
// The test suite feeds every rendering to a real dpdk-testpmd to prove it
// parses.
#pragma once

#include <string>

#include "offload/rte_flow/rte_rule.h"

namespace snoc::offload::rte {

// verb: "create" or "validate". A vxlan_encap rule is preceded by its
// `set vxlan ...` line (testpmd keeps the encap definition there).
std::string render_testpmd(const Rule& rule, std::string_view verb = "create");

}  // namespace snoc::offload::rte
