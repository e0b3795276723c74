// One tc-flower rule as snoc installs it: where it attaches, its chain /
// priority / handle, its skip flags and owner mark, and the canonical flow
// it carries. tc_translate turns it into netlink and back.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "flow/flow.h"

namespace snoc::offload::tc {

enum class SkipPolicy : uint8_t { None, SkipSw, SkipHw };
std::string_view to_string(SkipPolicy p);

// The owner mark: an action cookie "snoc" + the 64-bit policy cookie, on the
// first action of every rule snoc installs. Rules without it are never touched.
inline constexpr char kCookieMagic[4] = {'s', 'n', 'o', 'c'};
inline constexpr size_t kActionCookieSize = 12;

struct TcRule {
    std::string dev;          // netdev the rule is attached to (ingress)
    int ifindex = 0;
    uint32_t chain = 0;       // = OpenFlow table
    uint16_t prio = 0;        // tc preference; see prio_for()
    uint32_t handle = 0;      // flower handle; see handle_for()
    SkipPolicy skip = SkipPolicy::None;
    uint64_t cookie = 0;      // owner mark (0 on decoded rules that are not snoc's)
    flow::Flow flow;          // lowered; ports are netdev names

    bool operator==(const TcRule&) const = default;
};

// tc runs lower preference numbers first; OpenFlow runs higher priorities
// first. prio = 65535 - priority keeps the order (OpenFlow 65535 and 65534
// both map to 1, since tc preference 0 means "pick one for me").
uint16_t prio_for(uint16_t openflow_priority);
uint16_t openflow_priority_of(uint16_t tc_prio);
// A non-zero handle derived from the owner cookie, stable across restarts.
uint32_t handle_for(uint64_t cookie);

struct Counters {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    bool operator==(const Counters&) const = default;
};

// A rule read back from the kernel, with what only the kernel knows.
struct TcRuleState {
    TcRule rule;
    bool in_hw = false;
    bool not_in_hw = false;
    uint32_t in_hw_count = 0;
    Counters total;              // all packets the rule's first action saw
    Counters hw;                 // of which the hardware reported (TCA_STATS_BASIC_HW)
    std::optional<uint64_t> last_used_ms;  // since the last hit, when the kernel reports it
};

// A meter's rate, for the police action.
struct MeterRate {
    uint64_t rate_kbps = 0;
    uint64_t burst_kb = 0;
};

// What translation needs from outside: netdev names <-> ifindexes, meters.
struct TranslateContext {
    std::function<std::optional<int>(const std::string&)> ifindex_of;
    std::function<std::optional<std::string>(int)> name_of;
    std::map<uint32_t, MeterRate> meters;
    // psched clock ticks per microsecond (/proc/net/psched); 1 GHz / 64 on current kernels.
    double psched_tick_in_usec = 15.625;
};

}  // namespace snoc::offload::tc
