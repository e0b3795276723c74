#include "controller/yaml_reader.h"

#include "flow/number_text.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace snoc::yaml {

Cursor::Cursor(YAML::Node node, std::string path, std::string file, Diagnostics* diags, Location fallback)
    : node_(std::move(node)), path_(std::move(path)), file_(std::move(file)), diags_(diags),
      fallback_(std::move(fallback)) {}

Location Cursor::location() const {
    if (node_.IsDefined()) {
        const YAML::Mark m = node_.Mark();
        if (m.line >= 0 && m.column >= 0) return {file_, m.line + 1, m.column + 1};
    }
    Location loc = fallback_;
    loc.file = file_;
    return loc;
}

bool Cursor::quoted() const { return node_.IsScalar() && node_.Tag() == "!"; }

Cursor Cursor::child(const YAML::Node& n, std::string_view key) const {
    std::string p = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    return Cursor(n, std::move(p), file_, diags_, location());
}

Cursor Cursor::element(const YAML::Node& n, size_t index) const {
    return Cursor(n, path_ + "[" + std::to_string(index) + "]", file_, diags_, location());
}

void Cursor::error(std::string message) const { diags_->error(location(), path_, std::move(message)); }
void Cursor::warning(std::string message) const { diags_->warning(location(), path_, std::move(message)); }

std::string Cursor::describe() const {
    if (is_null()) return "nothing";
    if (is_map()) return "a mapping";
    if (is_seq()) return "a list";
    std::string s = node_.Scalar();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return "\"" + s + "\"";
}

void Cursor::expected(std::string_view what) const { error("expected " + std::string(what) + ", got " + describe()); }

std::optional<std::string> Cursor::str(std::string_view what) const {
    if (!is_scalar() || is_null()) {
        expected(what);
        return std::nullopt;
    }
    return node_.Scalar();
}

std::optional<uint64_t> Cursor::uint(uint64_t min, uint64_t max, std::string_view what) const {
    const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const std::string want = what.empty() ? range : std::string(what) + " (" + range + ")";
    if (!is_scalar() || is_null() || quoted()) {
        expected(want);
        return std::nullopt;
    }
    auto v = parse_uint_dec_or_hex(node_.Scalar());
    if (!v || *v < min || *v > max) {
        expected(want);
        return std::nullopt;
    }
    return v;
}

std::optional<bool> Cursor::boolean() const {
    if (is_scalar() && !quoted()) {
        const std::string& s = node_.Scalar();
        if (s == "true" || s == "True" || s == "TRUE") return true;
        if (s == "false" || s == "False" || s == "FALSE") return false;
    }
    expected("true or false");
    return std::nullopt;
}

std::optional<size_t> Cursor::one_of(std::initializer_list<std::string_view> names) const {
    if (is_scalar() && !is_null()) {
        size_t i = 0;
        for (auto n : names) {
            if (node_.Scalar() == n) return i;
            ++i;
        }
    }
    std::string want = "one of ";
    size_t i = 0;
    for (auto n : names) {
        if (i++) want += ", ";
        want += n;
    }
    expected(want);
    return std::nullopt;
}

std::vector<Cursor> Cursor::elements(std::string_view what) const {
    std::vector<Cursor> out;
    if (!is_seq()) {
        expected("a list of " + std::string(what));
        return out;
    }
    for (size_t i = 0; i < node_.size(); ++i) out.push_back(element(node_[i], i));
    return out;
}

MapReader::MapReader(const Cursor& c, std::string_view what) : cursor_(c) {
    if (!c.is_map()) {
        c.expected(std::string(what) + " (a mapping of keys to values)");
        return;
    }
    ok_ = true;
    std::map<std::string, int> first_line;
    for (auto it = c.node().begin(); it != c.node().end(); ++it) {
        const YAML::Node key = it->first;
        Cursor kc(key, c.path(), c.file(), &c.diags(), c.location());
        if (!key.IsScalar()) {
            kc.error("expected a plain key, got " + kc.describe());
            continue;
        }
        const std::string name = key.Scalar();
        auto [pos, inserted] = first_line.emplace(name, kc.location().line);
        if (!inserted) {
            Cursor(key, c.path().empty() ? name : c.path() + "." + name, c.file(), &c.diags(), c.location())
                .error("duplicate key '" + name + "' (first given on line " + std::to_string(pos->second) + ")");
            continue;
        }
        entries_.emplace_back(name, it->second);
    }
}

std::optional<Cursor> MapReader::optional(std::string_view key) {
    known_.emplace(key);
    for (const auto& [name, value] : entries_) {
        if (name == key) return cursor_.child(value, key);
    }
    return std::nullopt;
}

std::optional<Cursor> MapReader::required(std::string_view key) {
    auto c = optional(key);
    if (!c && ok_) cursor_.error("missing required key '" + std::string(key) + "'");
    return c;
}

std::map<std::string, Location, std::less<>> MapReader::value_locations() const {
    std::map<std::string, Location, std::less<>> out;
    for (const auto& [name, value] : entries_) out.emplace(name, cursor_.child(value, name).location());
    return out;
}

void MapReader::finish() {
    if (!ok_) return;
    std::vector<std::string> known(known_.begin(), known_.end());
    for (auto it = cursor_.node().begin(); it != cursor_.node().end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string name = it->first.Scalar();
        if (known_.count(name)) continue;
        Cursor kc(it->first, cursor_.path().empty() ? name : cursor_.path() + "." + name, cursor_.file(),
                  &cursor_.diags(), cursor_.location());
        std::string msg = "unknown key '" + name + "'";
        if (auto hint = closest(name, known)) {
            msg += "; did you mean '" + *hint + "'?";
        } else {
            msg += "; expected one of: ";
            for (size_t i = 0; i < known.size(); ++i) msg += (i ? ", " : "") + known[i];
        }
        kc.error(msg);
    }
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    size_t best_d = 3;
    for (const auto& c : candidates) {
        const size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

namespace {

Location location_of(const std::string& file, const YAML::Mark& m) {
    return {file, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0};
}

// Walks the document as a loader would (aliases expanded), stopping as soon
// as it costs more than `limits`: the check itself is bounded.
bool within_limits(const YAML::Node& root, const DocumentLimits& limits) {
    size_t nodes = 0, bytes = 0;
    std::vector<YAML::Node> stack{root};
    while (!stack.empty()) {
        const YAML::Node n = stack.back();
        stack.pop_back();
        if (++nodes > limits.max_nodes) return false;
        if (n.IsScalar()) {
            bytes += n.Scalar().size();
            if (bytes > limits.max_scalar_bytes) return false;
        } else if (n.IsSequence()) {
            for (const auto& e : n) stack.push_back(e);
        } else if (n.IsMap()) {
            for (const auto& kv : n) {
                stack.push_back(kv.first);
                stack.push_back(kv.second);
            }
        }
    }
    return true;
}

struct SecondDocument {
    int line = 0;      // of its '---'
    size_t count = 0;  // documents in the file
};

// A '---' line (alone, or followed by a space) after the first document has
// content starts another document. The first document may itself begin
// with '---' (and directives): that one does not count.
std::optional<SecondDocument> second_document(std::string_view text) {
    std::optional<SecondDocument> out;
    bool content = false;
    int line = 0;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view l = text.substr(start, end - start);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        ++line;
        const bool marker = l.starts_with("---") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t');
        if (marker && content) {
            if (!out) out = SecondDocument{line, 1};
            ++out->count;
        } else if (!marker && !l.empty() && l[0] != '#' && l[0] != '%' &&
                   l.find_first_not_of(" \t") != std::string_view::npos) {
            content = true;
        }
        start = end + 1;
    }
    return out;
}

}  // namespace

std::optional<YAML::Node> parse_document(std::string_view text, const std::string& file, Diagnostics& diags,
                                         const DocumentLimits& limits) {
    // Documents after the first are found by their '---' line, not by
    // yaml-cpp's LoadAll, which can spin for minutes on a 1 KB input (found
    // by fuzz_spec_loader).
    if (const auto second = second_document(text)) {
        diags.error(Location{file, second->line, 1}, "",
                    "the file holds " + std::to_string(second->count) +
                        " YAML documents; it must hold one (remove the '---' that starts the second)");
        return std::nullopt;
    }
    std::vector<YAML::Node> docs(1);
    try {
        docs[0] = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        diags.error(location_of(file, e.mark), "", "YAML syntax error: " + e.msg);
        return std::nullopt;
    }
    if (!within_limits(docs[0], limits)) {
        diags.error(Location{file, 0, 0}, "",
                    "the document expands (its aliases '*name' counted each time they are used) to more than " +
                        std::to_string(limits.max_nodes) + " nodes or " + std::to_string(limits.max_scalar_bytes >> 20) +
                        " MiB of text; write the repeated parts out, or split the file");
        return std::nullopt;
    }
    return docs[0];
}

}  // namespace snoc::yaml
