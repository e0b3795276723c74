// One table model, two renderings — aligned text for operators and JSON for
// scripts — as iproute2 does: a view fills the cells once, so the text and
// the JSON can never disagree about what a row holds.
//
// Each cell carries its text (possibly abbreviated: "1.2M") and its JSON
// value (exact: 1234567). Columns laid out as Line print on their own
// indented line under the row in text ("match: ..."), for long values that
// would wreck the alignment; in JSON they are ordinary keys. Each row may
// also carry detail items (the reasons a flow is not in hardware): indented
// "- " lines in text, an array under `detail_key` in JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snoc::monitor {

enum class Layout : uint8_t { Left, Right, Line };
std::string_view to_string(Layout l);

struct Column {
    std::string header;  // text: "PACKETS"
    std::string key;     // JSON: "packets"
    Layout layout = Layout::Left;
};

struct Cell {
    std::string text;
    nlohmann::json json;
};

struct DetailItem {
    std::string text;
    nlohmann::json json;
};

struct TableRow {
    std::vector<Cell> cells;  // one per column, in column order
    std::vector<DetailItem> details;
};

class ColumnTable {
public:
    ColumnTable(std::vector<Column> columns, std::string detail_key = {})
        : columns_(std::move(columns)), detail_key_(std::move(detail_key)) {}

    // A row with fewer cells than columns is padded with "-" / null; extra cells are dropped.
    void add_row(TableRow row);

    // Text: a header line, then each row (Line columns and details indented under it).
    void print_text(std::ostream& out, size_t indent = 0) const;
    // JSON: an array with one object per row.
    nlohmann::json to_json() const;

    size_t rows() const { return rows_.size(); }

private:
    std::vector<Column> columns_;
    std::string detail_key_;
    std::vector<TableRow> rows_;
};

// Cell helpers shared by the views.
Cell count_cell(uint64_t n);                    // "1.23M" / 1234567
Cell text_cell(const std::string& s);           // "-" for empty / ""
Cell ratio_cell(std::optional<double> r);       // "85.0%" / 0.85; "-" / null when undefined
std::string human_count(uint64_t n);            // 999, 1.00k, 12.3M, 4.56G, ...

}  // namespace snoc::monitor
