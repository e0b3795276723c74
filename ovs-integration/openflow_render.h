// Policy flows as OVS will hold them: ports renamed to OVS port names and an
// owner cookie that marks the flow as snoc's, so snoc only ever touches
// (and diffs against) its own flows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "flow/flow.h"

namespace snoc::ovs {

// The top 16 bits of every snoc cookie; `del-flows br cookie=0x5c0c000000000000/0xffff000000000000`
// removes all of snoc's flows and nothing else.
inline constexpr uint64_t kCookieOwner = 0x5c0c000000000000ULL;
inline constexpr uint64_t kCookieOwnerMask = 0xffff000000000000ULL;

// A stable cookie for a policy rule, derived from its name: the same rule
// keeps its cookie across restarts, so a restart adopts instead of duplicating.
uint64_t policy_cookie(std::string_view rule_name);
bool is_snoc_cookie(uint64_t cookie);

// The flow with each port name mapped through `ovs_port` and the cookie set,
// in ovs-ofctl syntax.
std::string render_openflow(const flow::Flow& f, uint64_t cookie,
                            const std::function<std::string(const std::string&)>& ovs_port);

}  // namespace snoc::ovs
