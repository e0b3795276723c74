// Value readers and writers of the policy syntax, one per FieldKind.
#include "flow/policy_values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <span>

#include "flow/flag_names.h"

namespace snoc::flow::syntax {
namespace {

constexpr size_t kMaxQuoted = 48;

// Reserved OpenFlow port names (ovs-ofctl matches them in any case).
constexpr std::array<std::string_view, 10> kReservedPorts = {
    "LOCAL", "IN_PORT", "ALL", "FLOOD", "CONTROLLER", "NORMAL", "TABLE", "ANY", "NONE", "UNSET",
};

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string str(std::string_view s) { return std::string(s); }

// A letter, then letters, digits, '-', '_' or '.': interface and logical
// port names, never a number and never anything the lexer splits on.
bool is_port_name(std::string_view text) {
    if (text.empty() || !is_letter(text[0])) return false;
    for (char c : text) {
        if (!is_letter(c) && !is_digit(c) && c != '-' && c != '_' && c != '.') return false;
    }
    return true;
}

// Splits "value/mask"; the mask is absent when there is no '/'.
std::pair<std::string_view, std::optional<std::string_view>> split_mask(std::string_view text) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return {text, std::nullopt};
    return {text.substr(0, slash), text.substr(slash + 1)};
}

// --- MAC ---------------------------------------------------------------

std::optional<std::array<uint8_t, 6>> read_mac(std::string_view t) {
    std::array<uint8_t, 6> out{};
    size_t pos = 0;
    for (size_t i = 0; i < out.size(); ++i) {
        if (i > 0) {
            if (pos >= t.size() || t[pos] != ':') return std::nullopt;
            ++pos;
        }
        const size_t start = pos;
        unsigned v = 0;
        while (pos < t.size() && pos - start < 2 && hex_digit(t[pos]) >= 0) {
            v = v * 16 + static_cast<unsigned>(hex_digit(t[pos]));
            ++pos;
        }
        if (pos == start) return std::nullopt;
        out[i] = static_cast<uint8_t>(v);
    }
    if (pos != t.size()) return std::nullopt;
    return out;
}

std::string mac_text(const std::array<uint8_t, 16>& b) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return buf;
}

Result<Masked> parse_mac(std::string_view text, std::string_view name, bool allow_mask) {
    const auto [value, mask] = split_mask(text);
    if (mask && !allow_mask) return no_mask(name, text);
    const auto v = read_mac(value);
    if (!v) return Fail{"expected a MAC address (xx:xx:xx:xx:xx:xx) for " + str(name) + ", got " + quoted(value), value};
    Masked m;
    for (size_t i = 0; i < 6; ++i) m.mask[i] = 0xff;
    if (mask) {
        const auto mv = read_mac(*mask);
        if (!mv) return Fail{"expected a MAC mask (xx:xx:xx:xx:xx:xx) for " + str(name) + ", got " + quoted(*mask), *mask};
        for (size_t i = 0; i < 6; ++i) m.mask[i] = (*mv)[i];
    }
    for (size_t i = 0; i < 6; ++i) m.value[i] = static_cast<uint8_t>((*v)[i] & m.mask[i]);
    return m;
}

// --- IPv4 / IPv6 -------------------------------------------------------

// inet_pton wants a NUL-terminated string; it is strict (no leading zeros,
// exactly four parts for IPv4), which is what we want.
bool read_address(int family, std::string_view text, uint8_t* out) {
    if (text.empty() || text.size() > 64) return false;
    const std::string copy(text);
    return inet_pton(family, copy.c_str(), out) == 1;
}

std::string address_text(int family, const uint8_t* bytes) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(family, bytes, buf, sizeof buf) == nullptr) return "?";
    return buf;
}

bool all_digits(std::string_view t) {
    if (t.empty()) return false;
    for (char c : t) {
        if (!is_digit(c)) return false;
    }
    return true;
}

Result<Masked> parse_ip(Field f, std::string_view text, std::string_view name, bool allow_mask) {
    const bool v6 = field_info(f).kind == FieldKind::Ipv6;
    const int family = v6 ? AF_INET6 : AF_INET;
    const size_t bytes = v6 ? 16 : 4;
    const std::string family_name = v6 ? "an IPv6" : "an IPv4";
    const auto [value, mask] = split_mask(text);
    if (mask && !allow_mask) return no_mask(name, text);

    Masked m;
    if (!read_address(family, value, m.value.data())) {
        return Fail{"expected " + family_name + " address or prefix for " + str(name) + ", got " + quoted(text), text};
    }
    for (size_t i = 0; i < bytes; ++i) m.mask[i] = 0xff;
    if (mask) {
        if (all_digits(*mask)) {
            const auto len = parse_number(*mask, bytes * 8, "the prefix length of " + str(name));
            if (!len) return located(len.fail(), *mask);
            for (size_t i = 0; i < bytes; ++i) {
                const uint64_t bits_here = *len > 8 * i ? std::min<uint64_t>(8, *len - 8 * i) : 0;
                m.mask[i] = static_cast<uint8_t>(0xff00u >> bits_here);
            }
        } else if (!read_address(family, *mask, m.mask.data())) {
            return Fail{"expected a prefix length 0.." + std::to_string(bytes * 8) + " or " +
                            (v6 ? "an IPv6 mask" : "a dotted mask") + " after / for " + str(name) + ", got " +
                            quoted(*mask),
                        *mask};
        }
    }
    for (size_t i = 0; i < bytes; ++i) m.value[i] &= m.mask[i];
    return m;
}

std::string format_ip(Field f, const Masked& m) {
    const bool v6 = field_info(f).kind == FieldKind::Ipv6;
    const int family = v6 ? AF_INET6 : AF_INET;
    std::string out = address_text(family, m.value.data());
    if (is_exact(f, m)) return out;
    if (const auto len = prefix_length(f, m)) return out + "/" + std::to_string(*len);
    return out + "/" + address_text(family, m.mask.data());
}

// --- Numbers -----------------------------------------------------------

Result<Masked> parse_uint(Field f, std::string_view text, std::string_view name, bool allow_mask) {
    const auto& info = field_info(f);
    const auto [value, mask] = split_mask(text);
    if (mask && !allow_mask) return no_mask(name, text);
    const uint64_t max = field_max(f);
    const auto v = parse_number(value, max, name);
    if (!v) return located(v.fail(), value);
    uint64_t mv = max;
    if (mask) {
        const auto parsed = parse_number(*mask, max, "the mask of " + str(name));
        if (!parsed) return located(parsed.fail(), *mask);
        mv = *parsed;
    }
    return Masked::from_uint(*v, mv, info.bytes);
}

std::string format_uint(Field f, const Masked& m) {
    const auto& info = field_info(f);
    const uint64_t v = m.value_uint(info.bytes);
    std::string out;
    if (f == Field::EthType) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(v));
        out = buf;
    } else if (f == Field::TunId) {
        out = hex(v);  // a VNI/key reads better in hex, as ovs-ofctl prints it
    } else {
        out = std::to_string(v);
    }
    if (!is_exact(f, m)) out += "/" + hex(m.mask_uint(info.bytes));
    return out;
}

// --- Flags (tcp_flags, ct_state) --------------------------------------

std::string flag_list(std::span<const FlagName> names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + str(n.name);
    return out;
}

// "+syn-ack": every named flag must be set (+) or clear (-); the mask is the
// set of flags mentioned.
Result<Masked> parse_flag_words(Field f, std::string_view text, std::string_view name) {
    const auto names = flag_names(f);
    uint64_t value = 0;
    uint64_t mask = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        const char sign = text[pos];
        if (sign != '+' && sign != '-') {
            return Fail{"expected +flag or -flag in " + str(name) + ", got " + quoted(text.substr(pos)),
                        text.substr(pos)};
        }
        size_t end = pos + 1;
        while (end < text.size() && text[end] != '+' && text[end] != '-') ++end;
        const std::string_view word = text.substr(pos + 1, end - pos - 1);
        const FlagName* found = nullptr;
        for (const auto& n : names) {
            if (n.name == word) found = &n;
        }
        if (found == nullptr) {
            return Fail{"unknown " + str(name) + " flag " + quoted(word) + "; expected one of " + flag_list(names),
                        text.substr(pos, end - pos)};
        }
        if (mask & found->bit) {
            return Fail{str(name) + " flag " + str(word) + " given twice", text.substr(pos, end - pos)};
        }
        mask |= found->bit;
        if (sign == '+') value |= found->bit;
        pos = end;
    }
    return Masked::from_uint(value, mask, field_info(f).bytes);
}

Result<Masked> parse_flags(Field f, std::string_view text, std::string_view name, bool allow_mask) {
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) return parse_flag_words(f, text, name);
    const auto [value, mask] = split_mask(text);
    if (value.empty() || !is_digit(value[0])) {
        return Fail{"expected " + str(name) + " as +flag-flag (" + flag_list(flag_names(f)) +
                        ") or a number, got " + quoted(text),
                    text};
    }
    return parse_uint(f, text, name, allow_mask);
}

std::string format_flags(Field f, const Masked& m) {
    const auto& info = field_info(f);
    const uint64_t value = m.value_uint(info.bytes);
    const uint64_t mask = m.mask_uint(info.bytes);
    uint64_t named = 0;
    for (const auto& n : flag_names(f)) named |= n.bit;
    // Bits without a name (tcp_flags 0x200-0x800) can only be written as numbers.
    if (mask & ~named) return is_exact(f, m) ? hex(value) : hex(value) + "/" + hex(mask);
    std::string out;
    for (const auto& n : flag_names(f)) {
        if (mask & n.bit) out += ((value & n.bit) ? "+" : "-") + str(n.name);
    }
    return out;
}

}  // namespace

std::string quoted(std::string_view text) {
    std::string out = "\"";
    const size_t n = std::min(text.size(), kMaxQuoted);
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > n) out += "...";
    return out + "\"";
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

Result<uint64_t> parse_number(std::string_view text, uint64_t max, std::string_view what) {
    auto not_a_number = [&](std::string_view why) {
        return Fail{"expected a decimal or 0x hex number for " + str(what) + ", got " + quoted(text) + str(why)};
    };
    if (text.empty()) return Fail{"expected a decimal or 0x hex number for " + str(what) + ", got nothing"};
    const bool is_hex = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const std::string_view digits = is_hex ? text.substr(2) : text;
    const unsigned base = is_hex ? 16 : 10;
    if (digits.empty()) return not_a_number("");
    if (!is_hex && digits.size() > 1 && digits[0] == '0') {
        return not_a_number(" (ovs-ofctl would read a leading 0 as octal)");
    }
    uint64_t v = 0;
    bool overflow = false;
    for (char c : digits) {
        const int d = is_hex ? hex_digit(c) : (is_digit(c) ? c - '0' : -1);
        if (d < 0) return not_a_number("");
        if (v > (UINT64_MAX - static_cast<unsigned>(d)) / base) overflow = true;
        v = v * base + static_cast<unsigned>(d);
    }
    if (overflow || v > max) {
        return Fail{str(what) + " must be 0.." + std::to_string(max) + ", got " + quoted(text)};
    }
    return v;
}

uint64_t field_max(Field f) {
    const unsigned bits = field_info(f).bits;
    return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
}

Fail no_mask(std::string_view name, std::string_view text) {
    const size_t slash = text.find('/');
    return Fail{str(name) + " does not take a mask, got " + quoted(text),
                slash == std::string_view::npos ? text : text.substr(slash + 1)};
}

Masked exact_value(Field f, uint64_t value) {
    return Masked::from_uint(value, field_max(f), field_info(f).bytes);
}

Result<Masked> parse_value(Field f, std::string_view text, std::string_view name, bool allow_mask) {
    switch (field_info(f).kind) {
        case FieldKind::Mac: return parse_mac(text, name, allow_mask);
        case FieldKind::Ipv4:
        case FieldKind::Ipv6: return parse_ip(f, text, name, allow_mask);
        case FieldKind::Uint: return parse_uint(f, text, name, allow_mask);
        case FieldKind::TcpFlags:
        case FieldKind::CtState: return parse_flags(f, text, name, allow_mask);
    }
    return Fail{"internal error: unknown kind of field " + str(name)};
}

std::string format_value(Field f, const Masked& m) {
    switch (field_info(f).kind) {
        case FieldKind::Mac: return is_exact(f, m) ? mac_text(m.value) : mac_text(m.value) + "/" + mac_text(m.mask);
        case FieldKind::Ipv4:
        case FieldKind::Ipv6: return format_ip(f, m);
        case FieldKind::Uint: return format_uint(f, m);
        case FieldKind::TcpFlags:
        case FieldKind::CtState: return format_flags(f, m);
    }
    return "?";
}

bool is_reserved_port(std::string_view text) {
    for (auto reserved : kReservedPorts) {
        if (equals_ignore_case(text, reserved)) return true;
    }
    return false;
}

Result<std::string> parse_port(std::string_view text, std::string_view what) {
    // ovs-ofctl prints names that are not plain words in double quotes ("v-web").
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
    if (text.empty()) return Fail{"expected a port name for " + str(what) + ", got nothing"};
    if (parse_number(text, UINT64_MAX, what)) {
        return Fail{"expected a port name for " + str(what) + ", got the port number " + quoted(text) +
                    "; name a workload, NIC uplink or tunnel port instead (policies do not use OpenFlow port numbers)"};
    }
    for (auto reserved : kReservedPorts) {
        if (!equals_ignore_case(text, reserved)) continue;
        if (reserved == "LOCAL") return std::string(reserved);
        std::string hint = reserved == "NORMAL" ? " (for the NORMAL pipeline write the action normal)" : "";
        return Fail{"the reserved OpenFlow port " + str(reserved) + " is not supported by snoc policies in " +
                    str(what) + "; name a workload, NIC uplink or tunnel port" + hint};
    }
    if (!is_port_name(text)) {
        return Fail{"expected a port name (a letter, then letters, digits, '-', '_' or '.') for " + str(what) +
                    ", got " + quoted(text)};
    }
    return std::string(text);
}

}  // namespace snoc::flow::syntax
