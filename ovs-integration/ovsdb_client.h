// An OVSDB (RFC 7047) client for ovsdb-server's unix socket: list_dbs,
// get_schema (+ a check that the Open_vSwitch schema has what snoc uses),
// transact, and monitor_cond with an update callback. After a lost
// connection the next request reconnects with exponential backoff and
// re-arms the monitors (whose callbacks then see the current rows again as
// "initial", which is exactly what a consumer needs to resynchronise).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ovs-integration/jsonrpc.h"
#include "ovs-integration/ovsdb_codec.h"

namespace snoc::ovs {

inline constexpr const char* kVswitchDb = "Open_vSwitch";

struct OvsdbOptions {
    std::string socket_path;  // e.g. /var/run/openvswitch/db.sock
    std::chrono::milliseconds timeout{10000};
    // Reconnect: first delay, doubling up to max, giving up after budget
    // (0 = one attempt only).
    std::chrono::milliseconds backoff_first{50};
    std::chrono::milliseconds backoff_max{2000};
    std::chrono::milliseconds reconnect_budget{0};
};

// One row change from a monitor (RFC 7047 update2 / monitor_cond).
struct RowUpdate {
    enum class Kind { Initial, Insert, Modify, Delete };
    std::string table;
    std::string uuid;
    Kind kind = Kind::Initial;
    Json row;  // the row (Initial/Insert), the changed columns (Modify), null (Delete)
};
std::string_view to_string(RowUpdate::Kind k);

// Checks that a schema is an Open_vSwitch schema with every table and column
// snoc reads or writes; the failure names what is missing and the version.
Status check_vswitch_schema(const Json& schema);

class OvsdbClient {
public:
    using UpdateCallback = std::function<void(const std::vector<RowUpdate>&)>;

    explicit OvsdbClient(OvsdbOptions options) : options_(std::move(options)) {}

    // Connects (retrying with backoff within reconnect_budget) and re-arms
    // monitors registered before.
    Status connect();
    bool connected() const { return rpc_.connected(); }
    void disconnect() { rpc_.close(); }
    int reconnects() const { return reconnects_; }
    const OvsdbOptions& options() const { return options_; }

    Status list_dbs(std::vector<std::string>& dbs);
    Status get_schema(const std::string& db, Json& schema);
    // get_schema(Open_vSwitch) + check_vswitch_schema.
    Status check_schema();
    // Runs `ops` (a JSON array of operations) atomically. Fails when any
    // operation failed, naming its index, kind and table and the server's
    // error; `results` holds the per-operation results either way.
    Status transact(const std::string& db, const Json& ops, Json& results);
    // monitor_cond: `tables` maps table name -> columns to watch (empty =
    // all). The current rows arrive at once as Kind::Initial, then changes.
    Status monitor(const std::string& db, const std::map<std::string, std::vector<std::string>>& tables,
                   UpdateCallback callback);
    // Waits up to `timeout` for updates and delivers them; reconnects (and
    // re-arms monitors) when the connection was lost.
    Status poll(std::chrono::milliseconds timeout);

private:
    struct Monitor {
        std::string id;
        std::string db;
        Json requests;
        UpdateCallback callback;
    };

    Status ensure_connected();
    Status call(const std::string& method, const Json& params, Json& result);
    Status arm(const Monitor& m);
    void on_notification(const std::string& method, const Json& params);

    OvsdbOptions options_;
    JsonRpcClient rpc_;
    std::vector<Monitor> monitors_;
    int reconnects_ = 0;
    bool ever_connected_ = false;
};

// Flattens update2 table-updates into RowUpdates (exposed for tests).
std::vector<RowUpdate> parse_table_updates2(const Json& updates);

}  // namespace snoc::ovs
