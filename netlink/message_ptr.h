// Ownership of a libnl message: every request snoc builds is an NlMsgPtr, so
// a message is freed however the code building it returns.
#pragma once

#include <netlink/msg.h>

#include <memory>

namespace snoc::netlink {

struct NlMsgDeleter {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using NlMsgPtr = std::unique_ptr<nl_msg, NlMsgDeleter>;

}  // namespace snoc::netlink
