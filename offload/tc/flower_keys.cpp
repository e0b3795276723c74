// Canonical match <-> flower keys, row by row of flower_key_table.cpp: each
// row's codec says how its attribute holds the field.
#include "offload/tc/flower_keys.h"

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <netlink/attr.h>
#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "offload/tc/flower_key_table.h"

namespace snoc::offload::tc {
namespace {

using flow::Field;
using flow::Masked;

Status unsupported(Field f, const std::string& why) {
    return Status::failure(EOPNOTSUPP, std::string(to_string(f)) + ": " + why);
}

Status put(nl_msg* msg, int attr, const void* data, size_t len) {
    if (nla_put(msg, attr, static_cast<int>(len), data) < 0) return Status::failure(EMSGSIZE, "netlink message full");
    return Status::success();
}

template <typename T>
Status put_value(nl_msg* msg, int attr, T v) {
    return put(msg, attr, &v, sizeof v);
}

std::optional<uint8_t> exact_proto(const flow::Match& m) {
    if (!m.has(Field::IpProto) || !flow::is_exact(Field::IpProto, m.get(Field::IpProto))) return std::nullopt;
    return m.get(Field::IpProto).value[0];
}

// For rows that exist per IP protocol: whether this one is the match's.
bool row_for_protocol(const FlowerKey& k, const flow::Match& m) {
    if (!k.ip_proto) return true;
    const auto proto = exact_proto(m);
    if (proto == k.ip_proto) return true;
    if (!k.fallback) return false;
    return std::none_of(flower_keys().begin(), flower_keys().end(),
                        [&](const FlowerKey& o) { return o.field == k.field && o.ip_proto && o.ip_proto == proto; });
}

// "tcp, udp or sctp": the protocols a field's rows exist for.
std::string protocols_of(Field f) {
    std::vector<std::string> names;
    for (const FlowerKey& k : flower_keys()) {
        if (k.field == f && k.ip_proto) names.emplace_back(ip_proto_name(k.ip_proto));
    }
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return out;
}

// The value and mask words a codec puts, as host integers.
struct Words {
    uint64_t value = 0, mask = 0;
};

Status ct_words(const Masked& m, Words& out) {
    const auto v = static_cast<uint32_t>(m.value_uint(4));
    const auto mk = static_cast<uint32_t>(m.mask_uint(4));
    if (mk & (flow::kCtSnat | flow::kCtDnat)) return unsupported(Field::CtState, "flower has no snat / dnat state flags");
    for (const CtFlag& f : flower_ct_flags()) {
        if (v & f.ovs_bit) out.value |= f.flower_bit;
        if (mk & f.ovs_bit) out.mask |= f.flower_bit;
    }
    return Status::success();
}

template <typename T>
Status put_words(nl_msg* msg, const FlowerKey& k, Words w) {
    if (auto s = put_value(msg, k.key, static_cast<T>(w.value)); !s.ok()) return s;
    return k.mask ? put_value(msg, k.mask, static_cast<T>(w.mask)) : Status::success();
}

Status encode_key(nl_msg* msg, const FlowerKey& k, const flow::Match& m) {
    const size_t n = key_bytes(k);
    const bool exact_only = k.mask_kind != KeyMask::Masked;
    if (!k.exact_why.empty() && m.has(k.field) && !flow::is_exact(k.field, m.get(k.field))) {
        return unsupported(k.field, std::string(k.exact_why));
    }
    Words w;
    if (m.has(k.field)) {
        w.value = m.get(k.field).value_uint(flow::field_info(k.field).bytes);
        w.mask = exact_only ? ~uint64_t{0} : m.get(k.field).mask_uint(flow::field_info(k.field).bytes);
    }
    switch (k.codec) {
        case KeyCodec::Bytes: {
            const Masked& v = m.get(k.field);
            if (auto s = put(msg, k.key, v.value.data(), n); !s.ok()) return s;
            if (!k.mask) return Status::success();
            if (k.mask_kind == KeyMask::Masked) return put(msg, k.mask, v.mask.data(), n);
            const std::vector<uint8_t> ones(n, 0xff);
            return put(msg, k.mask, ones.data(), n);
        }
        case KeyCodec::Host16: return put_words<uint16_t>(msg, k, w);
        case KeyCodec::Host32: return put_words<uint32_t>(msg, k, w);
        case KeyCodec::TunnelId:
            if (w.value > 0xffffffffu) return unsupported(k.field, "flower tunnel keys are 32 bits");
            return put_value(msg, k.key, htonl(static_cast<uint32_t>(w.value)));
        case KeyCodec::CtFlags: {
            Words flags;
            if (auto s = ct_words(m.get(k.field), flags); !s.ok()) return s;
            return put_words<uint16_t>(msg, k, flags);
        }
        case KeyCodec::Tos: {
            const TosByte tos = tos_byte(m);
            return put_words<uint8_t>(msg, k, Words{tos.value, tos.mask});
        }
        case KeyCodec::EthType:
            // A tagged frame: flower's ETH_TYPE is the tag's TPID, VLAN_ETH_TYPE the inner type.
            return put_value(msg, k.key, htons(static_cast<uint16_t>(has_vlan(m) ? ETH_P_8021Q : w.value)));
        case KeyCodec::VlanEthType: return put_value(msg, k.key, htons(static_cast<uint16_t>(w.value)));
    }
    return Status::success();
}

// --- decoding ---------------------------------------------------------------

uint64_t host_word(const nlattr* a, size_t n) {
    if (n == 2) return nla_get_u16(const_cast<nlattr*>(a));
    return nla_get_u32(const_cast<nlattr*>(a));
}

Masked bytes_of(const nlattr* key, const nlattr* mask, size_t n) {
    Masked m;
    std::memcpy(m.value.data(), nla_data(key), n);
    if (mask) std::memcpy(m.mask.data(), nla_data(mask), n);
    else std::fill(m.mask.begin(), m.mask.begin() + static_cast<long>(n), 0xff);
    return m;
}

bool is_tag(uint16_t eth_type) { return eth_type == ETH_P_8021Q || eth_type == ETH_P_8021AD; }

void decode_key(nlattr* tb[], const FlowerKey& k, flow::Match& out) {
    const nlattr* key = tb[k.key];
    const nlattr* mask = k.mask ? tb[k.mask] : nullptr;
    const size_t n = key_bytes(k);
    const size_t field_bytes = flow::field_info(k.field).bytes;
    switch (k.codec) {
        case KeyCodec::Bytes:
            if (k.mask_kind == KeyMask::Masked) out.set(k.field, bytes_of(key, mask, n));
            else out.set_exact_uint(k.field, bytes_of(key, nullptr, n).value_uint(n));
            return;
        case KeyCodec::Host16:
        case KeyCodec::Host32: {
            const uint64_t v = host_word(key, n);
            if (k.mask_kind != KeyMask::Masked) return out.set_exact_uint(k.field, v);
            const uint64_t all = n == 2 ? 0xffff : 0xffffffffu;
            out.set(k.field, Masked::from_uint(v, mask ? host_word(mask, n) : all, field_bytes));
            return;
        }
        case KeyCodec::TunnelId: out.set_exact_uint(k.field, ntohl(nla_get_u32(const_cast<nlattr*>(key)))); return;
        case KeyCodec::CtFlags: {
            const uint16_t fv = nla_get_u16(const_cast<nlattr*>(key));
            const uint16_t fm = mask ? nla_get_u16(const_cast<nlattr*>(mask)) : fv;
            uint32_t v = 0, mk = 0;
            for (const CtFlag& f : flower_ct_flags()) {
                if (fv & f.flower_bit) v |= f.ovs_bit;
                if (fm & f.flower_bit) mk |= f.ovs_bit;
            }
            out.set(k.field, Masked::from_uint(v, mk, field_bytes));
            return;
        }
        case KeyCodec::Tos: {
            const uint8_t tos = nla_get_u8(const_cast<nlattr*>(key));
            const uint8_t tmask = mask ? nla_get_u8(const_cast<nlattr*>(mask)) : 0xff;
            out.set(Field::IpDscp, Masked::from_uint(tos >> 2, tmask >> 2, 1));
            out.set(Field::IpEcn, Masked::from_uint(tos & 3, tmask & 3, 1));
            return;
        }
        // The kernel echoes ETH_TYPE as the inner type too (or the TPID when no
        // inner type was given); VLAN_ETH_TYPE, decoded after it, wins.
        case KeyCodec::EthType:
        case KeyCodec::VlanEthType: {
            const uint16_t t = ntohs(nla_get_u16(const_cast<nlattr*>(key)));
            if (is_tag(t)) out.clear(k.field);
            else out.set_exact_uint(k.field, t);
            return;
        }
    }
}

}  // namespace

Status encode_match(nl_msg* msg, const flow::Match& m) {
    for (const FlowerKey& k : flower_keys()) {
        if (!key_present(k, m)) continue;
        if (k.ip_proto && !row_for_protocol(k, m)) {
            const bool some_row = std::any_of(flower_keys().begin(), flower_keys().end(), [&](const FlowerKey& o) {
                return o.field == k.field && row_for_protocol(o, m);
            });
            if (!some_row) return unsupported(k.field, "flower has it only for ip_proto " + protocols_of(k.field));
            continue;
        }
        if (auto s = encode_key(msg, k, m); !s.ok()) return s;
    }
    return Status::success();
}

Status decode_match(nlattr* tb[], flow::Match& out) {
    const int proto = tb[TCA_FLOWER_KEY_IP_PROTO] ? nla_get_u8(tb[TCA_FLOWER_KEY_IP_PROTO]) : -1;
    for (const FlowerKey& k : flower_keys()) {
        if (!tb[k.key] || (k.ip_proto && proto != k.ip_proto)) continue;
        decode_key(tb, k, out);
    }
    return Status::success();
}

std::span<const netlink::AttrRule> flower_key_rules() {
    static const std::vector<netlink::AttrRule> rules = [] {
        std::vector<netlink::AttrRule> r;
        for (const FlowerKey& k : flower_keys()) {
            r.push_back(netlink::bytes_attr(k.key, k.key_name, key_bytes(k)));
            if (k.mask) r.push_back(netlink::bytes_attr(k.mask, k.mask_name, key_bytes(k)));
        }
        return r;
    }();
    return rules;
}

}  // namespace snoc::offload::tc
