// Small text helpers shared by the datapath dump readers (dpflow_key.cpp,
// dpflow_view.cpp).
#pragma once

#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace snoc::ovs::dpflow_text {

// Without surrounding blanks (and a line's trailing \r\n).
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// How error messages quote the offending text.
inline std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// +1 for an opening bracket ( { [, -1 for a closing one, else 0: the key
// grammar nests all three alike. A table, because the scans that use it
// run over every byte of every key of a 200,000-flow dump.
inline constexpr std::array<signed char, 256> kBracketDepth = [] {
    std::array<signed char, 256> t{};
    for (unsigned char c : std::string_view("({[")) t[c] = 1;
    for (unsigned char c : std::string_view(")}]")) t[c] = -1;
    return t;
}();

inline int bracket_depth(char c) { return kBracketDepth[static_cast<unsigned char>(c)]; }

// A poll of a full datapath writes ~30 MB of records and ~15 MB of
// identity table once, front to back: in 4 KiB pages that is ~10,000 page
// faults, a tenth of the poll. This asks for huge pages for the part of
// [data, data + bytes) that spans whole ones, where the system grants them
// to memory that asks (THP "madvise" or "always"). Only a hint: nothing
// changes where it is not honoured.
inline void advise_huge_pages(const void* data, size_t bytes) {
    constexpr uintptr_t kHuge = uintptr_t{2} << 20;
    if (bytes < 2 * kHuge) return;
    const auto at = reinterpret_cast<uintptr_t>(data);
    const uintptr_t begin = (at + kHuge - 1) & ~(kHuge - 1);
    const uintptr_t end = (at + bytes) & ~(kHuge - 1);
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// a == b for the short names and words of the grammar: a loop costs less
// than the call to memcmp that string_view's == makes.
inline bool same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) return false;
    }
    return true;
}

// s.find(c) / s.find(text) for the short strings of a key or a line's
// statistics (a few to a hundred bytes): a loop here costs less than the
// call to memchr that string_view::find makes, ~60 times a line.
inline size_t find_char(std::string_view s, char c) {
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == c) return i;
    }
    return std::string_view::npos;
}

inline size_t find_text(std::string_view s, std::string_view text) {
    if (text.empty()) return 0;
    if (text.size() > s.size()) return std::string_view::npos;
    const size_t last = s.size() - text.size();
    for (size_t i = 0; i <= last; ++i) {
        if (s[i] == text[0] && same(s.substr(i, text.size()), text)) return i;
    }
    return std::string_view::npos;
}

// Hex digit value (either case), or -1.
inline constexpr std::array<signed char, 256> kHexValue = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = static_cast<signed char>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = static_cast<signed char>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[static_cast<size_t>(c)] = static_cast<signed char>(c - 'A' + 10);
    return t;
}();

inline int hex_value(char c) { return kHexValue[static_cast<unsigned char>(c)]; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Quick readers of the values a dump key carries, for the common spellings
// only. Each returns true only for text the general reader (the function
// named) accepts, with the value it would give; false means "not one of
// the common spellings": the caller then asks the general reader, whose
// verdict and error stand. So they change how fast a value is read, never
// whether it is accepted (tests/unit/dpflow_values_test.cpp compares them
// with the general readers on generated and mutated inputs).

// parse_uint_dec_or_hex: 1-19 decimal digits, or 0x/0X and 1-16 hex
// digits (neither can overflow 64 bits).
inline bool quick_uint(std::string_view s, uint64_t& out) {
    const size_t n = s.size();
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n > 18) return false;
        uint64_t v = 0;
        for (size_t i = 2; i < n; ++i) {
            const int d = hex_value(s[i]);
            if (d < 0) return false;
            v = (v << 4) | static_cast<uint64_t>(d);
        }
        out = v;
        return true;
    }
    if (n == 0 || n > 19) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
    return true;
}

// A dump's "used:" seconds without the 's' (dpflow_view.cpp, read with
// std::from_chars): digits, optionally '.' and more digits, 15 digits at
// most. Then the number is N / 10^k with N and 10^k exact doubles, and the
// division rounds the exact quotient as from_chars rounds the text: the
// same double. nullopt: ask from_chars.
inline std::optional<double> quick_seconds(std::string_view s) {
    if (s.empty() || s.size() > 16) return std::nullopt;
    uint64_t n = 0;
    size_t digits = 0;
    size_t fraction = 0;
    bool point = false;
    for (char c : s) {
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (!is_digit(c)) return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(c - '0');
        ++digits;
        fraction += point;
    }
    if (digits == 0 || digits > 15 || (point && (fraction == 0 || digits == fraction))) return std::nullopt;
    constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    return static_cast<double>(n) / kPow10[fraction];
}

// net::parse_mac: six colon-separated pairs of hex digits, either case
// (the same set parse_mac takes).
inline bool quick_mac(std::string_view s, uint8_t* out) {
    if (s.size() != 17) return false;
    for (size_t i = 0; i < 6; ++i) {
        const int hi = hex_value(s[i * 3]);
        const int lo = hex_value(s[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':')) return false;
        out[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return true;
}

// net::parse_ipv4 (inet_pton): a dotted quad of decimal numbers 0-255
// without leading zeros ("0" alone is one). Bytes 4-15 are zeroed, as
// net::IpAddress has them.
inline bool quick_ipv4(std::string_view s, std::array<uint8_t, 16>& out) {
    const size_t n = s.size();
    if (n < 7 || n > 15) return false;
    size_t i = 0;
    std::array<uint8_t, 16> bytes{};
    for (size_t part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= n || s[i] != '.') return false;
            ++i;
        }
        const size_t start = i;
        unsigned v = 0;
        while (i < n && i - start < 3 && is_digit(s[i])) v = v * 10 + static_cast<unsigned>(s[i++] - '0');
        const size_t len = i - start;
        if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return false;
        bytes[part] = static_cast<uint8_t>(v);
    }
    if (i != n) return false;
    out = bytes;
    return true;
}

// net::parse_ip for an IPv6 address (inet_pton): groups of 1-4 hex digits
// (either case) separated by ':', eight of them, or at most seven with one
// "::" standing for the rest. Embedded IPv4 ("::ffff:1.2.3.4") and
// anything else is left to the general reader.
inline bool quick_ipv6(std::string_view s, std::array<uint8_t, 16>& out) {
    const size_t n = s.size();
    if (n < 2 || n > 39) return false;
    std::array<uint16_t, 8> groups{};
    size_t count = 0;
    bool has_gap = false;
    size_t gap = 0;  // where "::" is, in groups
    size_t i = 0;
    if (s[0] == ':') {
        if (s[1] != ':') return false;
        has_gap = true;
        i = 2;
        if (i == n) {
            out = {};
            return true;
        }
    }
    for (;;) {
        const size_t start = i;
        unsigned v = 0;
        while (i < n && i - start < 4) {
            const int d = hex_value(s[i]);
            if (d < 0) break;
            v = (v << 4) | static_cast<unsigned>(d);
            ++i;
        }
        if (i == start || count == 8) return false;
        groups[count++] = static_cast<uint16_t>(v);
        if (i == n) break;
        if (s[i] != ':') return false;
        ++i;
        if (i < n && s[i] == ':') {
            if (has_gap) return false;
            has_gap = true;
            gap = count;
            ++i;
            if (i == n) break;
        } else if (i == n) {
            return false;  // a trailing single ':'
        }
    }
    // "::" stands for at least one group.
    if (has_gap ? count > 7 : count != 8) return false;
    if (!has_gap) gap = count;
    std::array<uint8_t, 16> bytes{};
    const size_t tail = count - gap;
    for (size_t g = 0; g < count; ++g) {
        const size_t at = g < gap ? g : 8 - tail + (g - gap);
        bytes[at * 2] = static_cast<uint8_t>(groups[g] >> 8);
        bytes[at * 2 + 1] = static_cast<uint8_t>(groups[g] & 0xff);
    }
    out = bytes;
    return true;
}

}  // namespace snoc::ovs::dpflow_text
