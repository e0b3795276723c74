// A checked walk over a parsed YAML document.
//
// A Cursor is one node plus its YAML path ("nics[0].vfs[1].mac"); MapReader
// hands out the keys a section knows and reports every other key as unknown
// (with a "did you mean" hint). Conversions report "expected X, got Y" at the
// node's own line and column. Nothing here throws: problems go to
// Diagnostics and the caller gets nullopt, so loading continues and every
// error in a file is reported in one run.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controller/diagnostics.h"

namespace snoc::yaml {

class Cursor {
public:
    Cursor(YAML::Node node, std::string path, std::string file, Diagnostics* diags, Location fallback = {});

    const YAML::Node& node() const { return node_; }
    const std::string& path() const { return path_; }
    const std::string& file() const { return file_; }
    Diagnostics& diags() const { return *diags_; }
    Location location() const;
    // True for a quoted scalar ('...' or "..."): its text starts one column later.
    bool quoted() const;

    bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }
    bool is_map() const { return node_.IsMap(); }
    bool is_seq() const { return node_.IsSequence(); }
    bool is_scalar() const { return node_.IsScalar(); }

    Cursor child(const YAML::Node& n, std::string_view key) const;
    Cursor element(const YAML::Node& n, size_t index) const;

    void error(std::string message) const;
    void warning(std::string message) const;
    // "expected <what>, got <description of this node>"
    void expected(std::string_view what) const;
    std::string describe() const;  // `"text"`, "a mapping", "a list", "nothing"

    // Conversions; on failure they report at this node and return nullopt.
    std::optional<std::string> str(std::string_view what = "a string") const;
    std::optional<uint64_t> uint(uint64_t min, uint64_t max, std::string_view what = {}) const;
    std::optional<bool> boolean() const;
    // A scalar that must be one of `names`; returns its index.
    std::optional<size_t> one_of(std::initializer_list<std::string_view> names) const;
    // Elements of a list ("expected a list of <what>" otherwise).
    std::vector<Cursor> elements(std::string_view what) const;

private:
    YAML::Node node_;
    std::string path_;
    std::string file_;
    Diagnostics* diags_;
    Location fallback_;
};

// Reads a mapping whose keys are known in advance.
class MapReader {
public:
    // `what` names the section in messages ("a NIC").
    MapReader(const Cursor& c, std::string_view what);

    bool ok() const { return ok_; }
    std::optional<Cursor> optional(std::string_view key);
    std::optional<Cursor> required(std::string_view key);
    // Reports every key that was never asked for. Call once, after all optional()/required().
    void finish();
    const Cursor& cursor() const { return cursor_; }
    // The position of every key's value, for checks that run after loading.
    std::map<std::string, Location, std::less<>> value_locations() const;

private:
    Cursor cursor_;
    bool ok_ = false;
    std::set<std::string, std::less<>> known_;
    std::vector<std::pair<std::string, YAML::Node>> entries_;  // in file order, keys as written
};

// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within 2 edits, if any.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// What one document may cost once aliases are expanded: every walk of it
// (the loaders') visits an aliased node once per alias, so an "alias bomb"
// of a few KB could otherwise cost gigabytes. Figures in docs/spec-reference.md.
struct DocumentLimits {
    size_t max_nodes = 1'000'000;          // nodes visited, aliases counted each time
    size_t max_scalar_bytes = 32u << 20;   // bytes of scalar text visited
};

// Parses a whole file holding exactly one document. YAML syntax errors,
// more than one document and a document beyond `limits` are reported with
// their position; the result is nullopt then.
std::optional<YAML::Node> parse_document(std::string_view text, const std::string& file, Diagnostics& diags,
                                         const DocumentLimits& limits = {});

}  // namespace snoc::yaml
