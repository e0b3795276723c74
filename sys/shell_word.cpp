#include "sys/shell_word.h"

#include <algorithm>
#include <cctype>

namespace snoc::sys {
namespace {

// Characters no POSIX shell gives a meaning to anywhere in a word. '=' and
// ':' are safe inside a word; '~' only matters first, '#' only first: both
// are left out to keep the rule simple.
bool plain(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_-.,/:=@%+").find(c) != std::string_view::npos;
}

}  // namespace

std::string shell_word(std::string_view arg) {
    if (!arg.empty() && std::all_of(arg.begin(), arg.end(), plain)) return std::string(arg);
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

}  // namespace snoc::sys
