// A generic netlink family (devlink, ethtool ...) found by name: a
// NETLINK_GENERIC socket of its own, the family id the kernel's controller
// ("nlctrl", CTRL_CMD_GETFAMILY) gave for the name, and requests built with
// that id and the family's protocol version.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "netlink/message_ptr.h"
#include "netlink/netlink_socket.h"
#include "offload/status.h"

struct nlmsghdr;

namespace snoc::netlink {

// What the controller's CTRL_CMD_NEWFAMILY reply says about a family.
struct GenlFamilyInfo {
    uint16_t id = 0;
    std::string name;
    uint32_t version = 0;
};

// Reads a CTRL_CMD_NEWFAMILY reply; EPROTO without a family id (exposed for tests).
Status parse_family_reply(nlmsghdr* reply, GenlFamilyInfo& out);

// The CTRL_CMD_GETFAMILY request for `name` (exposed for tests).
Status build_family_request(std::string_view name, NlMsgPtr& out);

class GenlFamily {
public:
    // ENOENT "the kernel has no '<name>' generic netlink family" when the
    // kernel lacks it; callers add which kernel option provides it.
    // `version` goes into every request (DEVLINK_GENL_VERSION ...).
    static Status open(std::string_view name, uint8_t version, std::unique_ptr<GenlFamily>& out);

    // An empty request for `cmd`, the generic netlink header filled in;
    // `flags` e.g. NLM_F_DUMP.
    Status request(uint8_t cmd, int flags, NlMsgPtr& out) const;

    NetlinkSocket& socket() { return *sock_; }
    const GenlFamilyInfo& info() const { return info_; }

private:
    GenlFamily() = default;
    std::unique_ptr<NetlinkSocket> sock_;
    GenlFamilyInfo info_;
    uint8_t version_ = 0;
};

}  // namespace snoc::netlink
