// The -o flag shared by every command that prints state.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace snoc {

enum class OutputFormat { Text, Json };
std::string_view to_string(OutputFormat f);

// JSON as snoc prints it (indent 2; 0 for one line). Strings come from specs
// and the system, so bytes that are not UTF-8 are printed as U+FFFD instead
// of failing the whole document.
std::string json_text(const nlohmann::json& j, int indent = 2);

// Text for a terminal: control characters (an ESC sequence in a rule name
// would drive the operator's terminal) written as \xNN; the rest as it is.
std::string terminal_safe(std::string_view text);

}  // namespace snoc
