#include "controller/diagnostics.h"

#include <algorithm>

namespace snoc {

std::string to_string(const Location& loc) {
    std::string out = loc.file.empty() ? "<input>" : loc.file;
    if (loc.line > 0) {
        out += ":" + std::to_string(loc.line);
        if (loc.column > 0) out += ":" + std::to_string(loc.column);
    }
    return out;
}

std::string_view to_string(Severity s) { return s == Severity::Error ? "error" : "warning"; }

std::string format(const Diagnostic& d) {
    std::string out = to_string(d.location);
    out += ": ";
    out += to_string(d.severity);
    out += ": ";
    if (!d.path.empty()) out += d.path + ": ";
    out += d.message;
    return out;
}

void Diagnostics::error(Location loc, std::string path, std::string message) {
    items_.push_back({Severity::Error, std::move(loc), std::move(path), std::move(message)});
}

void Diagnostics::warning(Location loc, std::string path, std::string message) {
    items_.push_back({Severity::Warning, std::move(loc), std::move(path), std::move(message)});
}

size_t Diagnostics::error_count() const {
    return static_cast<size_t>(
        std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

}  // namespace snoc
