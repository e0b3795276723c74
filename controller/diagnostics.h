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

class Diagnostics {
public:
    void error(Location loc, std::string path, std::string message);
    void warning(Location loc, std::string path, std::string message);

    const std::vector<Diagnostic>& all() const { return items_; }
    size_t error_count() const;
    size_t warning_count() const;
    bool has_errors() const { return error_count() > 0; }
    void append(const Diagnostics& other);

private:
    std::vector<Diagnostic> items_;
};

}  // namespace snoc
