#include "controller/output_format.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace snoc {

std::string_view to_string(OutputFormat f) { return f == OutputFormat::Json ? "json" : "text"; }

std::string json_text(const nlohmann::json& j, int indent) {
    return j.dump(indent > 0 ? indent : -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace snoc
