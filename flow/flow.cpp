#include "flow/flow.h"

#include <algorithm>
#include <initializer_list>

namespace snoc::flow {

static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(ActionKind::SetField), Action>, SetField>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(ActionKind::GotoTable), Action>, GotoTable>);
static_assert(
    std::is_same_v<std::variant_alternative_t<static_cast<size_t>(ActionKind::TunnelDecap), Action>, TunnelDecap>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(ActionKind::SetQueue), Action>, SetQueue>);

Masked Masked::from_uint(uint64_t value, uint64_t mask, size_t bytes) {
    Masked m;
    value &= mask;
    for (size_t i = 0; i < bytes; ++i) {
        const size_t shift = 8 * (bytes - 1 - i);
        m.value[i] = static_cast<uint8_t>(value >> shift);
        m.mask[i] = static_cast<uint8_t>(mask >> shift);
    }
    return m;
}

Masked Masked::exact_uint(uint64_t value, size_t bytes) {
    const uint64_t mask = bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1;
    return from_uint(value, mask, bytes);
}

static uint64_t read_be(const std::array<uint8_t, 16>& b, size_t bytes) {
    uint64_t v = 0;
    for (size_t i = 0; i < bytes && i < 8; ++i) v = (v << 8) | b[i];
    return v;
}

uint64_t Masked::value_uint(size_t bytes) const { return read_be(value, bytes); }
uint64_t Masked::mask_uint(size_t bytes) const { return read_be(mask, bytes); }

Masked full_mask(Field f) {
    const auto& info = field_info(f);
    Masked m;
    // Significant bits are the low-order bits of the big-endian value.
    size_t remaining = info.bits;
    for (size_t i = info.bytes; i-- > 0 && remaining > 0;) {
        const size_t take = std::min<size_t>(8, remaining);
        m.mask[i] = static_cast<uint8_t>((1u << take) - 1);
        remaining -= take;
    }
    return m;
}

bool is_exact(Field f, const Masked& m) {
    // Exact means every significant bit is masked; bits beyond the field's
    // width (a 12-bit VLAN id in 16 bits) do not matter.
    const Masked full = full_mask(f);
    const size_t n = field_info(f).bytes;
    for (size_t i = 0; i < n; ++i) {
        if ((m.mask[i] & full.mask[i]) != full.mask[i]) return false;
    }
    return true;
}

std::optional<unsigned> prefix_length(Field f, const Masked& m) {
    const auto& info = field_info(f);
    if (info.kind != FieldKind::Ipv4 && info.kind != FieldKind::Ipv6 && info.kind != FieldKind::Mac) {
        return std::nullopt;
    }
    unsigned len = 0;
    bool seen_zero = false;
    for (size_t i = 0; i < info.bytes; ++i) {
        for (int bit = 7; bit >= 0; --bit) {
            const bool set = (m.mask[i] >> bit) & 1;
            if (set && seen_zero) return std::nullopt;
            if (set) ++len;
            else seen_zero = true;
        }
    }
    return len;
}

void Match::set(Field f, Masked m) {
    const Masked full = full_mask(f);
    bool any = false;
    for (size_t i = 0; i < m.mask.size(); ++i) {
        m.mask[i] &= full.mask[i];
        m.value[i] &= m.mask[i];
        any = any || m.mask[i] != 0;
    }
    if (any) fields_[index(f)] = m;
    else fields_[index(f)].reset();
}

void Match::set_exact_uint(Field f, uint64_t value) {
    const auto& info = field_info(f);
    set(f, Masked::from_uint(value, full_mask(f).mask_uint(info.bytes), info.bytes));
}

std::vector<Field> Match::present() const {
    std::vector<Field> out;
    for (size_t i = 0; i < kFieldCount; ++i) {
        if (fields_[i]) out.push_back(static_cast<Field>(i));
    }
    return out;
}

bool Match::empty() const {
    return !in_port && std::none_of(fields_.begin(), fields_.end(), [](const auto& f) { return f.has_value(); });
}

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoSctp = 132;
constexpr uint8_t kProtoIcmpv6 = 58;

std::optional<uint64_t> exact_value(const Match& m, Field f) {
    if (!m.has(f) || !is_exact(f, m.get(f))) return std::nullopt;
    return m.get(f).value_uint(field_info(f).bytes);
}

bool any_of(const Match& m, std::initializer_list<Field> fs) {
    return std::any_of(fs.begin(), fs.end(), [&](Field f) { return m.has(f); });
}

}  // namespace

std::optional<std::string> check_prerequisites(const Match& m) {
    const auto eth_type = exact_value(m, Field::EthType);
    const auto proto = exact_value(m, Field::IpProto);
    const bool ipv4 = eth_type == kEthIpv4;
    const bool ipv6 = eth_type == kEthIpv6;

    auto need = [](Field f, std::string_view what) {
        return std::string(field_info(f).ofctl_name) + " requires " + std::string(what);
    };

    for (Field f : {Field::Ipv4Src, Field::Ipv4Dst}) {
        if (m.has(f) && !ipv4) return need(f, "ip (dl_type=0x0800)");
    }
    for (Field f : {Field::Ipv6Src, Field::Ipv6Dst}) {
        if (m.has(f) && !ipv6) return need(f, "ipv6 (dl_type=0x86dd)");
    }
    for (Field f : {Field::IpProto, Field::IpDscp, Field::IpEcn, Field::IpTtl}) {
        if (m.has(f) && !ipv4 && !ipv6) return need(f, "ip or ipv6");
    }
    for (Field f : {Field::TpSrc, Field::TpDst}) {
        if (m.has(f) && proto != kProtoTcp && proto != kProtoUdp && proto != kProtoSctp) {
            return need(f, "tcp, udp or sctp (nw_proto=6, 17 or 132)");
        }
    }
    if (m.has(Field::TcpFlags) && proto != kProtoTcp) return need(Field::TcpFlags, "tcp (nw_proto=6)");
    if (any_of(m, {Field::IcmpType, Field::IcmpCode})) {
        const bool icmp = (ipv4 && proto == kProtoIcmp) || (ipv6 && proto == kProtoIcmpv6);
        if (!icmp) {
            const Field f = m.has(Field::IcmpType) ? Field::IcmpType : Field::IcmpCode;
            return need(f, "icmp or icmp6");
        }
    }
    return std::nullopt;
}

Flow with_port_names(Flow f, const std::function<std::string(const std::string&)>& map) {
    if (f.match.in_port) f.match.in_port = map(*f.match.in_port);
    for (auto& a : f.actions) {
        if (auto* o = std::get_if<Output>(&a)) o->port = map(o->port);
        if (auto* e = std::get_if<TunnelEncap>(&a)) e->port = map(e->port);
    }
    return f;
}

}  // namespace snoc::flow
