#include "netlink/genl_family.h"

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cerrno>

#include "netlink/attr_policy.h"

namespace snoc::netlink {
namespace {

const AttrPolicy kFamilyPolicy{"generic netlink family reply",
                               {
                                   u16_attr(SNOC_NLA(CTRL_ATTR_FAMILY_ID)),
                                   string_attr(SNOC_NLA(CTRL_ATTR_FAMILY_NAME)),
                                   u32_attr(SNOC_NLA(CTRL_ATTR_VERSION)),
                               }};

// The controller's own protocol version (CTRL_CMD_GETFAMILY has not changed since 1).
constexpr uint8_t kCtrlVersion = 1;

Status genl_message(uint16_t family, uint8_t version, uint8_t cmd, int flags, NlMsgPtr& out) {
    out.reset(nlmsg_alloc());
    if (!out) return Status::failure(ENOMEM, "cannot allocate a netlink message");
    if (!genlmsg_put(out.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, version)) {
        return Status::failure(EMSGSIZE, "message full");
    }
    return Status::success();
}

}  // namespace

Status parse_family_reply(nlmsghdr* reply, GenlFamilyInfo& out) {
    nlattr* tb[CTRL_ATTR_MAX + 1] = {};
    if (auto s = parse_genl(tb, kFamilyPolicy, reply); !s.ok()) return s;
    if (!tb[CTRL_ATTR_FAMILY_ID]) return Status::failure(EPROTO, "generic netlink family reply without a family id");
    out.id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
    out.name = tb[CTRL_ATTR_FAMILY_NAME] ? nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]) : "";
    out.version = tb[CTRL_ATTR_VERSION] ? nla_get_u32(tb[CTRL_ATTR_VERSION]) : 0;
    return Status::success();
}

Status build_family_request(std::string_view name, NlMsgPtr& out) {
    if (auto s = genl_message(GENL_ID_CTRL, kCtrlVersion, CTRL_CMD_GETFAMILY, 0, out); !s.ok()) return s;
    if (nla_put_string(out.get(), CTRL_ATTR_FAMILY_NAME, std::string(name).c_str()) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    return Status::success();
}

Status GenlFamily::open(std::string_view name, uint8_t version, std::unique_ptr<GenlFamily>& out) {
    std::unique_ptr<GenlFamily> f(new GenlFamily());
    f->version_ = version;
    if (auto s = NetlinkSocket::open(f->sock_, NETLINK_GENERIC); !s.ok()) return s;
    NlMsgPtr m;
    if (auto s = build_family_request(name, m); !s.ok()) return s;
    Status parsed = Status::failure(ENOENT, "no reply");
    Status s = f->sock_->dump(std::move(m), [&](nlmsghdr* h) { parsed = parse_family_reply(h, f->info_); });
    if (s.ok()) s = parsed;
    if (s.error == ENOENT) return Status::failure(ENOENT, "the kernel has no '" + std::string(name) + "' generic netlink family");
    if (!s.ok()) {
        s.reason = "looking up the '" + std::string(name) + "' generic netlink family: " + s.reason;
        return s;
    }
    out = std::move(f);
    return Status::success();
}

Status GenlFamily::request(uint8_t cmd, int flags, NlMsgPtr& out) const {
    return genl_message(info_.id, version_, cmd, flags, out);
}

}  // namespace snoc::netlink
