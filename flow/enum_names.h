// An enum's names as one table in declaration order, read by its to_string
// (FRR's rule: every enum has a to-string). Each use pins the table's length
// to the enum's last enumerator with a static_assert, so a new enumerator
// without a name does not compile, as a switch without its case would warn.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace snoc {

template <typename E, size_t N>
constexpr std::string_view name_of(E value, const std::array<std::string_view, N>& names) {
    const auto i = static_cast<size_t>(value);
    return i < N ? names[i] : std::string_view("unknown");
}

// True when `names` has one entry per enumerator up to and including `last`.
template <typename E, size_t N>
constexpr bool names_cover(const std::array<std::string_view, N>&, E last) {
    return N == static_cast<size_t>(last) + 1;
}

}  // namespace snoc
