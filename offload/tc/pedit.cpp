#include "offload/tc/pedit.h"

#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_pedit.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>

namespace snoc::offload::tc {
namespace {

using flow::Field;

constexpr uint16_t kEth = TCA_PEDIT_KEY_EX_HDR_TYPE_ETH;
constexpr uint16_t kIp4 = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;
constexpr uint16_t kIp6 = TCA_PEDIT_KEY_EX_HDR_TYPE_IP6;
constexpr uint16_t kTcp = TCA_PEDIT_KEY_EX_HDR_TYPE_TCP;
constexpr uint16_t kUdp = TCA_PEDIT_KEY_EX_HDR_TYPE_UDP;

// Regions are listed in field-enum order: rewrites read back from the kernel
// come out in this order (one pedit action does them all at once).
// Where a field lives: header, byte offset, width, and (for sub-byte fields)
// the bits of its single byte and the shift of the value into them.
struct Region {
    Field field;
    uint16_t htype;
    uint8_t offset;
    uint8_t bytes;
    uint8_t bitmask;  // 0xff for whole bytes
    uint8_t shift;
    uint32_t csum;    // checksums a rewrite here invalidates
};

constexpr uint32_t kIpCsum = TCA_CSUM_UPDATE_FLAG_IPV4HDR;
constexpr uint32_t kL4Csum = TCA_CSUM_UPDATE_FLAG_TCP | TCA_CSUM_UPDATE_FLAG_UDP;

constexpr std::array<Region, 14> kRegions = {{
    {Field::EthSrc, kEth, 6, 6, 0xff, 0, 0},
    {Field::EthDst, kEth, 0, 6, 0xff, 0, 0},
    {Field::Ipv4Src, kIp4, 12, 4, 0xff, 0, kIpCsum | kL4Csum},  // L4 checksums cover the pseudo header
    {Field::Ipv4Dst, kIp4, 16, 4, 0xff, 0, kIpCsum | kL4Csum},
    {Field::IpDscp, kIp4, 1, 1, 0xfc, 2, kIpCsum},
    {Field::IpEcn, kIp4, 1, 1, 0x03, 0, kIpCsum},
    {Field::IpTtl, kIp4, 8, 1, 0xff, 0, kIpCsum},
    {Field::Ipv6Src, kIp6, 8, 16, 0xff, 0, kL4Csum},
    {Field::Ipv6Dst, kIp6, 24, 16, 0xff, 0, kL4Csum},
    {Field::IpTtl, kIp6, 7, 1, 0xff, 0, 0},
    {Field::TpSrc, kTcp, 0, 2, 0xff, 0, TCA_CSUM_UPDATE_FLAG_TCP},
    {Field::TpDst, kTcp, 2, 2, 0xff, 0, TCA_CSUM_UPDATE_FLAG_TCP},
    {Field::TpSrc, kUdp, 0, 2, 0xff, 0, TCA_CSUM_UPDATE_FLAG_UDP},
    {Field::TpDst, kUdp, 2, 2, 0xff, 0, TCA_CSUM_UPDATE_FLAG_UDP},
}};

uint8_t match_u8(const flow::Match& m, Field f) { return m.has(f) ? m.get(f).value[0] : 0; }
uint16_t match_u16(const flow::Match& m, Field f) {
    return m.has(f) ? static_cast<uint16_t>(m.get(f).value_uint(2)) : 0;
}

// Which header a field is in, for this match's packet.
std::optional<uint16_t> htype_for(Field f, const flow::Match& m) {
    const uint16_t eth_type = match_u16(m, Field::EthType);
    const uint8_t proto = match_u8(m, Field::IpProto);
    switch (f) {
        case Field::EthSrc:
        case Field::EthDst: return kEth;
        case Field::Ipv4Src:
        case Field::Ipv4Dst: return kIp4;
        case Field::Ipv6Src:
        case Field::Ipv6Dst: return kIp6;
        case Field::IpDscp:
        case Field::IpEcn:
            if (eth_type == 0x0800) return kIp4;
            return std::nullopt;  // IPv6 traffic class straddles bytes: not supported yet
        case Field::IpTtl:
            if (eth_type == 0x0800) return kIp4;
            if (eth_type == 0x86dd) return kIp6;
            return std::nullopt;
        case Field::TpSrc:
        case Field::TpDst:
            if (proto == 6) return kTcp;
            if (proto == 17) return kUdp;
            return std::nullopt;
        default: return std::nullopt;
    }
}

const Region* region_of(Field f, uint16_t htype) {
    for (const Region& r : kRegions) {
        if (r.field == f && r.htype == htype) return &r;
    }
    return nullptr;
}

// A word being built: bytes changed and their new values, in packet order.
struct Word {
    std::array<uint8_t, 4> changed{};
    std::array<uint8_t, 4> value{};
};

uint32_t raw(const std::array<uint8_t, 4>& b) {
    uint32_t v;
    std::memcpy(&v, b.data(), 4);
    return v;
}

std::array<uint8_t, 4> bytes_of(uint32_t raw_word) {
    std::array<uint8_t, 4> b;
    std::memcpy(b.data(), &raw_word, 4);
    return b;
}

}  // namespace

bool is_pedit_action(const flow::Action& a) {
    return std::holds_alternative<flow::SetField>(a) || std::holds_alternative<flow::DecTtl>(a);
}

Status plan_pedit(std::span<const flow::Action> actions, const flow::Match& match, PeditPlan& out) {
    std::map<std::pair<uint16_t, uint32_t>, Word> words;  // (htype, word offset) -> word
    for (const flow::Action& a : actions) {
        if (std::holds_alternative<flow::DecTtl>(a)) {
            const auto htype = htype_for(Field::IpTtl, match);
            if (!htype) return Status::failure(EOPNOTSUPP, "dec_ttl needs ip or ipv6 in the match");
            // Adding 0xff to the TTL byte subtracts one; the other bytes are kept.
            const uint8_t off = *htype == kIp4 ? 8 : 7;
            std::array<uint8_t, 4> keep{0xff, 0xff, 0xff, 0xff}, val{};
            keep[off % 4] = 0;
            val[off % 4] = 0xff;
            out.keys.push_back({raw(keep), raw(val), static_cast<uint32_t>(off - off % 4), *htype,
                                TCA_PEDIT_KEY_EX_CMD_ADD});
            out.csum_flags |= *htype == kIp4 ? kIpCsum : 0;
            continue;
        }
        const auto& sf = std::get<flow::SetField>(a);
        const auto htype = htype_for(sf.field, match);
        const Region* r = htype ? region_of(sf.field, *htype) : nullptr;
        if (!r) {
            return Status::failure(EOPNOTSUPP, "set_field " + std::string(to_string(sf.field)) +
                                                   " cannot be expressed as tc pedit for this match");
        }
        for (uint8_t i = 0; i < r->bytes; ++i) {
            const uint32_t byte_off = r->offset + i;
            Word& w = words[{r->htype, byte_off - byte_off % 4}];
            const uint8_t bits = static_cast<uint8_t>(r->bitmask & (r->bytes == 1 ? sf.value.mask[0] << r->shift : sf.value.mask[i]));
            const uint8_t value = static_cast<uint8_t>(r->bytes == 1 ? sf.value.value[0] << r->shift : sf.value.value[i]);
            w.changed[byte_off % 4] |= bits;
            w.value[byte_off % 4] = static_cast<uint8_t>((w.value[byte_off % 4] & ~bits) | (value & bits));
        }
        out.csum_flags |= r->csum;
    }
    for (const auto& [where, w] : words) {
        std::array<uint8_t, 4> keep{};
        for (size_t i = 0; i < 4; ++i) keep[i] = static_cast<uint8_t>(~w.changed[i]);
        out.keys.push_back({raw(keep), raw(w.value), where.second, where.first, TCA_PEDIT_KEY_EX_CMD_SET});
    }
    return Status::success();
}

Status actions_from_pedit(const std::vector<PeditKey>& keys, std::vector<flow::Action>& out) {
    // Rebuild each header's changed bytes, then read fields back region by region.
    std::map<uint16_t, std::array<uint8_t, 64>> changed, value;
    bool dec_ttl = false;
    for (const PeditKey& k : keys) {
        if (k.cmd == TCA_PEDIT_KEY_EX_CMD_ADD) {
            const bool ttl_word = (k.htype == kIp4 && k.off == 8) || (k.htype == kIp6 && k.off == 4);
            if (!ttl_word) return Status::failure(EOPNOTSUPP, "pedit add outside the TTL byte");
            dec_ttl = true;
            continue;
        }
        if (k.off + 4 > 64) return Status::failure(EOPNOTSUPP, "pedit key beyond the headers snoc writes");
        const auto keep = bytes_of(k.mask), val = bytes_of(k.val);
        for (size_t i = 0; i < 4; ++i) {
            changed[k.htype][k.off + i] |= static_cast<uint8_t>(~keep[i]);
            value[k.htype][k.off + i] = val[i];
        }
    }
    for (const Region& r : kRegions) {
        auto c = changed.find(r.htype);
        if (c == changed.end()) continue;
        bool any = false;
        flow::SetField sf{r.field, {}};
        for (uint8_t i = 0; i < r.bytes; ++i) {
            const uint8_t bits = c->second[r.offset + i] & r.bitmask;
            const uint8_t v = value[r.htype][r.offset + i] & r.bitmask;
            any = any || bits != 0;
            if (r.bytes == 1) {
                sf.value.mask[0] = static_cast<uint8_t>(bits >> r.shift);
                sf.value.value[0] = static_cast<uint8_t>(v >> r.shift);
            } else {
                sf.value.mask[i] = bits;
                sf.value.value[i] = v;
            }
        }
        if (any) out.push_back(sf);
    }
    if (dec_ttl) out.push_back(flow::DecTtl{});
    return Status::success();
}

}  // namespace snoc::offload::tc
