// ethtool netlink bitsets: both forms built and parsed, the word layout of the
// compact form, and reading hw-tc-offload out of FEATURES_GET / _SET replies.
#include <gtest/gtest.h>

#include <linux/ethtool_netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cstring>

#include "controller/nic/ethtool_bitset.h"
#include "controller/nic/ethtool_features.h"
#include "netlink/message_ptr.h"

namespace snoc::nic {
namespace {

using netlink::NlMsgPtr;

// A message whose first attribute (type 1) will hold the bitset under test.
NlMsgPtr message() {
    NlMsgPtr m(nlmsg_alloc());
    genlmsg_put(m.get(), NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, ETHTOOL_MSG_FEATURES_GET_REPLY, ETHTOOL_GENL_VERSION);
    return m;
}

nlattr* first_attr(nl_msg* m) { return genlmsg_attrdata(static_cast<genlmsghdr*>(nlmsg_data(nlmsg_hdr(m))), 0); }

std::vector<uint32_t> words_of(const nlattr* bitset, int type) {
    nlattr* tb[ETHTOOL_A_BITSET_MAX + 1] = {};
    EXPECT_GE(nla_parse_nested(tb, ETHTOOL_A_BITSET_MAX, const_cast<nlattr*>(bitset), nullptr), 0);
    std::vector<uint32_t> w(tb[type] ? static_cast<size_t>(nla_len(tb[type])) / 4 : 0);
    if (!w.empty()) std::memcpy(w.data(), nla_data(tb[type]), w.size() * 4);
    return w;
}

// A verbose list (NOMASK) naming the given bits, as the kernel sends FEATURES_GET.
void put_verbose_list(nl_msg* m, int type, const std::vector<std::pair<uint32_t, std::string>>& bits) {
    nlattr* set = nla_nest_start(m, type);
    nla_put_flag(m, ETHTOOL_A_BITSET_NOMASK);
    nla_put_u32(m, ETHTOOL_A_BITSET_SIZE, 64);
    nlattr* list = nla_nest_start(m, ETHTOOL_A_BITSET_BITS);
    for (const auto& [index, name] : bits) {
        nlattr* bit = nla_nest_start(m, ETHTOOL_A_BITSET_BITS_BIT);
        nla_put_u32(m, ETHTOOL_A_BITSET_BIT_INDEX, index);
        nla_put_string(m, ETHTOOL_A_BITSET_BIT_NAME, name.c_str());
        nla_nest_end(m, bit);
    }
    nla_nest_end(m, list);
    nla_nest_end(m, set);
}

TEST(EthtoolBitset, CompactChangePutsBitsInTheRightWords) {
    NlMsgPtr m = message();
    ASSERT_TRUE(put_bitset_compact(m.get(), 1, 70, {{37, true}, {3, false}}));
    const nlattr* a = first_attr(m.get());
    // 70 bits: three u32 words; bit 37 is word 1, bit 5; bit 3 is in the mask only.
    EXPECT_EQ(words_of(a, ETHTOOL_A_BITSET_VALUE), (std::vector<uint32_t>{0, 1u << 5, 0}));
    EXPECT_EQ(words_of(a, ETHTOOL_A_BITSET_MASK), (std::vector<uint32_t>{1u << 3, 1u << 5, 0}));
    Bitset b;
    std::string error;
    ASSERT_TRUE(parse_bitset(a, b, error)) << error;
    EXPECT_EQ(b.size, 70u);
    EXPECT_FALSE(b.list);
    EXPECT_EQ(b.bit(37u), true);
    EXPECT_EQ(b.bit(3u), false);
    EXPECT_EQ(b.bit(4u), std::nullopt) << "a change says nothing about bits outside its mask";
    EXPECT_FALSE(put_bitset_compact(m.get(), 2, 8, {{8, true}})) << "bit past the size";
}

TEST(EthtoolBitset, CompactListHasOnlyTheSetBits) {
    NlMsgPtr m = message();
    nlattr* set = nla_nest_start(m.get(), 1);
    nla_put_flag(m.get(), ETHTOOL_A_BITSET_NOMASK);
    nla_put_u32(m.get(), ETHTOOL_A_BITSET_SIZE, 40);
    const uint32_t words[2] = {0x5, 0x80};
    nla_put(m.get(), ETHTOOL_A_BITSET_VALUE, sizeof words, words);
    nla_nest_end(m.get(), set);
    Bitset b;
    std::string error;
    ASSERT_TRUE(parse_bitset(first_attr(m.get()), b, error)) << error;
    EXPECT_TRUE(b.list);
    ASSERT_EQ(b.bits.size(), 3u);
    EXPECT_EQ(b.bits[2].index, 39u);
    EXPECT_EQ(b.bit(2u), true);
    EXPECT_EQ(b.bit(1u), false) << "in a list an absent bit is 0";
}

TEST(EthtoolBitset, VerboseListAndChangeByName) {
    NlMsgPtr m = message();
    put_verbose_list(m.get(), 1, {{0, "rx-checksum"}, {55, "hw-tc-offload"}});
    Bitset b;
    std::string error;
    ASSERT_TRUE(parse_bitset(first_attr(m.get()), b, error)) << error;
    EXPECT_EQ(b.bit("hw-tc-offload"), true);
    EXPECT_EQ(b.bit(55u), true);
    EXPECT_EQ(b.bit("tx-gso-partial"), false);

    for (bool on : {true, false}) {
        NlMsgPtr c = message();
        ASSERT_TRUE(put_bitset_by_name(c.get(), 1, {{"hw-tc-offload", on}}));
        Bitset change;
        ASSERT_TRUE(parse_bitset(first_attr(c.get()), change, error)) << error;
        EXPECT_FALSE(change.list) << "a change by name must not carry NOMASK: it would clear every other feature";
        EXPECT_EQ(change.bit("hw-tc-offload"), on);
        EXPECT_EQ(change.bit("rx-checksum"), std::nullopt);
    }
}

TEST(EthtoolBitset, MalformedSetsAreRefused) {
    NlMsgPtr m = message();
    nlattr* set = nla_nest_start(m.get(), 1);
    nla_put_u32(m.get(), ETHTOOL_A_BITSET_SIZE, 64);
    const uint32_t one = 1;
    nla_put(m.get(), ETHTOOL_A_BITSET_VALUE, sizeof one, &one);  // 64 bits need two words
    nla_nest_end(m.get(), set);
    Bitset b;
    std::string error;
    EXPECT_FALSE(parse_bitset(first_attr(m.get()), b, error));
    EXPECT_NE(error.find("shorter"), std::string::npos) << error;

    NlMsgPtr v = message();
    nlattr* vs = nla_nest_start(v.get(), 1);
    nlattr* list = nla_nest_start(v.get(), ETHTOOL_A_BITSET_BITS);
    nlattr* bit = nla_nest_start(v.get(), ETHTOOL_A_BITSET_BITS_BIT);
    nla_put_flag(v.get(), ETHTOOL_A_BITSET_BIT_VALUE);
    nla_nest_end(v.get(), bit);
    nla_nest_end(v.get(), list);
    nla_nest_end(v.get(), vs);
    EXPECT_FALSE(parse_bitset(first_attr(v.get()), b, error));
    EXPECT_FALSE(parse_bitset(nullptr, b, error));
}

TEST(EthtoolFeatures, ReadsHwTcOffloadFromAGetReply) {
    NlMsgPtr m = message();
    put_verbose_list(m.get(), ETHTOOL_A_FEATURES_HW, {{0, "rx-checksum"}, {55, "hw-tc-offload"}});
    put_verbose_list(m.get(), ETHTOOL_A_FEATURES_WANTED, {{55, "hw-tc-offload"}});
    put_verbose_list(m.get(), ETHTOOL_A_FEATURES_ACTIVE, {{0, "rx-checksum"}});
    FeatureState f;
    auto s = parse_features_reply(nlmsg_hdr(m.get()), "hw-tc-offload", f);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_TRUE(f.changeable);
    EXPECT_TRUE(f.wanted);
    EXPECT_FALSE(f.active);
    s = parse_features_reply(nlmsg_hdr(m.get()), "rx-checksum", f);
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(f.active);
    EXPECT_FALSE(f.wanted);

    NlMsgPtr broken = message();
    put_verbose_list(broken.get(), ETHTOOL_A_FEATURES_HW, {});
    EXPECT_EQ(parse_features_reply(nlmsg_hdr(broken.get()), "hw-tc-offload", f).error, EPROTO) << "no WANTED / ACTIVE";
}

TEST(EthtoolFeatures, ASetReplyListingTheFeatureIsARefusal) {
    // The kernel answers FEATURES_SET with WANTED = the requested bits that did not take effect.
    NlMsgPtr refused = message();
    ASSERT_TRUE(put_bitset_by_name(refused.get(), ETHTOOL_A_FEATURES_WANTED, {{"hw-tc-offload", true}}));
    auto s = check_set_reply(nlmsg_hdr(refused.get()), "hw-tc-offload");
    EXPECT_EQ(s.error, EOPNOTSUPP);
    EXPECT_EQ(s.reason, "hw-tc-offload stays off: the driver did not apply the change (see dmesg)");

    NlMsgPtr other = message();
    ASSERT_TRUE(put_bitset_by_name(other.get(), ETHTOOL_A_FEATURES_WANTED, {{"rx-gro-hw", true}}));
    EXPECT_TRUE(check_set_reply(nlmsg_hdr(other.get()), "hw-tc-offload").ok());
    EXPECT_TRUE(check_set_reply(nlmsg_hdr(message().get()), "hw-tc-offload").ok()) << "no WANTED: all applied";
}

}  // namespace
}  // namespace snoc::nic
