// Diagnostics: every problem found in an input file, with where it is
// (file:line:column and the YAML path) and what was expected there.
// Loaders collect all of them instead of stopping at the first, so an
// operator fixes a file in one pass.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace snoc {

struct Location {
    std::string file;
    int line = 0;    // 1-based; 0 = unknown
    int column = 0;  // 1-based; 0 = unknown
};
std::string to_string(const Location& loc);  // "file:line:column" (parts omitted when unknown)

enum class Severity { Error, Warning };
std::string_view to_string(Severity s);

struct Diagnostic {
    Severity severity = Severity::Error;
    Location location;
    std::string path;     // YAML path, e.g. "nics[0].vfs[2].mac"; empty for file-level problems
    std::string message;  // what is wrong and what was expected
};
// "file:3:7: error: nics[0].num_vfs: expected ..." — the gcc layout editors understand.
std::string format(const Diagnostic& d);

// Keeps the first kMaxKept diagnostics and counts every one: a file with a
// million mistakes costs neither unbounded memory nor a screen of output
// nobody reads. Counts are kept as they come (constant time), because
// loaders ask "any new errors?" after every section.
class Diagnostics {
public:
    static constexpr size_t kMaxKept = 200;

    void error(Location loc, std::string path, std::string message);
    void warning(Location loc, std::string path, std::string message);

    const std::vector<Diagnostic>& all() const { return items_; }
    size_t error_count() const { return errors_; }
    size_t warning_count() const { return warnings_; }
    bool has_errors() const { return errors_ > 0; }
    // Found but not kept (beyond kMaxKept).
    size_t dropped() const { return errors_ + warnings_ - items_.size(); }
    // True once nothing more is kept: callers may skip costly extras (hints).
    bool full() const { return items_.size() >= kMaxKept; }
    void append(const Diagnostics& other);

private:
    void add(Diagnostic d);

    std::vector<Diagnostic> items_;
    size_t errors_ = 0, warnings_ = 0;
};

}  // namespace snoc
