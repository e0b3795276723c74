// Splitting rule text into items (see policy_lexer.h).
#include "flow/policy_lexer.h"

namespace snoc::flow::syntax {

bool is_separator(char c) { return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Result<std::string_view> next_item(std::string_view text, size_t& pos, bool nesting) {
    while (pos < text.size() && is_separator(text[pos])) ++pos;
    const size_t start = pos;
    size_t depth = 0;
    size_t outer_open = 0;  // the '(' an unclosed item is missing a ')' for
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (!nesting) {
            if (is_separator(c)) break;
            continue;
        }
        if (c == '(') {
            if (depth++ == 0) outer_open = pos;
        } else if (c == ')') {
            if (depth == 0) return Fail{"unexpected ) without a matching (", text.substr(pos, 1)};
            --depth;
        } else if (depth == 0 && is_separator(c)) {
            break;
        }
    }
    if (depth > 0) return Fail{"missing ) to close this (", text.substr(outer_open, 1)};
    return text.substr(start, pos - start);
}

Result<std::vector<std::string_view>> split_items(std::string_view text) {
    std::vector<std::string_view> items;
    size_t pos = 0;
    for (;;) {
        const auto item = next_item(text, pos, true);
        if (!item) return item.fail();
        if (item->empty()) return items;
        items.push_back(*item);
    }
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_separator(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_separator(text.back())) text.remove_suffix(1);
    return text;
}

}  // namespace snoc::flow::syntax
