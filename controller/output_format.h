// The -o flag shared by every command that prints state.
#pragma once

#include <string_view>

namespace snoc {

enum class OutputFormat { Text, Json };
std::string_view to_string(OutputFormat f);

}  // namespace snoc
