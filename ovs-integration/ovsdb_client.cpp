#include "ovs-integration/ovsdb_client.h"

#include <algorithm>
#include <cerrno>
#include <thread>
#include <utility>

namespace snoc::ovs {
namespace {

struct NeededTable {
    const char* table;
    std::vector<const char*> columns;
};

// Every table and column snoc reads or writes. A schema without one of them
// is an OVS too old (or a database that is not vswitchd's) for snoc.
const std::vector<NeededTable>& needed_columns() {
    static const std::vector<NeededTable> kNeeded = {
        {"Open_vSwitch", {"bridges", "other_config", "external_ids", "next_cfg", "cur_cfg"}},
        {"Bridge", {"name", "ports", "datapath_type", "external_ids"}},
        {"Port", {"name", "interfaces", "tag", "external_ids"}},
        {"Interface", {"name", "type", "options", "external_ids", "ofport", "error"}},
    };
    return kNeeded;
}

// The errno that tells a caller what to do about a failed operation:
// a "wait" that timed out means someone changed the rows since we read
// them (read again and retry); constraint errors are our own bug.
int errno_for_ovsdb_error(const std::string& error) {
    if (error == "timed out") return EAGAIN;
    if (error == "constraint violation" || error == "referential integrity violation" ||
        error == "syntax error" || error == "unknown database") {
        return EINVAL;
    }
    return EREMOTEIO;
}

std::string op_label(const Json& op) {
    std::string label = op.contains("op") && op["op"].is_string() ? op["op"].get<std::string>() : "operation";
    if (op.contains("table") && op["table"].is_string()) label += " on " + op["table"].get<std::string>();
    return label;
}

}  // namespace

std::string_view to_string(RowUpdate::Kind k) {
    switch (k) {
        case RowUpdate::Kind::Initial: return "initial";
        case RowUpdate::Kind::Insert: return "insert";
        case RowUpdate::Kind::Modify: return "modify";
        case RowUpdate::Kind::Delete: return "delete";
    }
    return "?";
}

Status check_vswitch_schema(const Json& schema) {
    if (!schema.is_object() || !schema.contains("tables") || !schema["tables"].is_object()) {
        return Status::failure(EPROTO, "the database schema is not an OVSDB schema (no \"tables\" object)");
    }
    const std::string name = schema.value("name", std::string("?"));
    const std::string version = schema.value("version", std::string("unknown"));
    if (name != kVswitchDb) {
        return Status::failure(EPROTO, "expected the Open_vSwitch schema, got \"" + name + "\"");
    }
    std::string missing;
    for (const auto& need : needed_columns()) {
        const Json& tables = schema["tables"];
        if (!tables.contains(need.table)) {
            missing += std::string(missing.empty() ? "" : ", ") + "table " + need.table;
            continue;
        }
        const Json& table = tables[need.table];
        for (const char* column : need.columns) {
            if (!table.contains("columns") || !table["columns"].contains(column)) {
                missing += std::string(missing.empty() ? "" : ", ") + need.table + "." + column;
            }
        }
    }
    if (!missing.empty()) {
        return Status::failure(EPROTO, "the Open_vSwitch schema (version " + version + ") lacks " + missing +
                                           "; snoc needs Open vSwitch 2.x or later");
    }
    return Status::success();
}

std::vector<RowUpdate> parse_table_updates2(const Json& updates) {
    std::vector<RowUpdate> out;
    if (!updates.is_object()) return out;
    for (const auto& [table, rows] : updates.items()) {
        if (!rows.is_object()) continue;
        for (const auto& [row_uuid, change] : rows.items()) {
            if (!change.is_object()) continue;
            static const std::pair<const char*, RowUpdate::Kind> kKinds[] = {
                {"initial", RowUpdate::Kind::Initial},
                {"insert", RowUpdate::Kind::Insert},
                {"modify", RowUpdate::Kind::Modify},
                {"delete", RowUpdate::Kind::Delete},
            };
            for (const auto& [key, kind] : kKinds) {
                if (!change.contains(key)) continue;
                out.push_back({table, row_uuid, kind, kind == RowUpdate::Kind::Delete ? Json() : change[key]});
            }
        }
    }
    return out;
}

Status OvsdbClient::connect() {
    auto delay = options_.backoff_first;
    const auto deadline = std::chrono::steady_clock::now() + options_.reconnect_budget;
    for (;;) {
        Status s = rpc_.connect(options_.socket_path, "ovsdb-server");
        if (s.ok()) break;
        if (std::chrono::steady_clock::now() + delay > deadline) return s;
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, options_.backoff_max);
    }
    if (ever_connected_) ++reconnects_;
    ever_connected_ = true;
    rpc_.set_notification_handler(
        [this](const std::string& method, const Json& params) { on_notification(method, params); });
    for (const Monitor& m : monitors_) {
        if (Status s = arm(m); !s.ok()) return s;
    }
    return Status::success();
}

Status OvsdbClient::ensure_connected() { return rpc_.connected() ? Status::success() : connect(); }

Status OvsdbClient::call(const std::string& method, const Json& params, Json& result) {
    if (Status s = ensure_connected(); !s.ok()) return s;
    return rpc_.call(method, params, result, options_.timeout);
}

Status OvsdbClient::list_dbs(std::vector<std::string>& dbs) {
    Json result;
    if (Status s = call("list_dbs", Json::array(), result); !s.ok()) return s;
    if (!result.is_array()) return Status::failure(EPROTO, "list_dbs from " + options_.socket_path + " is not an array");
    dbs.clear();
    for (const Json& name : result) {
        if (name.is_string()) dbs.push_back(name.get<std::string>());
    }
    return Status::success();
}

Status OvsdbClient::get_schema(const std::string& db, Json& schema) {
    return call("get_schema", Json::array({db}), schema);
}

Status OvsdbClient::check_schema() {
    std::vector<std::string> dbs;
    if (Status s = list_dbs(dbs); !s.ok()) return s;
    if (std::find(dbs.begin(), dbs.end(), kVswitchDb) == dbs.end()) {
        std::string have;
        for (const auto& d : dbs) have += (have.empty() ? "" : ", ") + d;
        return Status::failure(ENOENT, "ovsdb-server at " + options_.socket_path +
                                           " serves no Open_vSwitch database (it has: " +
                                           (have.empty() ? "none" : have) + ")");
    }
    Json schema;
    if (Status s = get_schema(kVswitchDb, schema); !s.ok()) return s;
    Status s = check_vswitch_schema(schema);
    if (!s.ok()) s.reason = "ovsdb-server at " + options_.socket_path + ": " + s.reason;
    return s;
}

Status OvsdbClient::transact(const std::string& db, const Json& ops, Json& results) {
    Json params = Json::array({db});
    for (const Json& op : ops) params.push_back(op);
    if (Status s = call("transact", params, results); !s.ok()) return s;
    if (!results.is_array()) {
        return Status::failure(EPROTO, "transact reply from " + options_.socket_path + " is not an array");
    }
    for (size_t i = 0; i < results.size(); ++i) {
        const Json& r = results[i];
        if (!r.is_object() || !r.contains("error") || r["error"].is_null()) continue;
        const std::string error = r["error"].is_string() ? r["error"].get<std::string>() : r["error"].dump();
        // One result past the last operation reports a failed commit.
        const std::string where = i < ops.size() ? "operation " + std::to_string(i) + " (" + op_label(ops[i]) + ")"
                                                 : std::string("the commit");
        std::string reason = "transaction on " + db + " failed at " + where + ": " + error;
        if (r.contains("details") && r["details"].is_string()) reason += " (" + r["details"].get<std::string>() + ")";
        return Status::failure(errno_for_ovsdb_error(error), reason);
    }
    return Status::success();
}

Status OvsdbClient::arm(const Monitor& m) {
    Json initial;
    if (Status s = rpc_.call("monitor_cond", Json::array({m.db, m.id, m.requests}), initial, options_.timeout);
        !s.ok()) {
        return s;
    }
    if (m.callback) m.callback(parse_table_updates2(initial));
    return Status::success();
}

Status OvsdbClient::monitor(const std::string& db, const std::map<std::string, std::vector<std::string>>& tables,
                            UpdateCallback callback) {
    if (Status s = ensure_connected(); !s.ok()) return s;
    Json requests = Json::object();
    for (const auto& [table, columns] : tables) {
        Json request = Json::object();
        if (!columns.empty()) request["columns"] = columns;
        requests[table] = Json::array({request});
    }
    Monitor m{"snoc-monitor-" + std::to_string(monitors_.size() + 1), db, requests, std::move(callback)};
    if (Status s = arm(m); !s.ok()) return s;
    monitors_.push_back(std::move(m));
    return Status::success();
}

void OvsdbClient::on_notification(const std::string& method, const Json& params) {
    // update2 params: [monitor id, table-updates2].
    if (method != "update2" || !params.is_array() || params.size() != 2 || !params[0].is_string()) return;
    const std::string id = params[0].get<std::string>();
    for (const Monitor& m : monitors_) {
        if (m.id == id && m.callback) m.callback(parse_table_updates2(params[1]));
    }
}

Status OvsdbClient::poll(std::chrono::milliseconds timeout) {
    if (Status s = ensure_connected(); !s.ok()) return s;
    return rpc_.poll(timeout);
}

}  // namespace snoc::ovs
