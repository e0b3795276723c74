#include "controller/monitor/column_table.h"
#include "flow/enum_names.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace snoc::monitor {

std::string_view to_string(Layout l) {
    static constexpr std::array<std::string_view, 3> kNames{"left", "right", "line"};
    static_assert(names_cover(kNames, Layout::Line));
    return name_of(l, kNames);
}

void ColumnTable::add_row(TableRow row) {
    row.cells.resize(columns_.size(), Cell{.text = "-", .json = nullptr});
    rows_.push_back(std::move(row));
}

void ColumnTable::print_text(std::ostream& out, size_t indent) const {
    std::vector<size_t> width(columns_.size(), 0);
    for (size_t c = 0; c < columns_.size(); ++c) {
        if (columns_[c].layout == Layout::Line) continue;
        width[c] = columns_[c].header.size();
        for (const auto& r : rows_) width[c] = std::max(width[c], r.cells[c].text.size());
    }
    const std::string lead(indent, ' ');
    auto print_line = [&](auto text_of) {
        std::string line = lead;
        for (size_t c = 0; c < columns_.size(); ++c) {
            if (columns_[c].layout == Layout::Line) continue;
            const std::string& t = text_of(c);
            const std::string fill(width[c] - t.size(), ' ');
            line += columns_[c].layout == Layout::Right ? fill + t : t + fill;
            line += "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    };
    print_line([&](size_t c) -> const std::string& { return columns_[c].header; });
    for (const auto& r : rows_) {
        print_line([&](size_t c) -> const std::string& { return r.cells[c].text; });
        for (size_t c = 0; c < columns_.size(); ++c) {
            if (columns_[c].layout != Layout::Line) continue;
            out << lead << "    " << columns_[c].key << ": " << r.cells[c].text << "\n";
        }
        for (const auto& d : r.details) out << lead << "    - " << d.text << "\n";
    }
}

nlohmann::json ColumnTable::to_json() const {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& r : rows_) {
        nlohmann::json o = nlohmann::json::object();
        for (size_t c = 0; c < columns_.size(); ++c) o[columns_[c].key] = r.cells[c].json;
        if (!detail_key_.empty()) {
            nlohmann::json d = nlohmann::json::array();
            for (const auto& item : r.details) d.push_back(item.json);
            o[detail_key_] = std::move(d);
        }
        all.push_back(std::move(o));
    }
    return all;
}

std::string human_count(uint64_t n) {
    static constexpr const char* kSuffix[] = {"", "k", "M", "G", "T", "P", "E"};
    if (n < 1000) return std::to_string(n);
    double v = static_cast<double>(n);
    size_t i = 0;
    while (v >= 999.5 && i + 1 < std::size(kSuffix)) {
        v /= 1000;
        ++i;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 9.995 ? "%.2f%s" : v < 99.95 ? "%.1f%s" : "%.0f%s", v, kSuffix[i]);
    return buf;
}

Cell count_cell(uint64_t n) { return Cell{.text = human_count(n), .json = n}; }

Cell text_cell(const std::string& s) { return Cell{.text = s.empty() ? "-" : s, .json = s}; }

Cell ratio_cell(std::optional<double> r) {
    if (!r) return Cell{.text = "-", .json = nullptr};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", *r * 100);
    return Cell{.text = buf, .json = *r};
}

}  // namespace snoc::monitor
