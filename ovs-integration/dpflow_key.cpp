#include "ovs-integration/dpflow_key.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>

#include "flow/flag_names.h"
#include "flow/net_address.h"
#include "flow/number_text.h"
#include "ovs-integration/dpflow_text.h"

namespace snoc::ovs {
namespace {

using flow::Field;
using flow::Masked;
using dpflow_text::quote;
using dpflow_text::trim;

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

using dpflow_text::same;

// The rules of one key: kKeyRules keeps each key's rules together, so a
// key item is looked up once and its attributes only among its own rules
// (this runs for every item of every flow of a 200,000-flow dump).
struct RuleGroup {
    const KeyRule* begin = nullptr;
    const KeyRule* end = nullptr;
    bool empty() const { return begin == end; }
    const KeyRule* find(std::string_view attr) const {
        for (const KeyRule* r = begin; r != end; ++r) {
            if (same(r->attr, attr)) return r;
        }
        return nullptr;
    }
};

// kKeyRules' groups by key length, so an item is compared with the few
// keys of its length only.
struct GroupsByLength {
    static constexpr size_t kMaxLength = 16;
    static constexpr size_t kPerLength = 8;
    std::array<std::array<uint8_t, kPerLength>, kMaxLength> begin{};
    std::array<std::array<uint8_t, kPerLength>, kMaxLength> end{};
    std::array<uint8_t, kMaxLength> count{};
};

constexpr GroupsByLength kGroupsByLength = [] {
    GroupsByLength g;
    for (size_t r = 0; r < kKeyRules.size();) {
        size_t last = r;
        while (last < kKeyRules.size() && kKeyRules[last].key == kKeyRules[r].key) ++last;
        const size_t len = kKeyRules[r].key.size();
        // A key too long, or too many of one length, would not be found:
        // the table is checked below.
        if (len < GroupsByLength::kMaxLength && g.count[len] < GroupsByLength::kPerLength) {
            g.begin[len][g.count[len]] = static_cast<uint8_t>(r);
            g.end[len][g.count[len]] = static_cast<uint8_t>(last);
            ++g.count[len];
        }
        r = last;
    }
    return g;
}();

constexpr bool every_group_indexed() {
    size_t groups = 0;
    for (size_t r = 0; r < kKeyRules.size(); ++r) groups += r == 0 || kKeyRules[r].key != kKeyRules[r - 1].key;
    size_t indexed = 0;
    for (uint8_t c : kGroupsByLength.count) indexed += c;
    return groups == indexed;
}
static_assert(every_group_indexed(), "kKeyRules: keep each key's rules together; keys shorter than 16");

RuleGroup find_group(std::string_view key) {
    if (key.size() >= GroupsByLength::kMaxLength) return {};
    const size_t len = key.size();
    for (size_t i = 0; i < kGroupsByLength.count[len]; ++i) {
        const KeyRule* r = kKeyRules.data() + kGroupsByLength.begin[len][i];
        if (same(r->key, key)) return {r, kKeyRules.data() + kGroupsByLength.end[len][i]};
    }
    return {};
}

// full_mask(f) as a number, per field: computed once instead of per value.
uint64_t full_uint_mask(Field f) {
    static const std::array<uint64_t, flow::kFieldCount> masks = [] {
        std::array<uint64_t, flow::kFieldCount> m{};
        for (size_t i = 0; i < m.size(); ++i) {
            const auto field = static_cast<Field>(i);
            m[i] = flow::full_mask(field).mask_uint(flow::field_info(field).bytes);
        }
        return m;
    }();
    return masks[static_cast<size_t>(f)];
}

using flow::FlagName;

// Decimal or 0x-prefixed hexadecimal, the two ways odp-util prints integers.
std::optional<uint64_t> parse_uint(std::string_view s) {
    uint64_t v = 0;
    if (dpflow_text::quick_uint(s, v)) return v;
    return parse_uint_dec_or_hex(s);
}

// "value/mask" -> (value, mask); a bare value has no mask (exact).
std::pair<std::string_view, std::optional<std::string_view>> split_mask(std::string_view s) {
    const size_t slash = dpflow_text::find_char(s, '/');
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
        if (const int step = dpflow_text::bracket_depth(c)) {
            depth += step;
            if (depth < 0) return false;
        } else if (c == sep && depth == 0) {
            if (!fn(s.substr(start, i - start))) return false;
            start = i + 1;
        }
    }
    if (depth != 0) return false;
    return fn(s.substr(start));
}

// The largest value a flag key's datapath attribute can carry: tcp_flags
// is the 12 flag bits of the TCP header (TCP_FLAGS()), ct_state a u32 of
// which the canonical field knows the 8 named bits.
uint64_t flag_attr_bits(Field f) { return f == Field::TcpFlags ? 0x0fff : 0xffffffff; }

// A flag set as lib/flow.c prints it:
// - format_flags (exact): names joined by '|' ("syn|ack"), the bits it has
//   no name for last as one hex number ("new|trk|0x100"), "0" for none
//   (read as a number by the caller); the mask is every bit of the attribute;
// - format_flags_masked: "+trk+est-new", "+" set and "-" clear, the mask
//   covering every bit named, "[Unknown]" for a masked bit without a name.
// Names are flow/flag_names.h's plus OVS's bracketed hex names ("[200]":
// packet_tcp_flag_to_string's names for TCP's reserved bits).
struct FlagWords {
    uint64_t value = 0;
    uint64_t mask = 0;
    std::string unknown;  // the "+[Unknown]" / "-[Unknown]" words, as printed
};

// "[200]" -> 0x200: one bit, as a bracketed hex number.
std::optional<uint64_t> bracketed_bit(std::string_view word) {
    if (word.size() < 3 || word.front() != '[' || word.back() != ']' || word.size() > 18) return std::nullopt;
    uint64_t bit = 0;
    for (char c : word.substr(1, word.size() - 2)) {
        const int d = dpflow_text::hex_value(c);
        if (d < 0) return std::nullopt;
        bit = (bit << 4) | static_cast<uint64_t>(d);
    }
    if (bit == 0 || (bit & (bit - 1)) != 0) return std::nullopt;
    return bit;
}

std::optional<FlagWords> parse_flag_words(std::string_view s, std::span<const FlagName> names, uint64_t attr_bits) {
    FlagWords out;
    const bool plus_minus = !s.empty() && (s[0] == '+' || s[0] == '-');
    size_t i = 0;
    while (i < s.size()) {
        bool on = true;
        const size_t word_start = i;
        if (plus_minus) {
            if (s[i] != '+' && s[i] != '-') return std::nullopt;
            on = s[i] == '+';
            ++i;
        } else if (i > 0) {
            if (s[i] != '|') return std::nullopt;
            ++i;
        }
        size_t end = i;
        while (end < s.size() && s[end] != '+' && s[end] != '-' && s[end] != '|') ++end;
        const std::string_view word = s.substr(i, end - i);
        uint64_t bits = 0;
        for (const FlagName& n : names) {
            if (n.name == word) bits = n.bit;
        }
        if (bits == 0) {
            if (const auto bit = bracketed_bit(word)) {
                bits = *bit;
            } else if (plus_minus && word == "[Unknown]") {
                out.unknown += s.substr(word_start, end - word_start);
            } else if (!plus_minus && word.size() > 2 && word[0] == '0' && word[1] == 'x') {
                const auto n = parse_uint_dec_or_hex(word);  // format_flags' unnamed bits, together
                if (!n || *n == 0) return std::nullopt;
                bits = *n;
            } else {
                return std::nullopt;
            }
        }
        if ((bits & ~attr_bits) != 0) return std::nullopt;
        out.mask |= bits;
        if (on) out.value |= bits;
        i = end;
    }
    if (!plus_minus) out.mask = attr_bits;
    return out;
}

// "key32": an attribute type OVS has no name for, printed by number
// (ovs_key_attr_to_string) with its bytes in hex (format_generic_odp_key).
bool is_generic_key(std::string_view key) {
    if (key.size() <= 3 || !key.starts_with("key")) return false;
    return std::all_of(key.begin() + 3, key.end(), [](char c) { return dpflow_text::is_digit(c); });
}

// Datapath attributes whose canonical field is looked up by name
// (flow::field_from_name) rather than named in kKeyRules: the canonical
// model has no ARP fields yet. When flow/field_table.cpp gains them under
// these names, ARP keys map onto them with no change here; until then each
// constrained attribute is a reason naming the field it would need.
struct NamedRule {
    std::string_view key;
    std::string_view attr;
    std::string_view canonical;
};
constexpr std::array<NamedRule, 5> kNamedRules = {{
    {"arp", "sip", "arp_spa"},
    {"arp", "tip", "arp_tpa"},
    {"arp", "op", "arp_op"},
    {"arp", "sha", "arp_sha"},
    {"arp", "tha", "arp_tha"},
}};

const NamedRule* find_named(std::string_view key, std::string_view attr) {
    for (const NamedRule& r : kNamedRules) {
        if (same(r.key, key) && same(r.attr, attr)) return &r;
    }
    return nullptr;
}

// kNamedRules as KeyRules for the fields the model has, by index.
const std::array<std::optional<KeyRule>, kNamedRules.size()>& named_key_rules() {
    static const auto rules = [] {
        std::array<std::optional<KeyRule>, kNamedRules.size()> out{};
        for (size_t i = 0; i < kNamedRules.size(); ++i) {
            const auto field = flow::field_from_name(kNamedRules[i].canonical);
            if (!field) continue;
            std::optional<ValueKind> kind;
            switch (flow::field_info(*field).kind) {
                case flow::FieldKind::Mac: kind = ValueKind::Mac; break;
                case flow::FieldKind::Ipv4: kind = ValueKind::Ipv4; break;
                case flow::FieldKind::Ipv6: kind = ValueKind::Ipv6; break;
                case flow::FieldKind::Uint: kind = ValueKind::Uint; break;
                default: break;  // a flag field: not what these attributes are
            }
            if (kind) out[i] = KeyRule{kNamedRules[i].key, kNamedRules[i].attr, *field, *kind};
        }
        return out;
    }();
    return rules;
}

class KeyParser {
public:
    KeyParser(DpKeyFacts& facts, flow::Match* match, std::vector<std::string>* unmapped)
        : facts_(facts), match_(match), unmapped_(unmapped) {}

    // A comma-separated key list; `encap(...)` recurses into one.
    std::optional<std::string> parse_list(std::string_view text) {
        if (trim(text).empty()) return std::nullopt;
        // odp_flow_format's spelling of a key without attributes.
        if (encap_depth_ == 0 && same(trim(text), "<empty>")) return std::nullopt;
        std::optional<std::string> err;
        const bool complete = for_each_top(text, ',', [&](std::string_view item) {
            err = parse_item(trim(item));
            return !err;
        });
        if (!complete && !err) return "unbalanced brackets in " + quote(text);
        return err;
    }

    // The fast path: `text` starting with a key as OVS itself prints it (no
    // blanks, nothing nested but encap(...)) and ending at the ", " before
    // the statistics. Each item body is found in the same pass and read by
    // the same code as parse_item's, so what this accepts parse_list accepts
    // too, with the same facts. Returns the key's length; nullopt for
    // anything else, including errors: parse_list then gives the verdict.
    std::optional<size_t> read_canonical(std::string_view text) {
        size_t i = 0;
        if (!canonical_list(text, i, false)) return std::nullopt;
        return i;
    }

private:
    // Character classes of the fast path: name characters, and what ends
    // an item body there: its ')' and anything unusual (blanks, trimmed by
    // parse_list, and other brackets: nesting, handled by for_each_top).
    static constexpr uint8_t kName = 1;
    static constexpr uint8_t kBodyStop = 2;
    static constexpr std::array<uint8_t, 256> kClass = [] {
        std::array<uint8_t, 256> t{};
        for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = kName;
        for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = kName;
        for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = kName;
        t['_'] = kName;
        for (unsigned char c : std::string_view(" \t\r\n(){}[]")) t[c] = kBodyStop;
        return t;
    }();
    static uint8_t char_class(char c) { return kClass[static_cast<unsigned char>(c)]; }

    // Items from text[pos] on; leaves pos at the closing ')' of an encap
    // body (nested) or at the ", " that ends the key (top level).
    bool canonical_list(std::string_view text, size_t& pos, bool nested) {
        const char* const s = text.data();
        const size_t n = text.size();
        size_t i = pos;
        for (;;) {
            const size_t start = i;
            while (i < n && char_class(s[i]) == kName) ++i;
            if (i == start || i == n || s[i] != '(') return false;
            const std::string_view key(s + start, i - start);
            ++i;
            if (same(key, "encap")) {
                if (++encap_depth_ > kMaxEncapDepth) return false;
                const bool ok = canonical_list(text, i, true);
                --encap_depth_;
                if (!ok) return false;
            } else {
                const size_t body_start = i;
                while (i < n && char_class(s[i]) != kBodyStop) ++i;
                if (i == n || s[i] != ')') return false;
                const std::string_view body(s + body_start, i - body_start);
                if (parse_body(key, body, std::string_view(s + start, i + 1 - start), true)) return false;
            }
            ++i;  // past ')'
            if (i == n) return false;  // a key with nothing after it is not a dump line
            if (nested && s[i] == ')') break;
            if (s[i] != ',') return false;
            if (!nested && i + 1 < n && s[i + 1] == ' ') break;
            ++i;
        }
        pos = i;
        return true;
    }

    std::optional<std::string> parse_item(std::string_view item) {
        const size_t open = dpflow_text::find_char(item, '(');
        if (open == std::string_view::npos || open == 0 || item.back() != ')') {
            return "expected name(...) but got " + quote(item);
        }
        const std::string_view key = item.substr(0, open);
        const std::string_view body = item.substr(open + 1, item.size() - open - 2);
        if (same(key, "encap")) {
            // OVS nests at most a few VLAN headers; a bound keeps hostile
            // input from recursing the stack away.
            if (++encap_depth_ > kMaxEncapDepth) return "encap(...) nested too deeply in " + quote(item);
            auto err = parse_list(body);
            --encap_depth_;
            return err;
        }
        return parse_body(key, body, item, false);
    }

    // A non-encap item's body. `flat`: the body has no brackets, so its
    // attributes are split at every ',' (what for_each_top does then).
    std::optional<std::string> parse_body(std::string_view key, std::string_view body, std::string_view item,
                                          bool flat) {
        if (encap_depth_ > 0 && same(key, "vlan")) return parse_inner_vlan(body, item, flat);
        return parse_fields(key, body, item, flat);
    }

    // A vlan(...) inside encap(...) is the inner tag of a double-tagged
    // (QinQ) packet; the one outside is the outer tag, and only that one has
    // canonical fields (vlan_vid / vlan_pcp, as OpenFlow's dl_vlan is the
    // outermost tag). The inner tag is read (a malformed one is an error as
    // anywhere) but sets nothing: it is reported whole, wildcarded or not,
    // since a second tag is there either way and the payload type sits
    // behind it.
    std::optional<std::string> parse_inner_vlan(std::string_view body, std::string_view item, bool flat) {
        flow::Match* const match = std::exchange(match_, nullptr);
        std::vector<std::string>* const unmapped = std::exchange(unmapped_, nullptr);
        auto err = parse_fields("vlan", body, item, flat);
        match_ = match;
        unmapped_ = unmapped;
        if (!err) add_unmapped("encap(" + std::string(item) + ")");
        return err;
    }

    std::optional<std::string> parse_fields(std::string_view key, std::string_view body, std::string_view item,
                                            bool flat) {
        const RuleGroup rules = find_group(key);
        if (const KeyRule* scalar = rules.find("")) return apply(*scalar, body);
        if (same(key, "recirc_id")) {
            const auto id = parse_uint(split_mask(trim(body)).first);
            if (!id || *id > UINT32_MAX) return "bad recirc_id in " + quote(item);
            facts_.recirc_id = static_cast<uint32_t>(*id);
            return std::nullopt;
        }
        const bool has_attrs = dpflow_text::find_char(body, '=') != std::string_view::npos;
        if (!has_attrs) {
            // A scalar key the model has no field for: skb_mark(0x1/0xff), dp_hash(0/0), ...
            note_unmapped(key, "", trim(body));
            return std::nullopt;
        }
        std::optional<std::string> err;
        if (flat) {
            for (;;) {
                const size_t comma = dpflow_text::find_char(body, ',');
                err = parse_attr(key, rules, body.substr(0, comma));
                if (err || comma == std::string_view::npos) return err;
                body.remove_prefix(comma + 1);
            }
        }
        const bool complete = for_each_top(body, ',', [&](std::string_view attr) {
            err = parse_attr(key, rules, attr);
            return !err;
        });
        if (err) return err;
        if (!complete) return "unbalanced brackets in " + quote(item);
        return std::nullopt;
    }

    std::optional<std::string> parse_attr(std::string_view key, const RuleGroup& rules, std::string_view attr) {
        attr = trim(attr);
        // The first '=' or '(' decides: name=value, or nested attributes.
        size_t eq = 0;
        while (eq < attr.size() && attr[eq] != '=' && attr[eq] != '(') ++eq;
        if (eq == attr.size() || attr[eq] == '(') {
            // Nested attributes without '=': tunnel's flags(-df+csum) come
            // with the tunnel port; anything else (geneve({...}) options,
            // vxlan(gbp(...))) is a real constraint the model lacks.
            if (!(key == "tunnel" && attr.starts_with("flags("))) note_unmapped(key, "", attr);
            return std::nullopt;
        }
        if (const KeyRule* rule = rules.find(attr.substr(0, eq))) return apply(*rule, attr.substr(eq + 1));
        if (const NamedRule* named = find_named(key, attr.substr(0, eq))) {
            const auto& rule = named_key_rules()[static_cast<size_t>(named - kNamedRules.data())];
            if (rule) return apply(*rule, attr.substr(eq + 1));
        }
        note_unmapped(key, attr.substr(0, eq), trim(attr.substr(eq + 1)));
        return std::nullopt;
    }

    // Records a key (or attribute) the model has no field for, unless it
    // does not narrow the flow: wildcarded (x/0), zero (what every packet
    // without that metadata carries: skb_mark(0), packet_type(ns=0,id=0)),
    // frag=no (every unfragmented packet), or implied by the tunnel port
    // (tunnel tp_dst / ttl / tos: the port's own options).
    //
    // An attribute OVS has no name for (key32(00 00/00 00): a newer kernel's
    // OVS_KEY_ATTR_IPV6_EXTHDRS) is skipped only when wildcarded: what its
    // zero means is not known.
    void note_unmapped(std::string_view key, std::string_view attr, std::string_view text) {
        if (!unmapped_) return;  // only checking: nothing to check here
        const auto [value, mask] = split_mask(text);
        if (text.empty() || (mask && is_zero_text(*mask))) return;
        if (!mask && is_zero_text(value) && !is_generic_key(key)) return;
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
        add_unmapped(std::move(printed));
    }

    void add_unmapped(std::string printed) {
        if (unmapped_ && unmapped_->size() < kMaxUnmapped) unmapped_->push_back(std::move(printed));
    }

    // "0", "0x0", "0.0.0.0", "::", "00:00:00:00:00:00", "00 00" (the bytes
    // of an attribute OVS has no name for): every digit zero.
    static bool is_zero_text(std::string_view s) {
        if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
        if (s.find_first_not_of(' ') == std::string_view::npos) return false;
        return std::all_of(s.begin(), s.end(), [](char c) { return c == '0' || c == '.' || c == ':' || c == ' '; });
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
                facts_.in_port = value;
                if (match_) match_->in_port = std::string(value);
                return std::nullopt;
            case ValueKind::Mac:
            case ValueKind::Ipv4:
            case ValueKind::Ipv6: return set_bytes(rule.field, value, mask, bad);
            case ValueKind::Uint:
            case ValueKind::EthType:
            case ValueKind::Tos: return set_uint(rule, value, mask, bad);
            case ValueKind::CtState: return set_flags(rule.field, value, mask, flow::ct_state_flag_names(), bad);
            case ValueKind::TcpFlags:
                return set_flags(rule.field, value, mask, flow::tcp_flag_names(), bad);
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
        const uint64_t full = full_uint_mask(rule.field);
        if ((*v & ~full) != 0) return bad("number");
        // An 802.1Q/802.1ad TPID here is the outer type of a VLAN packet; the
        // inner type (in encap(...)) is what OpenFlow and the model call dl_type.
        // An outer 802.1ad S-tag is more than the canonical tag says (an
        // 802.1Q one): reported, while its vid / pcp still map.
        if (rule.kind == ValueKind::EthType && (*v == 0x8100 || *v == 0x88a8) && (mask & full) == full) {
            if (*v == 0x88a8 && encap_depth_ == 0 && unmapped_) add_unmapped("eth_type(" + std::string(value) + ")");
            return std::nullopt;
        }
        set_uint_field(rule.field, *v, mask & full);
        return std::nullopt;
    }

    void set_uint_field(Field f, uint64_t value, uint64_t mask) {
        if (match_) match_->set(f, Masked::from_uint(value, mask, flow::field_info(f).bytes));
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
        } else if (match_) {
            m.mask = flow::full_mask(f).mask;
        }
        if (!match_) return std::nullopt;
        for (size_t i = 0; i < m.value.size(); ++i) m.value[i] &= m.mask[i];
        match_->set(f, m);
        return std::nullopt;
    }

    static bool read_address(flow::FieldKind kind, std::string_view s, std::array<uint8_t, 16>& bytes) {
        // The common spellings without inet_pton (and its copy of the text);
        // the general readers decide everything else.
        switch (kind) {
            case flow::FieldKind::Mac:
                if (dpflow_text::quick_mac(s, bytes.data())) return true;
                break;
            case flow::FieldKind::Ipv4:
                if (dpflow_text::quick_ipv4(s, bytes)) return true;
                break;
            case flow::FieldKind::Ipv6:
                if (dpflow_text::quick_ipv6(s, bytes)) return true;
                break;
            default: break;
        }
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

    // tcp_flags and ct_state. The canonical field keeps the bits it has
    // room for; set bits beyond it (ct_state past dnat: "new|trk|0x100") and
    // masked bits OVS could not name ("+[Unknown]") are reported as unmapped.
    template <typename Bad>
    std::optional<std::string> set_flags(Field f, std::string_view value, std::optional<std::string_view> mask_text,
                                         std::span<const FlagName> names, Bad& bad) {
        const uint64_t full = full_uint_mask(f);
        const uint64_t attr_bits = flag_attr_bits(f);
        uint64_t v = 0;
        uint64_t mask = attr_bits;
        std::string unknown;
        if (const auto n = parse_uint(value)) {
            v = *n;
            if (mask_text) {
                const auto m = parse_uint(*mask_text);
                if (!m) return bad("mask");
                mask = *m & attr_bits;
            }
        } else {
            auto words = parse_flag_words(value, names, attr_bits);
            if (!words || mask_text) return bad("flags");
            v = words->value;
            mask = words->mask;
            unknown = std::move(words->unknown);
        }
        if ((v & ~attr_bits) != 0) return bad("flags");
        set_uint_field(f, v & full, mask & full);
        if (!unmapped_) return std::nullopt;
        const std::string_view key = f == Field::TcpFlags ? "tcp_flags" : "ct_state";
        if (const uint64_t extra = v & mask & ~full; extra != 0) {
            const bool exact = mask == attr_bits;
            add_unmapped(std::string(key) + "(" + hex(extra) + (exact ? "" : "/" + hex(mask & ~full)) + ")");
        }
        if (!unknown.empty()) add_unmapped(std::string(key) + "(" + unknown + ")");
        return std::nullopt;
    }

    static std::string hex(uint64_t n) {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string digits;
        do {
            digits.insert(digits.begin(), kDigits[n & 0xf]);
            n >>= 4;
        } while (n != 0);
        return "0x" + digits;
    }

    static constexpr int kMaxEncapDepth = 8;
    // A real key has a few dozen items; the bound keeps hostile input small.
    static constexpr size_t kMaxUnmapped = 32;
    DpKeyFacts& facts_;
    flow::Match* match_;                   // null: only checking
    std::vector<std::string>* unmapped_;   // null: only checking
    int encap_depth_ = 0;
};

}  // namespace

std::optional<std::string> read_dpflow_key(std::string_view key, DpKeyFacts& facts, flow::Match* match,
                                           std::vector<std::string>* unmapped) {
    KeyParser keys(facts, match, unmapped);
    return keys.parse_list(key);
}

std::optional<size_t> check_canonical_dpflow_key(std::string_view text, DpKeyFacts& facts) {
    KeyParser keys(facts, nullptr, nullptr);
    return keys.read_canonical(text);
}

std::string describe_unmapped_key(std::string_view printed, const flow::Match& match) {
    const std::string item(printed);
    const std::string cannot = ", so snoc cannot check it against the NIC profile";
    if (printed.starts_with("eth_type(")) {
        return "the outer VLAN tag is an 802.1ad S-tag (" + item +
               "); the canonical vlan_vid / vlan_pcp describe an 802.1Q tag and the model has no field for a "
               "tag's TPID" + cannot;
    }
    if (printed.starts_with("encap(vlan(")) {
        std::string outer = "the outer tag";
        if (match.has(Field::VlanVid)) {
            outer += " (vlan_vid " + std::to_string(match.get(Field::VlanVid).value_uint(2)) + ")";
        }
        return "datapath key " + item + " is the inner VLAN tag (C-tag) of a double-tagged (QinQ) packet; the " +
               "canonical vlan_vid / vlan_pcp hold " + outer + " and the model has no field for a second tag" +
               cannot;
    }
    if (printed.starts_with("tcp_flags(") || printed.starts_with("ct_state(")) {
        const Field f = printed.starts_with("tcp_flags(") ? Field::TcpFlags : Field::CtState;
        return "datapath key " + item + " matches flag bits without a name in the canonical " +
               std::string(flow::to_string(f)) + " (" + std::to_string(flow::field_info(f).bits) + " bits)" + cannot;
    }
    const size_t open = printed.find('(');
    const std::string_view key = printed.substr(0, open);
    if (is_generic_key(key)) {
        return "datapath key " + item +
               " is an attribute OVS itself has no name for (one a newer kernel sends, such as key32, "
               "OVS_KEY_ATTR_IPV6_EXTHDRS) and it is not wildcarded" +
               cannot;
    }
    if (open != std::string_view::npos) {
        const std::string_view body = printed.substr(open + 1);
        if (const NamedRule* named = find_named(key, body.substr(0, body.find('=')))) {
            return "datapath key " + item + " needs the canonical field " + std::string(named->canonical) +
                   ", which the canonical model (flow/flow.h) does not have" + cannot;
        }
    }
    return "datapath key " + item + " has no canonical field" + cannot;
}

}  // namespace snoc::ovs
