#include "offload/tc/flower_key_table.h"
#include "flow/enum_names.h"

#include <linux/pkt_cls.h>

#include <array>

#include "netlink/attr_policy.h"

namespace snoc::offload::tc {
namespace {

using flow::Field;

constexpr uint8_t kIcmp = 1, kTcp = 6, kUdp = 17, kIcmpv6 = 58, kSctp = 132;

#define SNOC_NO_MASK 0, ""

constexpr FlowerKey kKeys[] = {
    {Field::EthType, SNOC_NLA(TCA_FLOWER_KEY_ETH_TYPE), SNOC_NO_MASK, "protocol", KeyCodec::EthType, KeyMask::Exact,
     KeyPrint::Header, 0, false, "flower matches it only exactly"},
    {Field::VlanVid, SNOC_NLA(TCA_FLOWER_KEY_VLAN_ID), SNOC_NO_MASK, "vlan_id", KeyCodec::Host16, KeyMask::Exact,
     KeyPrint::Decimal, 0, false, "flower matches the VLAN id only exactly"},
    {Field::VlanPcp, SNOC_NLA(TCA_FLOWER_KEY_VLAN_PRIO), SNOC_NO_MASK, "vlan_prio", KeyCodec::Bytes, KeyMask::Exact,
     KeyPrint::Decimal, 0, false, "flower matches the VLAN priority only exactly"},
    {Field::EthType, SNOC_NLA(TCA_FLOWER_KEY_VLAN_ETH_TYPE), SNOC_NO_MASK, "vlan_ethtype", KeyCodec::VlanEthType,
     KeyMask::Exact, KeyPrint::EthTypeWord, 0, false, "flower matches it only exactly"},
    // tc reads ports and ICMP keys by the ip_proto given before them.
    {Field::IpProto, SNOC_NLA(TCA_FLOWER_KEY_IP_PROTO), SNOC_NO_MASK, "ip_proto", KeyCodec::Bytes, KeyMask::Exact,
     KeyPrint::IpProtoWord, 0, false, "flower matches it only exactly"},
    {Field::EthSrc, SNOC_NLA(TCA_FLOWER_KEY_ETH_SRC), SNOC_NLA(TCA_FLOWER_KEY_ETH_SRC_MASK), "src_mac",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::EthDst, SNOC_NLA(TCA_FLOWER_KEY_ETH_DST), SNOC_NLA(TCA_FLOWER_KEY_ETH_DST_MASK), "dst_mac",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::Ipv4Src, SNOC_NLA(TCA_FLOWER_KEY_IPV4_SRC), SNOC_NLA(TCA_FLOWER_KEY_IPV4_SRC_MASK), "src_ip",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::Ipv4Dst, SNOC_NLA(TCA_FLOWER_KEY_IPV4_DST), SNOC_NLA(TCA_FLOWER_KEY_IPV4_DST_MASK), "dst_ip",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::Ipv6Src, SNOC_NLA(TCA_FLOWER_KEY_IPV6_SRC), SNOC_NLA(TCA_FLOWER_KEY_IPV6_SRC_MASK), "src_ip",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::Ipv6Dst, SNOC_NLA(TCA_FLOWER_KEY_IPV6_DST), SNOC_NLA(TCA_FLOWER_KEY_IPV6_DST_MASK), "dst_ip",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::TunSrc, SNOC_NLA(TCA_FLOWER_KEY_ENC_IPV4_SRC), SNOC_NLA(TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK), "enc_src_ip",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::TunDst, SNOC_NLA(TCA_FLOWER_KEY_ENC_IPV4_DST), SNOC_NLA(TCA_FLOWER_KEY_ENC_IPV4_DST_MASK), "enc_dst_ip",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::IpTtl, SNOC_NLA(TCA_FLOWER_KEY_IP_TTL), SNOC_NLA(TCA_FLOWER_KEY_IP_TTL_MASK), "ip_ttl", KeyCodec::Bytes,
     KeyMask::Masked, KeyPrint::Syntax, 0, false, {}},
    {Field::IpDscp, SNOC_NLA(TCA_FLOWER_KEY_IP_TOS), SNOC_NLA(TCA_FLOWER_KEY_IP_TOS_MASK), "ip_tos", KeyCodec::Tos,
     KeyMask::Masked, KeyPrint::HexMasked, 0, false, {}},
    {Field::TpSrc, SNOC_NLA(TCA_FLOWER_KEY_TCP_SRC), SNOC_NLA(TCA_FLOWER_KEY_TCP_SRC_MASK), "src_port",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Number, kTcp, false, {}},
    {Field::TpSrc, SNOC_NLA(TCA_FLOWER_KEY_UDP_SRC), SNOC_NLA(TCA_FLOWER_KEY_UDP_SRC_MASK), "src_port",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Number, kUdp, false, {}},
    {Field::TpSrc, SNOC_NLA(TCA_FLOWER_KEY_SCTP_SRC), SNOC_NLA(TCA_FLOWER_KEY_SCTP_SRC_MASK), "src_port",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Number, kSctp, false, {}},
    {Field::TpDst, SNOC_NLA(TCA_FLOWER_KEY_TCP_DST), SNOC_NLA(TCA_FLOWER_KEY_TCP_DST_MASK), "dst_port",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Number, kTcp, false, {}},
    {Field::TpDst, SNOC_NLA(TCA_FLOWER_KEY_UDP_DST), SNOC_NLA(TCA_FLOWER_KEY_UDP_DST_MASK), "dst_port",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Number, kUdp, false, {}},
    {Field::TpDst, SNOC_NLA(TCA_FLOWER_KEY_SCTP_DST), SNOC_NLA(TCA_FLOWER_KEY_SCTP_DST_MASK), "dst_port",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::Number, kSctp, false, {}},
    {Field::TcpFlags, SNOC_NLA(TCA_FLOWER_KEY_TCP_FLAGS), SNOC_NLA(TCA_FLOWER_KEY_TCP_FLAGS_MASK), "tcp_flags",
     KeyCodec::Bytes, KeyMask::Masked, KeyPrint::HexMasked, 0, false, {}},
    // tc spells ICMP and ICMPv6 type / code alike; ip_proto (printed first) tells them apart.
    {Field::IcmpType, SNOC_NLA(TCA_FLOWER_KEY_ICMPV4_TYPE), SNOC_NLA(TCA_FLOWER_KEY_ICMPV4_TYPE_MASK), "type",
     KeyCodec::Bytes, KeyMask::Full, KeyPrint::Decimal, kIcmp, true, {}},
    {Field::IcmpType, SNOC_NLA(TCA_FLOWER_KEY_ICMPV6_TYPE), SNOC_NLA(TCA_FLOWER_KEY_ICMPV6_TYPE_MASK), "type",
     KeyCodec::Bytes, KeyMask::Full, KeyPrint::Decimal, kIcmpv6, false, {}},
    {Field::IcmpCode, SNOC_NLA(TCA_FLOWER_KEY_ICMPV4_CODE), SNOC_NLA(TCA_FLOWER_KEY_ICMPV4_CODE_MASK), "code",
     KeyCodec::Bytes, KeyMask::Full, KeyPrint::Decimal, kIcmp, true, {}},
    {Field::IcmpCode, SNOC_NLA(TCA_FLOWER_KEY_ICMPV6_CODE), SNOC_NLA(TCA_FLOWER_KEY_ICMPV6_CODE_MASK), "code",
     KeyCodec::Bytes, KeyMask::Full, KeyPrint::Decimal, kIcmpv6, false, {}},
    {Field::CtState, SNOC_NLA(TCA_FLOWER_KEY_CT_STATE), SNOC_NLA(TCA_FLOWER_KEY_CT_STATE_MASK), "ct_state",
     KeyCodec::CtFlags, KeyMask::Masked, KeyPrint::CtFlags, 0, false, {}},
    {Field::CtZone, SNOC_NLA(TCA_FLOWER_KEY_CT_ZONE), SNOC_NLA(TCA_FLOWER_KEY_CT_ZONE_MASK), "ct_zone",
     KeyCodec::Host16, KeyMask::Full, KeyPrint::Decimal, 0, false, {}},
    {Field::CtMark, SNOC_NLA(TCA_FLOWER_KEY_CT_MARK), SNOC_NLA(TCA_FLOWER_KEY_CT_MARK_MASK), "ct_mark",
     KeyCodec::Host32, KeyMask::Masked, KeyPrint::HexMasked, 0, false, {}},
    {Field::TunId, SNOC_NLA(TCA_FLOWER_KEY_ENC_KEY_ID), SNOC_NO_MASK, "enc_key_id", KeyCodec::TunnelId, KeyMask::Exact,
     KeyPrint::Decimal, 0, false, "flower matches the tunnel key only exactly"},
};

#undef SNOC_NO_MASK

// trk first: tc prints and documents ct_state that way.
constexpr std::array<CtFlag, 6> kCtFlags = {{
    {flow::kCtTrk, TCA_FLOWER_KEY_CT_FLAGS_TRACKED},
    {flow::kCtNew, TCA_FLOWER_KEY_CT_FLAGS_NEW},
    {flow::kCtEst, TCA_FLOWER_KEY_CT_FLAGS_ESTABLISHED},
    {flow::kCtRel, TCA_FLOWER_KEY_CT_FLAGS_RELATED},
    {flow::kCtRpl, TCA_FLOWER_KEY_CT_FLAGS_REPLY},
    {flow::kCtInv, TCA_FLOWER_KEY_CT_FLAGS_INVALID},
}};

}  // namespace

std::span<const FlowerKey> flower_keys() { return kKeys; }

std::span<const CtFlag> flower_ct_flags() { return kCtFlags; }

std::string_view ip_proto_name(uint8_t proto) {
    switch (proto) {
        case kIcmp: return "icmp";
        case kTcp: return "tcp";
        case kUdp: return "udp";
        case kIcmpv6: return "icmpv6";
        case kSctp: return "sctp";
        default: return {};
    }
}

bool has_vlan(const flow::Match& m) { return m.has(Field::VlanVid) || m.has(Field::VlanPcp); }

bool key_present(const FlowerKey& k, const flow::Match& m) {
    switch (k.codec) {
        case KeyCodec::Tos: return m.has(Field::IpDscp) || m.has(Field::IpEcn);
        case KeyCodec::EthType: return m.has(Field::EthType) || has_vlan(m);  // a tag's TPID needs no eth_type
        case KeyCodec::VlanEthType: return m.has(Field::EthType) && has_vlan(m);
        default: return m.has(k.field);
    }
}

TosByte tos_byte(const flow::Match& m) {
    unsigned value = 0, mask = 0;
    if (m.has(Field::IpDscp)) {
        value |= static_cast<unsigned>(m.get(Field::IpDscp).value[0]) << 2;
        mask |= static_cast<unsigned>(m.get(Field::IpDscp).mask[0]) << 2;
    }
    if (m.has(Field::IpEcn)) {
        value |= m.get(Field::IpEcn).value[0] & 3u;
        mask |= m.get(Field::IpEcn).mask[0] & 3u;
    }
    return {static_cast<uint8_t>(value), static_cast<uint8_t>(mask)};
}

size_t key_bytes(const FlowerKey& k) {
    switch (k.codec) {
        case KeyCodec::Bytes: return flow::field_info(k.field).bytes;
        case KeyCodec::Host16:
        case KeyCodec::CtFlags:
        case KeyCodec::EthType:
        case KeyCodec::VlanEthType: return 2;
        case KeyCodec::Host32:
        case KeyCodec::TunnelId: return 4;
        case KeyCodec::Tos: return 1;
    }
    return 0;
}

std::string_view to_string(KeyCodec c) {
    static constexpr std::array<std::string_view, 8> kNames{
        "bytes", "host16", "host32", "tunnel_id", "ct_flags", "tos", "eth_type", "vlan_eth_type"};
    static_assert(names_cover(kNames, KeyCodec::VlanEthType));
    return name_of(c, kNames);
}

std::string_view to_string(KeyMask m) {
    static constexpr std::array<std::string_view, 3> kNames{"masked", "exact", "full"};
    static_assert(names_cover(kNames, KeyMask::Full));
    return name_of(m, kNames);
}

std::string_view to_string(KeyPrint p) {
    static constexpr std::array<std::string_view, 8> kNames{
        "syntax", "number", "decimal", "hex_masked", "ip_proto_word", "eth_type_word", "ct_flags", "header"};
    static_assert(names_cover(kNames, KeyPrint::Header));
    return name_of(p, kNames);
}

}  // namespace snoc::offload::tc
