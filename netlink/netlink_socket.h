// A netlink socket (libnl-3) that sends many requests per system call
// and tells which one failed and why.
//
// Contract (the same for NETLINK_ROUTE and NETLINK_GENERIC):
// - transact(): every message gets its own sequence number; messages go out
//   in chunks sized so their replies fit the receive buffer. Failures are
//   always answered; successes are acked only on a chunk's last message
//   (every message when `warnings` is wanted).
//   The result has one Status per message, in order; a failure carries the
//   kernel's errno and its extended-ack text. Extended-ack text on success (a
//   warning, e.g. "rule not offloaded to hardware") is returned in `warnings`.
// - dump(): one request, every reply message handed to `each` until DONE (a
//   dump) or the ack (a plain GET).
// Neither throws; a socket-level failure fails every pending message.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "netlink/message_ptr.h"
#include "offload/status.h"

struct nl_sock;
struct nlmsghdr;

namespace snoc::netlink {

using offload::Status;

class NetlinkSocket {
public:
    // `protocol`: NETLINK_ROUTE (tc, links) or NETLINK_GENERIC (devlink).
    static Status open(std::unique_ptr<NetlinkSocket>& out, int protocol = 0);
    ~NetlinkSocket();
    NetlinkSocket(const NetlinkSocket&) = delete;
    NetlinkSocket& operator=(const NetlinkSocket&) = delete;

    std::vector<Status> transact(std::vector<NlMsgPtr>& msgs, std::vector<std::string>* warnings = nullptr);
    Status dump(NlMsgPtr request, const std::function<void(nlmsghdr*)>& each);

    size_t chunk_size() const { return chunk_; }  // messages per send, from the receive buffer size
    nl_sock* raw() { return sock_; }               // for libnl helpers such as genl_ctrl_resolve

private:
    NetlinkSocket() = default;
    Status receive_acks(uint32_t first_seq, size_t count, std::vector<Status>& results,
                        std::vector<std::string>* warnings);

    nl_sock* sock_ = nullptr;
    uint32_t next_seq_ = 1;
    size_t chunk_ = 128;
    std::vector<char> rxbuf_;
};

// The extended-ack message of an NLMSG_ERROR message, if any.
std::string extack_message(const nlmsghdr* err_msg);

}  // namespace snoc::netlink
