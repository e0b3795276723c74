// Private to flow/policy_*.cpp: splitting rule text into items.
//
// As in ovs-ofctl, items are separated by commas and whitespace; inside
// parentheses (ct(commit,zone=1), resubmit(,2)) they do not separate.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "flow/policy_values.h"

namespace snoc::flow::syntax {

bool is_separator(char c);

// The next item at or after `pos`, skipping separators; `pos` moves past it.
// At the end of the text the item is empty. With `nesting`, separators inside
// parentheses belong to the item and unbalanced parentheses are errors.
Result<std::string_view> next_item(std::string_view text, size_t& pos, bool nesting);

// All items of `text`, with nesting.
Result<std::vector<std::string_view>> split_items(std::string_view text);

// Drops separators at both ends.
std::string_view trim(std::string_view text);

}  // namespace snoc::flow::syntax
