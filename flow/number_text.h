// Unsigned integers as people and OVS write them: decimal, or hexadecimal
// with a 0x prefix. The whole text must be the number.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace snoc {

inline std::optional<uint64_t> parse_uint_dec_or_hex(std::string_view s) {
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        base = 16;
    }
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace snoc
