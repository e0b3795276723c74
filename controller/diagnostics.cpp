#include "controller/diagnostics.h"

#include <algorithm>

#include "controller/output_format.h"

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
    return terminal_safe(out);
}

void Diagnostics::add(Diagnostic d) {
    ++(d.severity == Severity::Error ? errors_ : warnings_);
    if (items_.size() < kMaxKept) items_.push_back(std::move(d));
}

void Diagnostics::error(Location loc, std::string path, std::string message) {
    add({Severity::Error, std::move(loc), std::move(path), std::move(message)});
}

void Diagnostics::warning(Location loc, std::string path, std::string message) {
    add({Severity::Warning, std::move(loc), std::move(path), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
    for (const auto& d : other.items_) add(d);
    // What `other` counted but did not keep still counts here.
    const auto kept_errors = static_cast<size_t>(std::count_if(
        other.items_.begin(), other.items_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
    errors_ += other.errors_ - kept_errors;
    warnings_ += other.warnings_ - (other.items_.size() - kept_errors);
}

}  // namespace snoc
