// OVSDB wire encoding (RFC 7047 section 5.1) and transaction operations
// (section 5.2), as plain functions over nlohmann::json.
//
// A column value is an atom, ["set", [atoms]] or ["map", [[key, value]...]];
// references are ["uuid", "..."] or, inside one transaction, ["named-uuid",
// "name"] for a row inserted earlier in the same transaction. The server
// may answer a one-element set as the bare atom, so the decoders accept both.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace snoc::ovs::ovsdb {

using Json = nlohmann::json;
using StringMap = std::map<std::string, std::string>;

// --- encoding ---
Json uuid(std::string_view id);
Json named_uuid(std::string_view name);
Json set(std::vector<Json> atoms);
Json map(const StringMap& m);
Json empty_set();

// --- decoding (lenient about the bare-atom form of one-element sets) ---
std::vector<Json> set_elements(const Json& value);
StringMap string_map(const Json& value);
// "a7f1..." from ["uuid", "a7f1..."], nullopt for anything else.
std::optional<std::string> uuid_of(const Json& value);
std::vector<std::string> uuids_of(const Json& set_value);
// An optional integer column (a set of zero or one integers).
std::optional<int64_t> optional_int(const Json& value);
// The rows of one "select" result (empty for anything else).
const Json& rows_of(const Json& select_result);
// A selected row's _uuid ("" when it has none).
std::string row_uuid(const Json& row);

// --- operations ---
// One condition of a "where" clause: [column, function, value].
Json condition(std::string_view column, std::string_view function, Json value);
Json where_uuid(std::string_view row_uuid);
Json where_name(std::string_view name);
// One mutation: [column, mutator, value].
Json mutation(std::string_view column, std::string_view mutator, Json value);

Json op_select(std::string_view table, Json where, std::vector<std::string> columns);
Json op_insert(std::string_view table, Json row, std::optional<std::string_view> uuid_name = std::nullopt);
Json op_update(std::string_view table, Json where, Json row);
Json op_mutate(std::string_view table, Json where, Json mutations);
Json op_delete(std::string_view table, Json where);
// Aborts the transaction unless `rows` (restricted to `columns`) compare
// `until` ("==" or "!=") to what `where` selects; used to fail instead of
// overwriting a change made between our read and our write.
Json op_wait(std::string_view table, Json where, std::vector<std::string> columns, std::string_view until,
             Json rows, std::optional<int64_t> timeout_ms = 0);
Json op_comment(std::string_view text);

}  // namespace snoc::ovs::ovsdb
