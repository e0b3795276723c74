#include "ovs-integration/ovsdb_codec.h"

namespace snoc::ovs::ovsdb {
namespace {

bool is_tagged(const Json& v, std::string_view tag) {
    return v.is_array() && v.size() == 2 && v[0].is_string() && v[0].get<std::string>() == tag;
}

}  // namespace

Json uuid(std::string_view id) { return Json::array({"uuid", std::string(id)}); }
Json named_uuid(std::string_view name) { return Json::array({"named-uuid", std::string(name)}); }
Json set(std::vector<Json> atoms) { return Json::array({"set", Json(std::move(atoms))}); }
Json empty_set() { return Json::array({"set", Json::array()}); }

Json map(const StringMap& m) {
    Json pairs = Json::array();
    for (const auto& [k, v] : m) pairs.push_back(Json::array({k, v}));
    return Json::array({"map", pairs});
}

std::vector<Json> set_elements(const Json& value) {
    if (is_tagged(value, "set") && value[1].is_array()) return value[1].get<std::vector<Json>>();
    if (value.is_null()) return {};
    return {value};  // a one-element set sent as its bare atom
}

StringMap string_map(const Json& value) {
    StringMap out;
    if (!is_tagged(value, "map") || !value[1].is_array()) return out;
    for (const Json& pair : value[1]) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
            out[pair[0].get<std::string>()] = pair[1].get<std::string>();
        }
    }
    return out;
}

std::optional<std::string> uuid_of(const Json& value) {
    if (is_tagged(value, "uuid") && value[1].is_string()) return value[1].get<std::string>();
    return std::nullopt;
}

std::vector<std::string> uuids_of(const Json& set_value) {
    std::vector<std::string> out;
    for (const Json& e : set_elements(set_value)) {
        if (auto u = uuid_of(e)) out.push_back(*u);
    }
    return out;
}

std::optional<int64_t> optional_int(const Json& value) {
    for (const Json& e : set_elements(value)) {
        if (e.is_number_integer()) return e.get<int64_t>();
    }
    return std::nullopt;
}

const Json& rows_of(const Json& select_result) {
    static const Json kEmpty = Json::array();
    const bool has_rows =
        select_result.is_object() && select_result.contains("rows") && select_result["rows"].is_array();
    return has_rows ? select_result["rows"] : kEmpty;
}

std::string row_uuid(const Json& row) { return uuid_of(row.value("_uuid", Json())).value_or(""); }

Json condition(std::string_view column, std::string_view function, Json value) {
    return Json::array({std::string(column), std::string(function), std::move(value)});
}

Json where_uuid(std::string_view row_uuid) { return Json::array({condition("_uuid", "==", uuid(row_uuid))}); }
Json where_name(std::string_view name) { return Json::array({condition("name", "==", std::string(name))}); }

Json mutation(std::string_view column, std::string_view mutator, Json value) {
    return Json::array({std::string(column), std::string(mutator), std::move(value)});
}

Json op_select(std::string_view table, Json where, std::vector<std::string> columns) {
    Json op{{"op", "select"}, {"table", std::string(table)}, {"where", std::move(where)}};
    if (!columns.empty()) op["columns"] = columns;
    return op;
}

Json op_insert(std::string_view table, Json row, std::optional<std::string_view> uuid_name) {
    Json op{{"op", "insert"}, {"table", std::string(table)}, {"row", std::move(row)}};
    if (uuid_name) op["uuid-name"] = std::string(*uuid_name);
    return op;
}

Json op_update(std::string_view table, Json where, Json row) {
    return Json{{"op", "update"}, {"table", std::string(table)}, {"where", std::move(where)}, {"row", std::move(row)}};
}

Json op_mutate(std::string_view table, Json where, Json mutations) {
    return Json{{"op", "mutate"},
                {"table", std::string(table)},
                {"where", std::move(where)},
                {"mutations", std::move(mutations)}};
}

Json op_delete(std::string_view table, Json where) {
    return Json{{"op", "delete"}, {"table", std::string(table)}, {"where", std::move(where)}};
}

Json op_wait(std::string_view table, Json where, std::vector<std::string> columns, std::string_view until,
             Json rows, std::optional<int64_t> timeout_ms) {
    Json op{{"op", "wait"},
            {"table", std::string(table)},
            {"where", std::move(where)},
            {"columns", columns},
            {"until", std::string(until)},
            {"rows", std::move(rows)}};
    if (timeout_ms) op["timeout"] = *timeout_ms;
    return op;
}

Json op_comment(std::string_view text) { return Json{{"op", "comment"}, {"comment", std::string(text)}}; }

}  // namespace snoc::ovs::ovsdb
