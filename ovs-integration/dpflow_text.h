// Small text helpers shared by the datapath dump readers (dpflow_key.cpp,
// dpflow_view.cpp).
#pragma once

#include <array>
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

}  // namespace snoc::ovs::dpflow_text
