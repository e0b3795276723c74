// flower_key_table.cpp drives all three directions: for every row, the
// encoder writes the row's attribute, the decoder gives the field back and
// the printed `tc filter add` carries the row's word. Three keys are also
// checked byte for byte against what the kernel's flower expects.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>
#include <string>
#include <vector>

#include "netlink/attr_policy.h"
#include "netlink/message_ptr.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/flower_key_table.h"
#include "offload/tc/flower_keys.h"
#include "offload/tc/flower_message.h"
#include "offload/tc/tc_command.h"

namespace snoc::offload::tc {
namespace {

using flow::Field;

// A match that makes `k` the row the encoder uses: the field with a value of
// 1 under its full mask, plus what the row needs around it.
flow::Match sample_match(const FlowerKey& k) {
    flow::Match m;
    if (k.ip_proto) m.set_exact_uint(Field::IpProto, k.ip_proto);
    if (k.codec == KeyCodec::VlanEthType) m.set_exact_uint(Field::VlanVid, 7);
    switch (k.field) {
        case Field::EthType: m.set_exact_uint(k.field, 0x0800); break;
        case Field::IpProto: m.set_exact_uint(k.field, 6); break;
        case Field::CtState:
            m.set(k.field, flow::Masked::from_uint(flow::kCtTrk | flow::kCtEst, flow::kCtTrk | flow::kCtEst | flow::kCtNew, 4));
            break;
        default: {
            flow::Masked v = flow::full_mask(k.field);
            v.value[flow::field_info(k.field).bytes - 1] = 1;
            m.set(k.field, v);
        }
    }
    return m;
}

struct Encoded {
    netlink::NlMsgPtr msg;
    std::vector<nlattr*> tb;
};

// encode_match inside a TCA_OPTIONS nest, parsed back with the table's policy.
Encoded encode(const flow::Match& m) {
    Encoded e{netlink::NlMsgPtr(nlmsg_alloc()), std::vector<nlattr*>(TCA_FLOWER_MAX + 1, nullptr)};
    nlattr* nest = nla_nest_start(e.msg.get(), TCA_OPTIONS);
    const Status s = encode_match(e.msg.get(), m);
    EXPECT_TRUE(s.ok()) << to_string(s);
    nla_nest_end(e.msg.get(), nest);
    static const netlink::AttrPolicy policy("flower options", flower_key_rules());
    const Status p = netlink::parse_nested(e.tb, policy, nest);
    EXPECT_TRUE(p.ok()) << to_string(p);
    return e;
}

// The payload of `attr` as encoded; empty when it was not written.
std::vector<uint8_t> payload(const Encoded& e, int attr) {
    const nlattr* a = e.tb[static_cast<size_t>(attr)];
    if (!a) return {};
    const auto* data = static_cast<const uint8_t*>(nla_data(a));
    return {data, data + nla_len(a)};
}

using Bytes = std::vector<uint8_t>;

std::string command_for(const flow::Match& m) {
    TcRule r;
    r.dev = "rep0";
    r.prio = 1;
    r.handle = 1;
    r.flow.match = m;
    r.flow.actions = {flow::Drop{}};
    return tc_command(r, TranslateContext{});
}

TEST(TcKeyTable, EveryRowEncodesDecodesAndPrints) {
    ASSERT_FALSE(flower_keys().empty());
    for (const FlowerKey& k : flower_keys()) {
        SCOPED_TRACE(std::string(k.key_name) + " (" + std::string(k.word) + ")");
        const flow::Match m = sample_match(k);
        Encoded e = encode(m);
        EXPECT_NE(e.tb[static_cast<size_t>(k.key)], nullptr) << "the row's attribute is written";
        if (k.mask) {
            EXPECT_NE(e.tb[static_cast<size_t>(k.mask)], nullptr) << "and its mask";
        }
        EXPECT_EQ(nla_len(e.tb[static_cast<size_t>(k.key)]), static_cast<int>(key_bytes(k)));

        flow::Match back;
        ASSERT_TRUE(decode_match(e.tb.data(), back).ok());
        ASSERT_TRUE(back.has(k.field));
        EXPECT_EQ(back.get(k.field), m.get(k.field));

        EXPECT_NE(command_for(m).find(" " + std::string(k.word) + " "), std::string::npos) << command_for(m);
    }
}

TEST(TcKeyTable, EveryRowHasNamesAndAPolicyRule) {
    const netlink::AttrPolicy policy("flower options", flower_key_rules());
    for (const FlowerKey& k : flower_keys()) {
        EXPECT_FALSE(k.key_name.empty());
        EXPECT_FALSE(k.word.empty());
        EXPECT_EQ(k.mask == 0, k.mask_name.empty()) << k.key_name;
        ASSERT_NE(policy.rule(k.key), nullptr) << k.key_name;
        EXPECT_EQ(policy.rule(k.key)->min_len, key_bytes(k)) << k.key_name;
        EXPECT_FALSE(to_string(k.codec).empty());
        EXPECT_FALSE(to_string(k.mask_kind).empty());
        EXPECT_FALSE(to_string(k.print).empty());
    }
}

TEST(TcKeyTable, DstMacIsSixBytesWithItsMask) {
    flow::Match m;
    m.set(Field::EthDst, flow::Masked{{0x02, 0x11, 0x22, 0, 0, 0}, {0xff, 0xff, 0xff, 0, 0, 0}});
    const Encoded e = encode(m);
    EXPECT_EQ(payload(e, TCA_FLOWER_KEY_ETH_DST), (Bytes{0x02, 0x11, 0x22, 0, 0, 0}));
    EXPECT_EQ(payload(e, TCA_FLOWER_KEY_ETH_DST_MASK), (Bytes{0xff, 0xff, 0xff, 0, 0, 0}));
    EXPECT_NE(command_for(m).find(" dst_mac 02:11:22:00:00:00/ff:ff:ff:00:00:00"), std::string::npos) << command_for(m);
}

TEST(TcKeyTable, VlanIdIsAHostOrderU16BehindAn8021QEthType) {
    flow::Match m;
    m.set_exact_uint(Field::VlanVid, 100);
    const Encoded e = encode(m);
    uint16_t host = 100;
    Bytes want(2);
    std::memcpy(want.data(), &host, 2);  // host order, unlike most flower keys
    EXPECT_EQ(payload(e, TCA_FLOWER_KEY_VLAN_ID), want);
    EXPECT_EQ(payload(e, TCA_FLOWER_KEY_ETH_TYPE), (Bytes{0x81, 0x00})) << "the tag's TPID";
    EXPECT_TRUE(payload(e, TCA_FLOWER_KEY_VLAN_ETH_TYPE).empty()) << "no inner ethertype without eth_type";
    EXPECT_NE(command_for(m).find(" vlan_id 100"), std::string::npos) << command_for(m);
}

TEST(TcKeyTable, EncKeyIdIsANetworkOrderU32) {
    flow::Match m;
    m.set_exact_uint(Field::TunId, 5001);
    EXPECT_EQ(payload(encode(m), TCA_FLOWER_KEY_ENC_KEY_ID), (Bytes{0x00, 0x00, 0x13, 0x89}));
    EXPECT_NE(command_for(m).find(" enc_key_id 5001"), std::string::npos) << command_for(m);
}

TEST(TcKeyTable, PortsWithoutTheirProtocolNameTheFieldAndTheProtocols) {
    flow::Match m;
    m.set_exact_uint(Field::IpProto, 1);
    m.set_exact_uint(Field::TpSrc, 80);
    netlink::NlMsgPtr msg(nlmsg_alloc());
    const Status s = encode_match(msg.get(), m);
    EXPECT_EQ(s.error, EOPNOTSUPP);
    EXPECT_NE(s.reason.find("tp_src"), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find("tcp, udp or sctp"), std::string::npos) << s.reason;
}

// The policy the table gives decoding: a key shorter than its row says is an
// error naming the attribute, not a read past its end.
TEST(TcKeyTable, AShortKeyInADumpedFilterIsRefusedNamingIt) {
    netlink::NlMsgPtr m(nlmsg_alloc());
    ASSERT_NE(nlmsg_put(m.get(), 0, 0, RTM_NEWTFILTER, 0, 0), nullptr);
    tcmsg t{};
    t.tcm_handle = 1;
    ASSERT_GE(nlmsg_append(m.get(), &t, sizeof t, NLMSG_ALIGNTO), 0);
    ASSERT_GE(nla_put_string(m.get(), TCA_KIND, "flower"), 0);
    nlattr* opts = nla_nest_start(m.get(), TCA_OPTIONS);
    const uint8_t four[4] = {2, 0, 0, 0};
    ASSERT_GE(nla_put(m.get(), TCA_FLOWER_KEY_ETH_DST, 4, four), 0);
    nla_nest_end(m.get(), opts);
    TcRuleState st;
    const Status s = decode_filter(nlmsg_hdr(m.get()), TranslateContext{}, st);
    EXPECT_EQ(s.error, EINVAL);
    EXPECT_NE(s.reason.find("TCA_FLOWER_KEY_ETH_DST has 4 bytes"), std::string::npos) << s.reason;
}

TEST(TcActionRegistry, EveryKindIsFoundByItsName) {
    ASSERT_EQ(action_kinds().size(), 8u);
    for (const ActionKind* k : action_kinds()) {
        EXPECT_EQ(find_action_kind(k->kind), k);
        EXPECT_NE(k->encode, nullptr);
        EXPECT_NE(k->print, nullptr);
        EXPECT_NE(k->decode, nullptr);
        EXPECT_GT(k->tm_attr, 0) << k->kind;
    }
    EXPECT_EQ(find_action_kind("skbedit"), nullptr);
}

}  // namespace
}  // namespace snoc::offload::tc
