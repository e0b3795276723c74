// Builds TCA_FLOWER_ACT's nested action list one action at a time: each
// action's number, its kind, the owner cookie on the first, and the
// TCA_ACT_OPTIONS nest its registry entry (action_kind.h) fills.
#pragma once

#include <linux/pkt_cls.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "offload/status.h"
#include "offload/tc/tc_rule.h"

namespace snoc::offload::tc {

inline constexpr size_t kMaxActions = 32;  // TCA_ACT_MAX_PRIO

// The parameters struct of an action that passes the packet on to the next
// action (every tc action snoc writes but the verdicts: drop, redirect, goto).
template <typename Parms>
Parms piped() {
    Parms p{};
    p.action = TC_ACT_PIPE;
    return p;
}

class ActionWriter {
public:
    ActionWriter(nl_msg* msg, uint64_t cookie) : msg_(msg), cookie_(cookie) {}

    // Opens an action of `kind` and its TCA_ACT_OPTIONS nest.
    Status begin(std::string_view kind) {
        if (order_ >= kMaxActions) return Status::failure(E2BIG, "more than 32 tc actions");
        action_ = nla_nest_start(msg_, static_cast<int>(++order_));
        if (!action_ || nla_put_string(msg_, TCA_ACT_KIND, std::string(kind).c_str()) < 0) return full();
        if (order_ == 1) {
            uint8_t mark[kActionCookieSize];
            std::memcpy(mark, kCookieMagic, 4);
            for (int i = 0; i < 8; ++i) mark[4 + i] = static_cast<uint8_t>(cookie_ >> (56 - 8 * i));
            if (nla_put(msg_, TCA_ACT_COOKIE, sizeof mark, mark) < 0) return full();
        }
        options_ = nla_nest_start(msg_, TCA_ACT_OPTIONS);
        return options_ ? Status::success() : full();
    }
    Status end() {
        nla_nest_end(msg_, options_);
        nla_nest_end(msg_, action_);
        return Status::success();
    }
    template <typename T>
    Status put(int attr, const T& v) {
        return nla_put(msg_, attr, sizeof v, &v) < 0 ? full() : Status::success();
    }
    Status put_bytes(int attr, const void* data, size_t n) {
        return nla_put(msg_, attr, static_cast<int>(n), data) < 0 ? full() : Status::success();
    }
    nl_msg* msg() { return msg_; }

private:
    static Status full() { return Status::failure(EMSGSIZE, "netlink message full"); }
    nl_msg* msg_;
    uint64_t cookie_;
    uint32_t order_ = 0;
    nlattr* action_ = nullptr;
    nlattr* options_ = nullptr;
};

}  // namespace snoc::offload::tc
