// netlink/genl_family: the CTRL_CMD_GETFAMILY request, reading crafted
// CTRL_CMD_NEWFAMILY replies, and (where the host lets us open a generic
// netlink socket) looking up the controller itself and a family that does
// not exist.
#include <gtest/gtest.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "netlink/genl_family.h"

namespace snoc::netlink {
namespace {

NlMsgPtr new_family_reply() {
    NlMsgPtr m(nlmsg_alloc());
    EXPECT_NE(genlmsg_put(m.get(), 0, 0, GENL_ID_CTRL, 0, 0, CTRL_CMD_NEWFAMILY, 2), nullptr);
    return m;
}

TEST(GenlFamilyTest, ReadsIdNameAndVersionFromTheControllersReply) {
    NlMsgPtr m = new_family_reply();
    ASSERT_GE(nla_put_string(m.get(), CTRL_ATTR_FAMILY_NAME, "devlink"), 0);
    ASSERT_GE(nla_put_u16(m.get(), CTRL_ATTR_FAMILY_ID, 0x1b), 0);
    ASSERT_GE(nla_put_u32(m.get(), CTRL_ATTR_VERSION, 1), 0);
    ASSERT_GE(nla_put_u32(m.get(), CTRL_ATTR_MAXATTR, 180), 0);  // read by nobody: no rule, ignored
    GenlFamilyInfo info;
    ASSERT_TRUE(parse_family_reply(nlmsg_hdr(m.get()), info).ok());
    EXPECT_EQ(info.id, 0x1b);
    EXPECT_EQ(info.name, "devlink");
    EXPECT_EQ(info.version, 1u);
}

TEST(GenlFamilyTest, AReplyWithoutAnIdIsAProtocolError) {
    NlMsgPtr m = new_family_reply();
    ASSERT_GE(nla_put_string(m.get(), CTRL_ATTR_FAMILY_NAME, "ethtool"), 0);
    GenlFamilyInfo info;
    EXPECT_EQ(parse_family_reply(nlmsg_hdr(m.get()), info).error, EPROTO);
}

TEST(GenlFamilyTest, AShortIdIsRefusedNamingTheAttribute) {
    NlMsgPtr m = new_family_reply();
    const uint8_t one_byte = 0x1b;
    ASSERT_GE(nla_put(m.get(), CTRL_ATTR_FAMILY_ID, 1, &one_byte), 0);
    GenlFamilyInfo info;
    const Status s = parse_family_reply(nlmsg_hdr(m.get()), info);
    EXPECT_EQ(s.error, EINVAL);
    EXPECT_NE(s.reason.find("CTRL_ATTR_FAMILY_ID"), std::string::npos) << s.reason;
}

TEST(GenlFamilyTest, TheRequestAsksTheControllerForTheName) {
    NlMsgPtr m;
    ASSERT_TRUE(build_family_request("devlink", m).ok());
    nlmsghdr* h = nlmsg_hdr(m.get());
    EXPECT_EQ(h->nlmsg_type, GENL_ID_CTRL);
    const auto* g = static_cast<const genlmsghdr*>(nlmsg_data(h));
    EXPECT_EQ(g->cmd, CTRL_CMD_GETFAMILY);
    nlattr* name = nlmsg_find_attr(h, GENL_HDRLEN, CTRL_ATTR_FAMILY_NAME);
    ASSERT_NE(name, nullptr);
    EXPECT_STREQ(nla_get_string(name), "devlink");
}

// The controller ("nlctrl") is in every kernel with generic netlink; it
// answers for itself with GENL_ID_CTRL.
TEST(GenlFamilyTest, FindsTheControllerOnTheRunningKernel) {
    std::unique_ptr<GenlFamily> f;
    const Status s = GenlFamily::open("nlctrl", 2, f);
    if (!s.ok() && s.reason.find("cannot open netlink") != std::string::npos) GTEST_SKIP() << s.reason;
    ASSERT_TRUE(s.ok()) << s.reason;
    EXPECT_EQ(f->info().id, GENL_ID_CTRL);
    EXPECT_EQ(f->info().name, "nlctrl");
    NlMsgPtr req;
    ASSERT_TRUE(f->request(CTRL_CMD_GETFAMILY, NLM_F_DUMP, req).ok());
    EXPECT_EQ(nlmsg_hdr(req.get())->nlmsg_type, GENL_ID_CTRL);
    EXPECT_EQ(static_cast<const genlmsghdr*>(nlmsg_data(nlmsg_hdr(req.get())))->version, 2);
}

TEST(GenlFamilyTest, AMissingFamilyIsENOENTNamingIt) {
    std::unique_ptr<GenlFamily> f;
    const Status s = GenlFamily::open("snoc-no-such", 1, f);
    if (s.reason.find("cannot open netlink") != std::string::npos) GTEST_SKIP() << s.reason;
    EXPECT_EQ(s.error, ENOENT);
    EXPECT_NE(s.reason.find("'snoc-no-such'"), std::string::npos) << s.reason;
    EXPECT_EQ(f, nullptr);
}

}  // namespace
}  // namespace snoc::netlink
