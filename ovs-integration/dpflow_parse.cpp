#include "ovs-integration/dpflow_parse.h"

#include "offload/number_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

#include "offload/net_address.h"

namespace snoc::ovs {
namespace {

using flow::Field;
using flow::Masked;

// How a datapath key value is written, which decides how it is parsed and
// which canonical field(s) it fills.
enum class ValueKind : uint8_t {
    Mac,
    Ipv4,
    Ipv6,
    Uint,
    Tos,       // IPv4 tos / IPv6 tclass: split into DSCP (high 6 bits) and ECN (low 2)
    CtState,   // hex or +trk-new style flags
    TcpFlags,  // hex or +syn-ack style flags
    EthType,   // VLAN TPIDs are skipped: OpenFlow's dl_type is the inner type
    InPort,    // kept as text, not a Field
};

// One datapath key (or attribute of one) the canonical model has a field
// for. attr == "" means the key's whole body is the value (`eth_type(0x0800)`).
struct KeyRule {
    std::string_view key;
    std::string_view attr;
    Field field;
    ValueKind kind;
};

// The one table of supported keys; anything else is skipped.
constexpr std::array<KeyRule, 33> kKeyRules = {{
    {"in_port", "", Field::EthSrc /* unused */, ValueKind::InPort},
    {"eth", "src", Field::EthSrc, ValueKind::Mac},
    {"eth", "dst", Field::EthDst, ValueKind::Mac},
    {"eth_type", "", Field::EthType, ValueKind::EthType},
    {"vlan", "vid", Field::VlanVid, ValueKind::Uint},
    {"vlan", "pcp", Field::VlanPcp, ValueKind::Uint},
    {"ipv4", "src", Field::Ipv4Src, ValueKind::Ipv4},
    {"ipv4", "dst", Field::Ipv4Dst, ValueKind::Ipv4},
    {"ipv4", "proto", Field::IpProto, ValueKind::Uint},
    {"ipv4", "tos", Field::IpDscp, ValueKind::Tos},
    {"ipv4", "ttl", Field::IpTtl, ValueKind::Uint},
    {"ipv6", "src", Field::Ipv6Src, ValueKind::Ipv6},
    {"ipv6", "dst", Field::Ipv6Dst, ValueKind::Ipv6},
    {"ipv6", "proto", Field::IpProto, ValueKind::Uint},
    {"ipv6", "tclass", Field::IpDscp, ValueKind::Tos},
    {"ipv6", "hlimit", Field::IpTtl, ValueKind::Uint},
    {"tcp", "src", Field::TpSrc, ValueKind::Uint},
    {"tcp", "dst", Field::TpDst, ValueKind::Uint},
    {"udp", "src", Field::TpSrc, ValueKind::Uint},
    {"udp", "dst", Field::TpDst, ValueKind::Uint},
    {"sctp", "src", Field::TpSrc, ValueKind::Uint},
    {"sctp", "dst", Field::TpDst, ValueKind::Uint},
    {"tcp_flags", "", Field::TcpFlags, ValueKind::TcpFlags},
    {"icmp", "type", Field::IcmpType, ValueKind::Uint},
    {"icmp", "code", Field::IcmpCode, ValueKind::Uint},
    {"icmpv6", "type", Field::IcmpType, ValueKind::Uint},
    {"icmpv6", "code", Field::IcmpCode, ValueKind::Uint},
    {"ct_state", "", Field::CtState, ValueKind::CtState},
    {"ct_zone", "", Field::CtZone, ValueKind::Uint},
    {"ct_mark", "", Field::CtMark, ValueKind::Uint},
    // Received-tunnel metadata; ipv6_src/ipv6_dst have no canonical field.
    {"tunnel", "tun_id", Field::TunId, ValueKind::Uint},
    {"tunnel", "src", Field::TunSrc, ValueKind::Ipv4},
    {"tunnel", "dst", Field::TunDst, ValueKind::Ipv4},
}};

const KeyRule* find_rule(std::string_view key, std::string_view attr) {
    for (const auto& r : kKeyRules) {
        if (r.key == key && r.attr == attr) return &r;
    }
    return nullptr;
}

bool is_scalar_key(std::string_view key) { return find_rule(key, "") != nullptr; }

struct FlagName {
    std::string_view name;
    uint32_t bit;
};

constexpr std::array<FlagName, 8> kCtFlags = {{
    {"new", flow::kCtNew},
    {"est", flow::kCtEst},
    {"rel", flow::kCtRel},
    {"rpl", flow::kCtRpl},
    {"inv", flow::kCtInv},
    {"trk", flow::kCtTrk},
    {"snat", flow::kCtSnat},
    {"dnat", flow::kCtDnat},
}};

constexpr std::array<FlagName, 9> kTcpFlags = {{
    {"fin", 0x001},
    {"syn", 0x002},
    {"rst", 0x004},
    {"psh", 0x008},
    {"ack", 0x010},
    {"urg", 0x020},
    {"ece", 0x040},
    {"cwr", 0x080},
    {"ns", 0x100},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Decimal or 0x-prefixed hexadecimal, the two ways odp-util prints integers.
std::optional<uint64_t> parse_uint(std::string_view s) { return parse_uint_dec_or_hex(s); }

// "value/mask" -> (value, mask); a bare value has no mask (exact).
std::pair<std::string_view, std::optional<std::string_view>> split_mask(std::string_view s) {
    const size_t slash = s.find('/');
    if (slash == std::string_view::npos) return {s, std::nullopt};
    return {s.substr(0, slash), s.substr(slash + 1)};
}

// Calls fn(part) for each part of `s` split at `sep` characters outside (),
// {} and []; false when the brackets do not balance (parts before the
// imbalance were already seen) or when fn returns false. No allocation: it
// runs for every key of every flow of a 200,000-flow dump.
template <typename Fn>
bool for_each_top(std::string_view s, char sep, Fn&& fn) {
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '(' || c == '{' || c == '[') {
            ++depth;
        } else if (c == ')' || c == '}' || c == ']') {
            if (--depth < 0) return false;
        } else if (c == sep && depth == 0) {
            if (!fn(s.substr(start, i - start))) return false;
            start = i + 1;
        }
    }
    if (depth != 0) return false;
    return fn(s.substr(start));
}

// Flag sets as format_flags_masked prints them ("+trk+est-new") or as a
// plain list ("syn|ack", exact). The mask covers every flag named.
std::optional<std::pair<uint64_t, uint64_t>> parse_flag_words(std::string_view s, const FlagName* names,
                                                              size_t count, uint64_t all_bits) {
    uint64_t value = 0;
    uint64_t mask = 0;
    const bool plus_minus = !s.empty() && (s[0] == '+' || s[0] == '-');
    size_t i = 0;
    while (i < s.size()) {
        bool on = true;
        if (plus_minus) {
            if (s[i] != '+' && s[i] != '-') return std::nullopt;
            on = s[i] == '+';
            ++i;
        } else if (s[i] == '|') {
            ++i;
        }
        size_t end = i;
        while (end < s.size() && s[end] != '+' && s[end] != '-' && s[end] != '|') ++end;
        const std::string_view word = s.substr(i, end - i);
        bool known = false;
        for (size_t n = 0; n < count; ++n) {
            if (names[n].name == word) {
                known = true;
                mask |= names[n].bit;
                if (on) value |= names[n].bit;
            }
        }
        if (!known) return std::nullopt;
        i = end;
    }
    if (!plus_minus) mask = all_bits;
    return std::pair{value, mask};
}

class KeyParser {
public:
    explicit KeyParser(DpFlow& out) : out_(out) {}

    // A comma-separated key list; `encap(...)` recurses into one.
    std::optional<std::string> parse_list(std::string_view text) {
        if (trim(text).empty()) return std::nullopt;
        std::optional<std::string> err;
        const bool complete = for_each_top(text, ',', [&](std::string_view item) {
            err = parse_item(trim(item));
            return !err;
        });
        if (!complete && !err) return "unbalanced brackets in " + quote(text);
        return err;
    }

private:
    std::optional<std::string> parse_item(std::string_view item) {
        const size_t open = item.find('(');
        if (open == std::string_view::npos || open == 0 || item.back() != ')') {
            return "expected name(...) but got " + quote(item);
        }
        const std::string_view key = item.substr(0, open);
        const std::string_view body = item.substr(open + 1, item.size() - open - 2);
        if (key == "encap") {
            // OVS nests at most a few VLAN headers; a bound keeps hostile
            // input from recursing the stack away.
            if (++encap_depth_ > kMaxEncapDepth) return "encap(...) nested too deeply in " + quote(item);
            auto err = parse_list(body);
            --encap_depth_;
            return err;
        }
        if (is_scalar_key(key)) return apply(*find_rule(key, ""), body);
        if (key == "recirc_id") {
            const auto id = parse_uint(split_mask(trim(body)).first);
            if (!id || *id > UINT32_MAX) return "bad recirc_id in " + quote(item);
            out_.recirc_id = static_cast<uint32_t>(*id);
            return std::nullopt;
        }
        const bool has_attrs = body.find('=') != std::string_view::npos;
        if (!has_attrs) {
            // A scalar key the model has no field for: skb_mark(0x1/0xff), dp_hash(0/0), ...
            note_unmapped(key, "", trim(body));
            return std::nullopt;
        }
        std::optional<std::string> err;
        const bool complete = for_each_top(body, ',', [&](std::string_view attr) {
            attr = trim(attr);
            const size_t eq = attr.find('=');
            const size_t paren = attr.find('(');
            if (eq == std::string_view::npos || (paren != std::string_view::npos && paren < eq)) {
                // Nested attributes without '=': tunnel's flags(-df+csum) come
                // with the tunnel port; anything else (geneve({...}) options,
                // vxlan(gbp(...))) is a real constraint the model lacks.
                if (!(key == "tunnel" && attr.starts_with("flags("))) note_unmapped(key, "", attr);
                return true;
            }
            if (const KeyRule* rule = find_rule(key, attr.substr(0, eq))) {
                err = apply(*rule, attr.substr(eq + 1));
            } else {
                note_unmapped(key, attr.substr(0, eq), trim(attr.substr(eq + 1)));
            }
            return !err;
        });
        if (err) return err;
        if (!complete) return "unbalanced brackets in " + quote(item);
        return std::nullopt;
    }

    // Records a key (or attribute) the model has no field for, unless it
    // does not narrow the flow: wildcarded (x/0), zero (what every packet
    // without that metadata carries: skb_mark(0), packet_type(ns=0,id=0)),
    // frag=no (every unfragmented packet), or implied by the tunnel port
    // (tunnel tp_dst / ttl / tos: the port's own options).
    void note_unmapped(std::string_view key, std::string_view attr, std::string_view text) {
        const auto [value, mask] = split_mask(text);
        if (text.empty() || (mask && is_zero_text(*mask)) || (!mask && is_zero_text(value))) return;
        if (attr == "frag" && value == "no") return;
        if (key == "tunnel" && (attr == "tp_dst" || attr == "tp_src" || attr == "ttl" || attr == "tos")) return;
        std::string printed(key);
        printed += '(';
        if (!attr.empty()) {
            printed += attr;
            printed += '=';
        }
        printed += text;
        printed += ')';
        if (out_.unmapped_keys.size() < kMaxUnmapped) out_.unmapped_keys.push_back(std::move(printed));
    }

    // "0", "0x0", "0.0.0.0", "::", "00:00:00:00:00:00": every digit zero.
    static bool is_zero_text(std::string_view s) {
        if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
        if (s.empty()) return false;
        return std::all_of(s.begin(), s.end(), [](char c) { return c == '0' || c == '.' || c == ':'; });
    }

    std::optional<std::string> apply(const KeyRule& rule, std::string_view text) {
        text = trim(text);
        const auto [value, mask] = split_mask(text);
        // Built only on failure: this runs for every attribute of every flow.
        auto bad = [&](std::string_view what) {
            const std::string where =
                std::string(rule.key) + (rule.attr.empty() ? "" : "." + std::string(rule.attr));
            return "bad " + std::string(what) + " for " + where + ": " + quote(text);
        };
        switch (rule.kind) {
            case ValueKind::InPort:
                if (value.empty()) return bad("port");
                out_.match.in_port = std::string(value);
                return std::nullopt;
            case ValueKind::Mac:
            case ValueKind::Ipv4:
            case ValueKind::Ipv6: return set_bytes(rule.field, value, mask, bad);
            case ValueKind::Uint:
            case ValueKind::EthType:
            case ValueKind::Tos: return set_uint(rule, value, mask, bad);
            case ValueKind::CtState: return set_flags(rule.field, value, mask, kCtFlags.data(), kCtFlags.size(), bad);
            case ValueKind::TcpFlags:
                return set_flags(rule.field, value, mask, kTcpFlags.data(), kTcpFlags.size(), bad);
        }
        return bad("value");
    }

    template <typename Bad>
    std::optional<std::string> set_uint(const KeyRule& rule, std::string_view value,
                                        std::optional<std::string_view> mask_text, Bad& bad) {
        const auto v = parse_uint(value);
        if (!v) return bad("number");
        uint64_t mask = ~uint64_t{0};
        if (mask_text) {
            const auto m = parse_uint(*mask_text);
            if (!m) return bad("mask");
            mask = *m;
        }
        if (rule.kind == ValueKind::Tos) {
            if (*v > 0xff) return bad("number");
            set_uint_field(Field::IpDscp, *v >> 2, (mask & 0xff) >> 2);
            set_uint_field(Field::IpEcn, *v & 3, mask & 3);
            return std::nullopt;
        }
        const uint64_t full = flow::full_mask(rule.field).mask_uint(flow::field_info(rule.field).bytes);
        if ((*v & ~full) != 0) return bad("number");
        // An 802.1Q/802.1ad TPID here is the outer type of a VLAN packet; the
        // inner type (in encap(...)) is what OpenFlow and the model call dl_type.
        if (rule.kind == ValueKind::EthType && (*v == 0x8100 || *v == 0x88a8) && (mask & full) == full) {
            return std::nullopt;
        }
        set_uint_field(rule.field, *v, mask & full);
        return std::nullopt;
    }

    void set_uint_field(Field f, uint64_t value, uint64_t mask) {
        out_.match.set(f, Masked::from_uint(value, mask, flow::field_info(f).bytes));
    }

    // MAC and IP addresses; the mask is written the same way as the value
    // (odp-util prints 10.0.0.0/255.255.255.0, never a prefix length).
    template <typename Bad>
    std::optional<std::string> set_bytes(Field f, std::string_view value, std::optional<std::string_view> mask_text,
                                         Bad& bad) {
        const auto& info = flow::field_info(f);
        Masked m;
        if (!read_address(info.kind, value, m.value)) return bad("address");
        if (mask_text) {
            if (!read_address(info.kind, *mask_text, m.mask)) return bad("mask");
        } else {
            m.mask = flow::full_mask(f).mask;
        }
        for (size_t i = 0; i < m.value.size(); ++i) m.value[i] &= m.mask[i];
        out_.match.set(f, m);
        return std::nullopt;
    }

    static bool read_address(flow::FieldKind kind, std::string_view s, std::array<uint8_t, 16>& bytes) {
        if (kind == flow::FieldKind::Mac) {
            const auto mac = net::parse_mac(s);
            if (!mac) return false;
            std::copy(mac->begin(), mac->end(), bytes.begin());
            return true;
        }
        const auto ip = kind == flow::FieldKind::Ipv4 ? net::parse_ipv4(s) : net::parse_ip(s);
        if (!ip || ip->v6 != (kind == flow::FieldKind::Ipv6)) return false;
        bytes = ip->bytes;
        return true;
    }

    template <typename Bad>
    std::optional<std::string> set_flags(Field f, std::string_view value, std::optional<std::string_view> mask_text,
                                         const FlagName* names, size_t count, Bad& bad) {
        const uint64_t full = flow::full_mask(f).mask_uint(flow::field_info(f).bytes);
        uint64_t v = 0;
        uint64_t mask = full;
        if (const auto n = parse_uint(value)) {
            v = *n;
            if (mask_text) {
                const auto m = parse_uint(*mask_text);
                if (!m) return bad("mask");
                mask = *m;
            }
        } else {
            const auto words = parse_flag_words(value, names, count, full);
            if (!words || mask_text) return bad("flags");
            v = words->first;
            mask = words->second;
        }
        if ((v & ~full) != 0) return bad("flags");
        set_uint_field(f, v, mask & full);
        return std::nullopt;
    }

    static constexpr int kMaxEncapDepth = 8;
    // A real key has a few dozen items; the bound keeps hostile input small.
    static constexpr size_t kMaxUnmapped = 32;
    DpFlow& out_;
    int encap_depth_ = 0;
};

// One ", name:value" statistic or attribute after the key.
std::optional<std::string> apply_stat(DpFlow& f, std::string_view name, std::string_view value, bool& saw_packets,
                                      bool& saw_bytes) {
    if (name == "packets" || name == "bytes") {
        const auto n = parse_uint(value);
        if (!n) return "bad " + std::string(name) + " count " + quote(value);
        (name == "packets" ? f.packets : f.bytes) = *n;
        (name == "packets" ? saw_packets : saw_bytes) = true;
    } else if (name == "used") {
        if (value == "never") {
            f.used_seconds.reset();
            return std::nullopt;
        }
        if (value.empty() || value.back() != 's') return "bad used time " + quote(value);
        value.remove_suffix(1);
        double secs = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
        if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(secs) || secs < 0) {
            return "bad used time " + quote(value);
        }
        f.used_seconds = secs;
    } else if (name == "offloaded") {
        if (value == "yes") f.offloaded = true;
        else if (value == "no") f.offloaded = false;
        else if (value == "partial") {
            f.offloaded = true;
            f.partial_offload = true;
        } else {
            return "bad offloaded value " + quote(value);
        }
    } else if (name == "dp") {
        f.dp = std::string(value);
    }
    // flags: (TCP flags seen) and anything newer OVS adds are not needed.
    return std::nullopt;
}

// Where the key ends: the first ", " outside brackets (key items are
// separated by a bare ',').
std::optional<size_t> key_end(std::string_view s) {
    int depth = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '(' || c == '{' || c == '[') ++depth;
        else if (c == ')' || c == '}' || c == ']') {
            if (--depth < 0) return std::nullopt;
        } else if (c == ',' && depth == 0 && i + 1 < s.size() && s[i + 1] == ' ') {
            return i;
        }
    }
    return std::nullopt;
}

constexpr std::string_view kUfid = "ufid:";
constexpr std::string_view kActions = "actions:";
constexpr std::string_view kExtra = ", dp-extra-info:";
constexpr std::string_view kSectionHeader = "flow-dump from ";

}  // namespace

std::optional<std::string> parse_dpflow_key(std::string_view key, DpFlow& out) {
    KeyParser keys(out);
    return keys.parse_list(key);
}

DpFlowLineResult parse_dpflow_line(std::string_view line) {
    DpFlowLineResult result;
    DpFlow f;
    std::string_view rest = trim(line);
    if (rest.empty()) {
        result.error = "empty line";
        return result;
    }
    if (rest.starts_with(kUfid)) {
        const size_t comma = rest.find(',');
        if (comma == std::string_view::npos) {
            result.error = "ufid without the rest of the flow: " + quote(rest);
            return result;
        }
        f.ufid = std::string(trim(rest.substr(kUfid.size(), comma - kUfid.size())));
        if (f.ufid->empty()) {
            result.error = "empty ufid in " + quote(rest.substr(0, comma));
            return result;
        }
        rest = trim(rest.substr(comma + 1));
    }
    const auto end = key_end(rest);
    if (!end) {
        result.error = "no statistics after the flow key (or unbalanced brackets): " + quote(rest);
        return result;
    }
    f.key_text = std::string(rest.substr(0, *end));
    rest = rest.substr(*end + 2);

    // Actions run to the end of the line, except for the userspace
    // datapath's trailing dp-extra-info.
    const size_t actions_at = rest.find(kActions);
    if (actions_at == std::string_view::npos) {
        result.error = "no actions: in " + quote(rest);
        return result;
    }
    std::string_view actions = rest.substr(actions_at + kActions.size());
    if (const size_t extra = actions.rfind(kExtra); extra != std::string_view::npos) {
        f.dp_extra_info = std::string(trim(actions.substr(extra + kExtra.size())));
        actions = actions.substr(0, extra);
    }
    f.actions_text = std::string(trim(actions));

    // The key first: a missing ", " inside it shows up as a malformed key
    // item, which names the spot better than "missing packets:".
    KeyParser keys(f);
    if (auto err = keys.parse_list(f.key_text)) {
        result.error = std::move(err);
        return result;
    }

    bool saw_packets = false;
    bool saw_bytes = false;
    std::string_view stats = rest.substr(0, actions_at);
    while (!stats.empty()) {
        size_t sep = stats.find(", ");
        const std::string_view token = trim(stats.substr(0, sep));
        stats = sep == std::string_view::npos ? std::string_view{} : stats.substr(sep + 2);
        if (token.empty()) continue;
        const size_t colon = token.find(':');
        if (colon == std::string_view::npos) {
            result.error = "expected name:value but got " + quote(token);
            return result;
        }
        if (auto err = apply_stat(f, token.substr(0, colon), token.substr(colon + 1), saw_packets, saw_bytes)) {
            result.error = std::move(err);
            return result;
        }
    }
    if (!saw_packets || !saw_bytes) {
        result.error = "missing packets: or bytes: in " + quote(rest.substr(0, actions_at));
        return result;
    }

    result.flow = std::move(f);
    return result;
}

DpFlowDump parse_dpflow_dump(std::string_view output) {
    DpFlowDump dump;
    // One flow per line: reserving up front saves moving every DpFlow (each
    // holds a whole canonical Match) as the vector grows.
    dump.flows.reserve(static_cast<size_t>(std::count(output.begin(), output.end(), '\n')) + 1);
    std::string source;
    size_t number = 0;
    while (!output.empty()) {
        const size_t nl = output.find('\n');
        const std::string_view raw = output.substr(0, nl);
        output = nl == std::string_view::npos ? std::string_view{} : output.substr(nl + 1);
        ++number;
        const std::string_view line = trim(raw);
        if (line.empty()) continue;
        if (line.starts_with(kSectionHeader)) {
            source = std::string(line.substr(kSectionHeader.size()));
            if (!source.empty() && source.back() == ':') source.pop_back();
            continue;
        }
        auto parsed = parse_dpflow_line(line);
        if (parsed.flow) {
            parsed.flow->source = source;
            dump.flows.push_back(std::move(*parsed.flow));
        } else {
            dump.errors.push_back({number, std::string(line), parsed.error.value_or("unreadable line")});
        }
    }
    return dump;
}

}  // namespace snoc::ovs
