// Canonical match <-> flower keys (TCA_FLOWER_KEY_*). One table holds the
// fields that map one to one; the few that do not (VLAN, L4 ports, ICMP,
// DSCP/ECN, tunnel key, conntrack) have a small function each.
#include "offload/tc/flower_keys.h"

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <netlink/attr.h>
#include <arpa/inet.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <tuple>

namespace snoc::offload::tc {
namespace {

using flow::Field;
using flow::Masked;

// Byte order of a flower attribute: most keys are big-endian like our model;
// a few (VLAN id, conntrack zone and mark) are host order.
enum class Order : uint8_t { Network, Host };

struct DirectKey {
    Field field;
    int key;
    int mask;  // 0: flower has no mask for it (exact match only)
    Order order;
};

// Fields whose flower key has the same width as the canonical field.
constexpr std::array<DirectKey, 11> kDirect = {{
    {Field::EthSrc, TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK, Order::Network},
    {Field::EthDst, TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK, Order::Network},
    {Field::Ipv4Src, TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK, Order::Network},
    {Field::Ipv4Dst, TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK, Order::Network},
    {Field::Ipv6Src, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK, Order::Network},
    {Field::Ipv6Dst, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK, Order::Network},
    {Field::IpTtl, TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK, Order::Network},
    {Field::TcpFlags, TCA_FLOWER_KEY_TCP_FLAGS, TCA_FLOWER_KEY_TCP_FLAGS_MASK, Order::Network},
    {Field::TunSrc, TCA_FLOWER_KEY_ENC_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK, Order::Network},
    {Field::TunDst, TCA_FLOWER_KEY_ENC_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST_MASK, Order::Network},
    {Field::CtMark, TCA_FLOWER_KEY_CT_MARK, TCA_FLOWER_KEY_CT_MARK_MASK, Order::Host},
}};

constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoSctp = 132, kProtoIcmpv6 = 58;

// OVS ct_state bit -> flower ct flag. snat / dnat have no flower flag.
constexpr std::array<std::pair<uint32_t, uint16_t>, 6> kCtBits = {{
    {flow::kCtNew, TCA_FLOWER_KEY_CT_FLAGS_NEW},
    {flow::kCtEst, TCA_FLOWER_KEY_CT_FLAGS_ESTABLISHED},
    {flow::kCtRel, TCA_FLOWER_KEY_CT_FLAGS_RELATED},
    {flow::kCtRpl, TCA_FLOWER_KEY_CT_FLAGS_REPLY},
    {flow::kCtInv, TCA_FLOWER_KEY_CT_FLAGS_INVALID},
    {flow::kCtTrk, TCA_FLOWER_KEY_CT_FLAGS_TRACKED},
}};

Status unsupported(Field f, const std::string& why) {
    return Status::failure(EOPNOTSUPP, std::string(to_string(f)) + ": " + why);
}

Status put(nl_msg* msg, int attr, const void* data, size_t len) {
    if (nla_put(msg, attr, static_cast<int>(len), data) < 0) {
        return Status::failure(EMSGSIZE, "netlink message full");
    }
    return Status::success();
}

template <typename T>
Status put_value(nl_msg* msg, int attr, T v) {
    return put(msg, attr, &v, sizeof v);
}

// Copies `n` network-order bytes into host order of a same-size integer.
template <typename T>
T host_from(const std::array<uint8_t, 16>& be) {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | be[i];
    return static_cast<T>(v);
}

Status put_direct(nl_msg* msg, const DirectKey& d, const Masked& m) {
    const size_t n = flow::field_info(d.field).bytes;
    if (d.order == Order::Network) {
        if (auto s = put(msg, d.key, m.value.data(), n); !s.ok()) return s;
        return d.mask ? put(msg, d.mask, m.mask.data(), n) : Status::success();
    }
    // Host-order keys here are all 32-bit (ct_mark).
    if (auto s = put_value(msg, d.key, host_from<uint32_t>(m.value)); !s.ok()) return s;
    return put_value(msg, d.mask, host_from<uint32_t>(m.mask));
}

uint8_t exact_u8(const flow::Match& m, Field f) { return m.get(f).value[0]; }

std::optional<uint64_t> exact(const flow::Match& m, Field f) {
    if (!m.has(f) || !flow::is_exact(f, m.get(f))) return std::nullopt;
    return m.get(f).value_uint(flow::field_info(f).bytes);
}

Status put_ports(nl_msg* msg, const flow::Match& m) {
    if (!m.has(Field::TpSrc) && !m.has(Field::TpDst)) return Status::success();
    int src = 0, dst = 0, src_mask = 0, dst_mask = 0;
    switch (exact(m, Field::IpProto).value_or(0)) {
        case kProtoTcp:
            src = TCA_FLOWER_KEY_TCP_SRC, src_mask = TCA_FLOWER_KEY_TCP_SRC_MASK;
            dst = TCA_FLOWER_KEY_TCP_DST, dst_mask = TCA_FLOWER_KEY_TCP_DST_MASK;
            break;
        case kProtoUdp:
            src = TCA_FLOWER_KEY_UDP_SRC, src_mask = TCA_FLOWER_KEY_UDP_SRC_MASK;
            dst = TCA_FLOWER_KEY_UDP_DST, dst_mask = TCA_FLOWER_KEY_UDP_DST_MASK;
            break;
        case kProtoSctp:
            src = TCA_FLOWER_KEY_SCTP_SRC, src_mask = TCA_FLOWER_KEY_SCTP_SRC_MASK;
            dst = TCA_FLOWER_KEY_SCTP_DST, dst_mask = TCA_FLOWER_KEY_SCTP_DST_MASK;
            break;
        default: return unsupported(Field::TpDst, "L4 ports need tcp, udp or sctp");
    }
    for (auto [f, key, mask] : {std::tuple{Field::TpSrc, src, src_mask}, std::tuple{Field::TpDst, dst, dst_mask}}) {
        if (!m.has(f)) continue;
        if (auto s = put(msg, key, m.get(f).value.data(), 2); !s.ok()) return s;
        if (auto s = put(msg, mask, m.get(f).mask.data(), 2); !s.ok()) return s;
    }
    return Status::success();
}

Status put_icmp(nl_msg* msg, const flow::Match& m) {
    if (!m.has(Field::IcmpType) && !m.has(Field::IcmpCode)) return Status::success();
    const bool v6 = exact(m, Field::IpProto) == kProtoIcmpv6;
    const int type = v6 ? TCA_FLOWER_KEY_ICMPV6_TYPE : TCA_FLOWER_KEY_ICMPV4_TYPE;
    const int code = v6 ? TCA_FLOWER_KEY_ICMPV6_CODE : TCA_FLOWER_KEY_ICMPV4_CODE;
    for (auto [f, key] : {std::pair{Field::IcmpType, type}, std::pair{Field::IcmpCode, code}}) {
        if (!m.has(f)) continue;
        if (auto s = put_value<uint8_t>(msg, key, exact_u8(m, f)); !s.ok()) return s;
        if (auto s = put_value<uint8_t>(msg, key + 1, 0xff); !s.ok()) return s;  // *_MASK follows each key
    }
    return Status::success();
}

// DSCP and ECN share the TOS byte in flower.
Status put_tos(nl_msg* msg, const flow::Match& m) {
    if (!m.has(Field::IpDscp) && !m.has(Field::IpEcn)) return Status::success();
    uint8_t tos = 0, mask = 0;
    if (m.has(Field::IpDscp)) {
        tos |= static_cast<uint8_t>(m.get(Field::IpDscp).value[0] << 2);
        mask |= static_cast<uint8_t>(m.get(Field::IpDscp).mask[0] << 2);
    }
    if (m.has(Field::IpEcn)) {
        tos |= m.get(Field::IpEcn).value[0] & 3;
        mask |= m.get(Field::IpEcn).mask[0] & 3;
    }
    if (auto s = put_value(msg, TCA_FLOWER_KEY_IP_TOS, tos); !s.ok()) return s;
    return put_value(msg, TCA_FLOWER_KEY_IP_TOS_MASK, mask);
}

Status put_eth_and_vlan(nl_msg* msg, const flow::Match& m) {
    const auto eth_type = exact(m, Field::EthType);
    if (m.has(Field::EthType) && !eth_type) return unsupported(Field::EthType, "flower matches it only exactly");
    const bool vlan = m.has(Field::VlanVid) || m.has(Field::VlanPcp);
    if (!vlan) {
        return eth_type ? put_value(msg, TCA_FLOWER_KEY_ETH_TYPE, htons(static_cast<uint16_t>(*eth_type)))
                        : Status::success();
    }
    // A tagged frame: flower's ETH_TYPE is the tag's TPID, VLAN_ETH_TYPE the inner type.
    if (auto s = put_value(msg, TCA_FLOWER_KEY_ETH_TYPE, htons(ETH_P_8021Q)); !s.ok()) return s;
    if (m.has(Field::VlanVid)) {
        const auto vid = exact(m, Field::VlanVid);
        if (!vid) return unsupported(Field::VlanVid, "flower matches the VLAN id only exactly");
        if (auto s = put_value<uint16_t>(msg, TCA_FLOWER_KEY_VLAN_ID, static_cast<uint16_t>(*vid)); !s.ok()) return s;
    }
    if (m.has(Field::VlanPcp)) {
        const auto pcp = exact(m, Field::VlanPcp);
        if (!pcp) return unsupported(Field::VlanPcp, "flower matches the VLAN priority only exactly");
        if (auto s = put_value<uint8_t>(msg, TCA_FLOWER_KEY_VLAN_PRIO, static_cast<uint8_t>(*pcp)); !s.ok()) return s;
    }
    return eth_type ? put_value(msg, TCA_FLOWER_KEY_VLAN_ETH_TYPE, htons(static_cast<uint16_t>(*eth_type)))
                    : Status::success();
}

Status put_tunnel_id(nl_msg* msg, const flow::Match& m) {
    if (!m.has(Field::TunId)) return Status::success();
    const auto id = exact(m, Field::TunId);
    if (!id) return unsupported(Field::TunId, "flower matches the tunnel key only exactly");
    if (*id > 0xffffffffu) return unsupported(Field::TunId, "flower tunnel keys are 32 bits");
    return put_value(msg, TCA_FLOWER_KEY_ENC_KEY_ID, htonl(static_cast<uint32_t>(*id)));
}

Status put_conntrack(nl_msg* msg, const flow::Match& m) {
    if (m.has(Field::CtState)) {
        const uint32_t v = static_cast<uint32_t>(m.get(Field::CtState).value_uint(4));
        const uint32_t mk = static_cast<uint32_t>(m.get(Field::CtState).mask_uint(4));
        if (mk & (flow::kCtSnat | flow::kCtDnat)) {
            return unsupported(Field::CtState, "flower has no snat / dnat state flags");
        }
        uint16_t fv = 0, fm = 0;
        for (auto [ovs_bit, flower_bit] : kCtBits) {
            if (v & ovs_bit) fv |= flower_bit;
            if (mk & ovs_bit) fm |= flower_bit;
        }
        if (auto s = put_value(msg, TCA_FLOWER_KEY_CT_STATE, fv); !s.ok()) return s;
        if (auto s = put_value(msg, TCA_FLOWER_KEY_CT_STATE_MASK, fm); !s.ok()) return s;
    }
    if (m.has(Field::CtZone)) {
        const auto zone = static_cast<uint16_t>(m.get(Field::CtZone).value_uint(2));
        if (auto s = put_value(msg, TCA_FLOWER_KEY_CT_ZONE, zone); !s.ok()) return s;
        if (auto s = put_value<uint16_t>(msg, TCA_FLOWER_KEY_CT_ZONE_MASK, 0xffff); !s.ok()) return s;
    }
    return Status::success();
}

// --- decoding ---------------------------------------------------------------

bool has(nlattr* tb[], int attr) { return tb[attr] != nullptr; }

Masked bytes_of(nlattr* key, nlattr* mask, size_t n) {
    Masked m;
    std::memcpy(m.value.data(), nla_data(key), std::min<size_t>(n, static_cast<size_t>(nla_len(key))));
    if (mask) std::memcpy(m.mask.data(), nla_data(mask), std::min<size_t>(n, static_cast<size_t>(nla_len(mask))));
    else std::fill(m.mask.begin(), m.mask.begin() + static_cast<long>(n), 0xff);
    return m;
}

void get_direct(nlattr* tb[], const DirectKey& d, flow::Match& out) {
    if (!has(tb, d.key)) return;
    const size_t n = flow::field_info(d.field).bytes;
    if (d.order == Order::Network) {
        out.set(d.field, bytes_of(tb[d.key], d.mask ? tb[d.mask] : nullptr, n));
        return;
    }
    const uint32_t v = nla_get_u32(tb[d.key]);
    const uint32_t mk = has(tb, d.mask) ? nla_get_u32(tb[d.mask]) : 0xffffffffu;
    out.set(d.field, Masked::from_uint(v, mk, n));
}

}  // namespace

Status encode_match(nl_msg* msg, const flow::Match& m) {
    for (const DirectKey& d : kDirect) {
        if (!m.has(d.field)) continue;
        if (auto s = put_direct(msg, d, m.get(d.field)); !s.ok()) return s;
    }
    if (auto s = put_eth_and_vlan(msg, m); !s.ok()) return s;
    if (m.has(Field::IpProto)) {
        const auto proto = exact(m, Field::IpProto);
        if (!proto) return unsupported(Field::IpProto, "flower matches it only exactly");
        if (auto s = put_value<uint8_t>(msg, TCA_FLOWER_KEY_IP_PROTO, static_cast<uint8_t>(*proto)); !s.ok()) return s;
    }
    if (auto s = put_ports(msg, m); !s.ok()) return s;
    if (auto s = put_icmp(msg, m); !s.ok()) return s;
    if (auto s = put_tos(msg, m); !s.ok()) return s;
    if (auto s = put_tunnel_id(msg, m); !s.ok()) return s;
    return put_conntrack(msg, m);
}

Status decode_match(nlattr* tb[], flow::Match& out) {
    for (const DirectKey& d : kDirect) get_direct(tb, d, out);

    // The kernel echoes a VLAN match as VLAN_ID / VLAN_PRIO, the inner type as
    // VLAN_ETH_TYPE, and ETH_TYPE as the inner type too (or the TPID when no
    // inner type was given).
    std::optional<uint16_t> eth_type;
    if (has(tb, TCA_FLOWER_KEY_ETH_TYPE)) eth_type = ntohs(nla_get_u16(tb[TCA_FLOWER_KEY_ETH_TYPE]));
    if (has(tb, TCA_FLOWER_KEY_VLAN_ETH_TYPE)) eth_type = ntohs(nla_get_u16(tb[TCA_FLOWER_KEY_VLAN_ETH_TYPE]));
    if (eth_type == ETH_P_8021Q || eth_type == ETH_P_8021AD) eth_type.reset();
    if (has(tb, TCA_FLOWER_KEY_VLAN_ID)) out.set_exact_uint(Field::VlanVid, nla_get_u16(tb[TCA_FLOWER_KEY_VLAN_ID]));
    if (has(tb, TCA_FLOWER_KEY_VLAN_PRIO)) out.set_exact_uint(Field::VlanPcp, nla_get_u8(tb[TCA_FLOWER_KEY_VLAN_PRIO]));
    if (eth_type) out.set_exact_uint(Field::EthType, *eth_type);

    std::optional<uint8_t> proto;
    if (has(tb, TCA_FLOWER_KEY_IP_PROTO)) {
        proto = nla_get_u8(tb[TCA_FLOWER_KEY_IP_PROTO]);
        out.set_exact_uint(Field::IpProto, *proto);
    }
    const std::array<std::tuple<uint8_t, int, int, int, int>, 3> port_keys = {{
        {kProtoTcp, TCA_FLOWER_KEY_TCP_SRC, TCA_FLOWER_KEY_TCP_SRC_MASK, TCA_FLOWER_KEY_TCP_DST,
         TCA_FLOWER_KEY_TCP_DST_MASK},
        {kProtoUdp, TCA_FLOWER_KEY_UDP_SRC, TCA_FLOWER_KEY_UDP_SRC_MASK, TCA_FLOWER_KEY_UDP_DST,
         TCA_FLOWER_KEY_UDP_DST_MASK},
        {kProtoSctp, TCA_FLOWER_KEY_SCTP_SRC, TCA_FLOWER_KEY_SCTP_SRC_MASK, TCA_FLOWER_KEY_SCTP_DST,
         TCA_FLOWER_KEY_SCTP_DST_MASK},
    }};
    for (const auto& [p, src, src_mask, dst, dst_mask] : port_keys) {
        if (proto != p) continue;
        if (has(tb, src)) out.set(Field::TpSrc, bytes_of(tb[src], tb[src_mask], 2));
        if (has(tb, dst)) out.set(Field::TpDst, bytes_of(tb[dst], tb[dst_mask], 2));
    }
    const bool v6 = proto == kProtoIcmpv6;
    const int icmp_type = v6 ? TCA_FLOWER_KEY_ICMPV6_TYPE : TCA_FLOWER_KEY_ICMPV4_TYPE;
    const int icmp_code = v6 ? TCA_FLOWER_KEY_ICMPV6_CODE : TCA_FLOWER_KEY_ICMPV4_CODE;
    if (proto == kProtoIcmp || proto == kProtoIcmpv6) {
        if (has(tb, icmp_type)) out.set_exact_uint(Field::IcmpType, nla_get_u8(tb[icmp_type]));
        if (has(tb, icmp_code)) out.set_exact_uint(Field::IcmpCode, nla_get_u8(tb[icmp_code]));
    }
    if (has(tb, TCA_FLOWER_KEY_IP_TOS)) {
        const uint8_t tos = nla_get_u8(tb[TCA_FLOWER_KEY_IP_TOS]);
        const uint8_t mask = has(tb, TCA_FLOWER_KEY_IP_TOS_MASK) ? nla_get_u8(tb[TCA_FLOWER_KEY_IP_TOS_MASK]) : 0xff;
        out.set(Field::IpDscp, Masked::from_uint(tos >> 2, mask >> 2, 1));
        out.set(Field::IpEcn, Masked::from_uint(tos & 3, mask & 3, 1));
    }
    if (has(tb, TCA_FLOWER_KEY_ENC_KEY_ID)) {
        out.set_exact_uint(Field::TunId, ntohl(nla_get_u32(tb[TCA_FLOWER_KEY_ENC_KEY_ID])));
    }
    if (has(tb, TCA_FLOWER_KEY_CT_STATE)) {
        const uint16_t fv = nla_get_u16(tb[TCA_FLOWER_KEY_CT_STATE]);
        const uint16_t fm = has(tb, TCA_FLOWER_KEY_CT_STATE_MASK) ? nla_get_u16(tb[TCA_FLOWER_KEY_CT_STATE_MASK]) : fv;
        uint32_t v = 0, mk = 0;
        for (auto [ovs_bit, flower_bit] : kCtBits) {
            if (fv & flower_bit) v |= ovs_bit;
            if (fm & flower_bit) mk |= ovs_bit;
        }
        out.set(Field::CtState, Masked::from_uint(v, mk, 4));
    }
    if (has(tb, TCA_FLOWER_KEY_CT_ZONE)) out.set_exact_uint(Field::CtZone, nla_get_u16(tb[TCA_FLOWER_KEY_CT_ZONE]));
    return Status::success();
}

}  // namespace snoc::offload::tc
