// netlink/attr_policy: every attribute kind on both sides of its length
// limit (the minimum accepted, one byte short refused naming the attribute),
// strings that are not NUL-terminated, and attributes without a rule.
#include <gtest/gtest.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "netlink/attr_policy.h"
#include "netlink/message_ptr.h"

namespace snoc::netlink {
namespace {

struct Sample {
    uint32_t a = 0;
    uint16_t b = 0;
    uint8_t c[6] = {};
};

enum : int { kFlag = 1, kU8, kU16, kU32, kU64, kString, kNested, kStruct, kUnruled, kMax = kUnruled };

const AttrPolicy kPolicy{"test message",
                         {
                             flag_attr(kFlag, "T_FLAG"),
                             u8_attr(kU8, "T_U8"),
                             u16_attr(kU16, "T_U16"),
                             u32_attr(kU32, "T_U32"),
                             u64_attr(kU64, "T_U64"),
                             string_attr(kString, "T_STRING"),
                             nested_attr(kNested, "T_NESTED"),
                             struct_attr<Sample>(kStruct, "T_STRUCT"),
                         }};

// A message with one attribute of `type` holding `len` bytes of `fill`.
NlMsgPtr message_with(int type, size_t len, uint8_t fill = 0x41) {
    NlMsgPtr m(nlmsg_alloc_simple(0, 0));
    const std::vector<uint8_t> payload(len, fill);
    EXPECT_GE(nla_put(m.get(), type, static_cast<int>(len), payload.data()), 0);
    return m;
}

Status parse(const NlMsgPtr& m, std::vector<nlattr*>& tb) {
    tb.assign(kMax + 1, nullptr);
    return parse_message(tb, kPolicy, nlmsg_hdr(m.get()), 0);
}

struct LengthCase {
    int type;
    const char* name;
    size_t min_len;
};

TEST(AttrPolicyTest, EveryKindAcceptsItsMinimumAndRefusesOneByteLessNamingTheAttribute) {
    const std::vector<LengthCase> cases = {
        {kU8, "T_U8", 1}, {kU16, "T_U16", 2}, {kU32, "T_U32", 4}, {kU64, "T_U64", 8}, {kStruct, "T_STRUCT", sizeof(Sample)},
    };
    for (const auto& c : cases) {
        std::vector<nlattr*> tb;
        NlMsgPtr exact = message_with(c.type, c.min_len);
        EXPECT_TRUE(parse(exact, tb).ok()) << c.name;
        ASSERT_NE(tb[static_cast<size_t>(c.type)], nullptr) << c.name;
        EXPECT_EQ(nla_len(tb[static_cast<size_t>(c.type)]), static_cast<int>(c.min_len));

        NlMsgPtr short_one = message_with(c.type, c.min_len - 1);
        const Status s = parse(short_one, tb);
        EXPECT_EQ(s.error, EINVAL) << c.name;
        EXPECT_NE(s.reason.find(c.name), std::string::npos) << s.reason;
        EXPECT_NE(s.reason.find("test message"), std::string::npos) << s.reason;
        EXPECT_NE(s.reason.find(std::to_string(c.min_len - 1) + " bytes"), std::string::npos) << s.reason;
    }
}

TEST(AttrPolicyTest, LongerThanTheMinimumIsAccepted) {
    // Kernels newer than our headers send longer structs.
    std::vector<nlattr*> tb;
    NlMsgPtr m = message_with(kStruct, sizeof(Sample) + 8);
    EXPECT_TRUE(parse(m, tb).ok());
}

TEST(AttrPolicyTest, StringsNeedTheirNul) {
    std::vector<nlattr*> tb;
    NlMsgPtr empty = message_with(kString, 1, 0);  // "" is one NUL byte: the minimum
    EXPECT_TRUE(parse(empty, tb).ok());

    NlMsgPtr none = message_with(kString, 0);
    Status s = parse(none, tb);
    EXPECT_EQ(s.error, EINVAL);
    EXPECT_NE(s.reason.find("T_STRING"), std::string::npos) << s.reason;

    NlMsgPtr unterminated = message_with(kString, 3, 'x');
    s = parse(unterminated, tb);
    EXPECT_EQ(s.error, EINVAL);
    EXPECT_NE(s.reason.find("T_STRING is not NUL-terminated"), std::string::npos) << s.reason;
}

TEST(AttrPolicyTest, FlagsAndNestsMayBeEmpty) {
    std::vector<nlattr*> tb;
    NlMsgPtr flag = message_with(kFlag, 0);
    EXPECT_TRUE(parse(flag, tb).ok());
    EXPECT_NE(tb[kFlag], nullptr);
    NlMsgPtr nest = message_with(kNested, 0);
    EXPECT_TRUE(parse(nest, tb).ok());
}

TEST(AttrPolicyTest, AttributesWithoutARuleAreKeptUnchecked) {
    std::vector<nlattr*> tb;
    NlMsgPtr unruled = message_with(kUnruled, 0);
    EXPECT_TRUE(parse(unruled, tb).ok());
    EXPECT_NE(tb[kUnruled], nullptr);
}

TEST(AttrPolicyTest, TypesBeyondTheTableAreSkipped) {
    std::vector<nlattr*> tb;
    NlMsgPtr m = message_with(kMax + 5, 1);
    ASSERT_GE(nla_put_u32(m.get(), kU32, 7), 0);
    EXPECT_TRUE(parse(m, tb).ok());
    ASSERT_NE(tb[kU32], nullptr);
    EXPECT_EQ(nla_get_u32(tb[kU32]), 7u);
}

TEST(AttrPolicyTest, NestedAttributesAreCheckedAgainstTheNestsPolicy) {
    const AttrPolicy inner{"inner nest", {u16_attr(1, "T_INNER")}};
    NlMsgPtr m(nlmsg_alloc_simple(0, 0));
    nlattr* nest = nla_nest_start(m.get(), kNested);
    const uint8_t one = 1;
    ASSERT_GE(nla_put(m.get(), 1, 1, &one), 0);
    nla_nest_end(m.get(), nest);

    std::vector<nlattr*> tb;
    ASSERT_TRUE(parse(m, tb).ok());
    nlattr* in[2] = {};
    const Status s = parse_nested(in, inner, tb[kNested]);
    EXPECT_EQ(s.error, EINVAL);
    EXPECT_NE(s.reason.find("inner nest: T_INNER has 1 bytes"), std::string::npos) << s.reason;
    EXPECT_EQ(parse_nested(in, inner, nullptr).error, EINVAL) << "a missing nest is malformed, not a crash";
}

TEST(AttrPolicyTest, RulesAreFoundByType) {
    ASSERT_NE(kPolicy.rule(kU16), nullptr);
    EXPECT_EQ(kPolicy.rule(kU16)->name, "T_U16");
    EXPECT_EQ(kPolicy.rule(kUnruled), nullptr);
    EXPECT_EQ(kPolicy.rule(-1), nullptr);
    EXPECT_EQ(kPolicy.rule(1000), nullptr);
}

TEST(AttrPolicyTest, EveryAttrTypeHasAName) {
    for (AttrType t : {AttrType::Flag, AttrType::U8, AttrType::U16, AttrType::U32, AttrType::U64, AttrType::String,
                       AttrType::Nested, AttrType::Bytes}) {
        EXPECT_FALSE(to_string(t).empty());
    }
    EXPECT_EQ(to_string(AttrType::U32), "u32");
}

}  // namespace
}  // namespace snoc::netlink
