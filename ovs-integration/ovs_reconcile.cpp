#include "ovs-integration/ovs_reconcile.h"

#include <cerrno>
#include <set>
#include <thread>

namespace snoc::ovs {
namespace {

using namespace ovsdb;

// Keys ovs-vswitchd reads only when it starts.
bool needs_restart(const std::string& key) { return key == "hw-offload" || key == "dpdk-init"; }

// The defaults ovs-vswitchd assumes for an absent key, so that setting
// hw-offload=false on a fresh database is not reported as a change.
std::string effective_other_config(const StringMap& m, const std::string& key) {
    const auto it = m.find(key);
    if (it != m.end()) return it->second;
    if (key == "hw-offload" || key == "dpdk-init") return "false";
    return "";
}

// OVS treats an empty interface type as "system".
std::string normal_type(const std::string& t) { return t == "system" ? std::string() : t; }

StringMap with_owner(StringMap m) {
    m[kOwnerKey] = kOwnerValue;
    return m;
}

// True when every key of `want` is in `have` with the same value. snoc
// manages only the external_ids keys it sets; others' keys stay.
bool contains_all(const StringMap& have, const StringMap& want) {
    for (const auto& [k, v] : want) {
        const auto it = have.find(k);
        if (it == have.end() || it->second != v) return false;
    }
    return true;
}

StringMap merged(StringMap base, const StringMap& over) {
    for (const auto& [k, v] : over) base[k] = v;
    return base;
}

std::string describe_tag(const std::optional<int64_t>& t) { return t ? std::to_string(*t) : "none"; }

// Builds the transaction; each helper appends ops and a line for people.
class Planner {
public:
    Planner(const OvsState& current, const DesiredOvs& desired, ReconcilePlan& plan)
        : cur_(current), want_(desired), plan_(plan) {}

    Status run() {
        if (cur_.root_uuid.empty()) {
            // A database never initialised (no `ovs-vsctl init`): create the root row.
            change(op_insert("Open_vSwitch", Json::object(), "snoc_root"), "create the Open_vSwitch root row");
        }
        other_config();
        const OvsBridge* bridge = cur_.bridge_named(want_.bridge);
        if (bridge != nullptr && !owned_by_snoc(bridge->external_ids)) {
            return Status::failure(EEXIST, "bridge " + want_.bridge +
                                               " exists but is not snoc's (no external_ids:snoc-owner=snoc); "
                                               "snoc never modifies it — remove it or choose another bridge name");
        }
        ports(bridge);
        if (bridge == nullptr) {
            create_bridge();
        } else {
            update_bridge(*bridge);
        }
        finish();
        return Status::success();
    }

private:
    // A root row inserted in this same transaction is the only row, so an
    // empty where clause selects it.
    Json where_root() const { return cur_.root_uuid.empty() ? Json::array() : where_uuid(cur_.root_uuid); }

    void change(Json op, std::string line) {
        plan_.ops.push_back(std::move(op));
        ++plan_.operations;
        plan_.changes.push_back(std::move(line));
    }

    void other_config() {
        Json keys = Json::array();
        StringMap values;
        for (const auto& [k, v] : want_.other_config) {
            const auto it = cur_.other_config.find(k);
            if (it != cur_.other_config.end() && it->second == v) continue;
            if (effective_other_config(cur_.other_config, k) != v && needs_restart(k)) plan_.restart_pending = true;
            if (it != cur_.other_config.end()) keys.push_back(k);
            values[k] = v;
            plan_.changes.push_back("set other_config:" + k + "=" + v +
                                    (it != cur_.other_config.end() ? " (was " + it->second + ")" : ""));
        }
        if (values.empty()) return;
        // Map "insert" never overwrites an existing key, so delete first.
        Json mutations = Json::array();
        if (!keys.empty()) mutations.push_back(mutation("other_config", "delete", set(keys.get<std::vector<Json>>())));
        mutations.push_back(mutation("other_config", "insert", map(values)));
        plan_.ops.push_back(op_mutate("Open_vSwitch", where_root(), mutations));
        ++plan_.operations;
    }

    std::vector<DesiredPort> desired_ports() const {
        std::vector<DesiredPort> out = want_.ports;
        bool has_local = false;
        for (const auto& p : out) has_local = has_local || p.name == want_.bridge;
        if (!has_local) out.insert(out.begin(), DesiredPort{want_.bridge, "internal", std::nullopt, {}, {}});
        return out;
    }

    // Inserts a new Interface + Port; the Port's named uuid is added to the bridge.
    void create_port(const DesiredPort& p) {
        const std::string iface_name = "snoc_iface" + std::to_string(++serial_);
        const std::string port_name = "snoc_port" + std::to_string(serial_);
        Json iface{{"name", p.name},
                   {"type", p.type},
                   {"options", map(p.options)},
                   {"external_ids", map(with_owner(p.external_ids))}};
        plan_.ops.push_back(op_insert("Interface", iface, iface_name));
        ++plan_.operations;
        Json port{{"name", p.name},
                  {"interfaces", set({named_uuid(iface_name)})},
                  {"external_ids", map(with_owner({}))}};
        if (p.tag) port["tag"] = *p.tag;
        plan_.ops.push_back(op_insert("Port", port, port_name));
        ++plan_.operations;
        add_ports_.push_back(named_uuid(port_name));
        plan_.changes.push_back("add port " + p.name + (p.type.empty() ? "" : " (" + p.type + ")") +
                                (p.tag ? " tag " + std::to_string(*p.tag) : ""));
    }

    // Brings an existing snoc port's columns to the desired values.
    void update_port(const OvsPort& port, const OvsInterface& iface, const DesiredPort& p) {
        const bool same_tag = port.tag.has_value() == p.tag.has_value() && (!p.tag || *port.tag == *p.tag);
        if (!same_tag) {
            const Json tag = p.tag ? Json(static_cast<int64_t>(*p.tag)) : empty_set();
            change(op_update("Port", where_uuid(port.uuid), Json{{"tag", tag}}),
                   "port " + p.name + ": tag " + describe_tag(port.tag) + " -> " +
                       (p.tag ? std::to_string(*p.tag) : std::string("none")));
        }
        Json row = Json::object();
        std::string what;
        if (normal_type(iface.type) != normal_type(p.type)) {
            row["type"] = p.type;
            what += " type " + (iface.type.empty() ? "system" : iface.type) + " -> " + (p.type.empty() ? "system" : p.type);
        }
        if (iface.options != p.options) {
            row["options"] = map(p.options);
            what += " options";
        }
        const StringMap ids = with_owner(p.external_ids);
        if (!contains_all(iface.external_ids, ids)) {
            row["external_ids"] = map(merged(iface.external_ids, ids));
            what += " external_ids";
        }
        if (!row.empty()) change(op_update("Interface", where_uuid(iface.uuid), row), "port " + p.name + ":" + what);
    }

    // The single interface of a port that snoc created (named as the port).
    const OvsInterface* own_interface(const OvsPort& port) const {
        if (port.interfaces.size() != 1) return nullptr;
        const OvsInterface* i = cur_.interface(port.interfaces[0]);
        return i != nullptr && i->name == port.name ? i : nullptr;
    }

    void ports(const OvsBridge* bridge) {
        std::set<std::string> wanted;
        for (const DesiredPort& p : desired_ports()) {
            wanted.insert(p.name);
            const OvsPort* port = cur_.port_named(p.name);
            if (port == nullptr) {
                create_port(p);
                continue;
            }
            if (!owned_by_snoc(port->external_ids)) {
                plan_.conflicts.push_back("port " + p.name + " exists but is not snoc's; left alone");
                continue;
            }
            const OvsBridge* holder = cur_.bridge_of_port(port->uuid);
            const OvsInterface* iface = own_interface(*port);
            if (iface == nullptr || holder == nullptr || holder != bridge) {
                // Not in the shape snoc creates, or on another bridge: replace it.
                if (holder != nullptr) {
                    detach(*holder, port->uuid);
                    plan_.changes.push_back("remove port " + p.name + " from bridge " + holder->name);
                }
                create_port(p);
                continue;
            }
            update_port(*port, *iface, p);
        }
        if (bridge == nullptr) return;
        for (const std::string& port_uuid : bridge->ports) {
            const auto it = cur_.ports.find(port_uuid);
            if (it == cur_.ports.end() || wanted.count(it->second.name) != 0) continue;
            const OvsPort& port = it->second;
            if (owned_by_snoc(port.external_ids)) {
                // Port and Interface are not root tables: dropping the
                // bridge's reference deletes both.
                remove_ports_.push_back(uuid(port.uuid));
                plan_.changes.push_back("remove port " + port.name + " (snoc's, no longer desired)");
                continue;
            }
            ForeignPort f{port.name, ""};
            for (const std::string& i : port.interfaces) {
                const OvsInterface* iface = cur_.interface(i);
                if (iface == nullptr) continue;
                const auto w = iface->external_ids.find(kWorkloadKey);
                if (w != iface->external_ids.end()) f.workload = w->second;
            }
            plan_.foreign_ports.push_back(std::move(f));
        }
    }

    void detach(const OvsBridge& holder, const std::string& port_uuid) {
        change(op_mutate("Bridge", where_uuid(holder.uuid),
                         Json::array({mutation("ports", "delete", set({uuid(port_uuid)}))})),
               "detach port from bridge " + holder.name);
    }

    void create_bridge() {
        Json row{{"name", want_.bridge},
                 {"datapath_type", want_.datapath_type},
                 {"ports", set(add_ports_)},
                 {"external_ids", map(with_owner({}))}};
        plan_.ops.push_back(op_insert("Bridge", row, "snoc_bridge"));
        ++plan_.operations;
        change(op_mutate("Open_vSwitch", where_root(),
                         Json::array({mutation("bridges", "insert", set({named_uuid("snoc_bridge")}))})),
               "create bridge " + want_.bridge +
                   (want_.datapath_type.empty() ? "" : " (datapath_type " + want_.datapath_type + ")"));
    }

    void update_bridge(const OvsBridge& b) {
        if (b.datapath_type != want_.datapath_type) {
            change(op_update("Bridge", where_uuid(b.uuid), Json{{"datapath_type", want_.datapath_type}}),
                   "bridge " + b.name + ": datapath_type " + b.datapath_type + " -> " + want_.datapath_type);
        }
        if (add_ports_.empty() && remove_ports_.empty()) return;
        Json mutations = Json::array();
        if (!remove_ports_.empty()) mutations.push_back(mutation("ports", "delete", set(remove_ports_)));
        if (!add_ports_.empty()) mutations.push_back(mutation("ports", "insert", set(add_ports_)));
        plan_.ops.push_back(op_mutate("Bridge", where_uuid(b.uuid), mutations));
        ++plan_.operations;
    }

    void finish() {
        if (plan_.operations == 0) return;
        // Ask ovs-vswitchd to acknowledge (cur_cfg) once it applied this, as
        // ovs-vsctl does, and read back the number to wait for.
        plan_.ops.push_back(op_mutate("Open_vSwitch", where_root(), Json::array({mutation("next_cfg", "+=", 1)})));
        plan_.ops.push_back(op_select("Open_vSwitch", where_root(), {"next_cfg"}));
        plan_.ops.push_back(op_comment("snoc: reconcile bridge " + want_.bridge + ", " +
                                       std::to_string(plan_.changes.size()) + " change(s)"));
    }

    const OvsState& cur_;
    const DesiredOvs& want_;
    ReconcilePlan& plan_;
    int serial_ = 0;
    std::vector<Json> add_ports_;
    std::vector<Json> remove_ports_;
};

}  // namespace

Status validate_desired(const DesiredOvs& desired) {
    if (desired.bridge.empty()) return Status::failure(EINVAL, "desired OVS state names no bridge");
    std::set<std::string> names;
    for (const DesiredPort& p : desired.ports) {
        if (p.name.empty()) return Status::failure(EINVAL, "a desired port on bridge " + desired.bridge + " has no name");
        if (!names.insert(p.name).second) {
            return Status::failure(EINVAL, "port " + p.name + " is listed twice for bridge " + desired.bridge);
        }
        if (p.tag && *p.tag > 4095) {
            return Status::failure(EINVAL, "port " + p.name + ": VLAN tag " + std::to_string(*p.tag) +
                                               " is outside 0..4095");
        }
    }
    return Status::success();
}

Status plan_reconcile(const OvsState& current, const DesiredOvs& desired, ReconcilePlan& plan) {
    plan = ReconcilePlan{};
    if (Status s = validate_desired(desired); !s.ok()) return s;
    return Planner(current, desired, plan).run();
}

Status reconcile(OvsdbClient& client, const DesiredOvs& desired, ReconcilePlan& plan) {
    OvsState current;
    if (Status s = read_ovs_state(client, current); !s.ok()) return s;
    if (Status s = plan_reconcile(current, desired, plan); !s.ok()) return s;
    if (plan.operations == 0) return Status::success();
    Json results;
    if (Status s = client.transact(kVswitchDb, plan.ops, results); !s.ok()) {
        s.reason = "reconcile of bridge " + desired.bridge + ": " + s.reason;
        return s;
    }
    // The select after the next_cfg bump is the second-to-last operation.
    const size_t select_at = plan.ops.size() - 2;
    if (results.size() > select_at && results[select_at].contains("rows") && !results[select_at]["rows"].empty()) {
        const Json& row = results[select_at]["rows"][0];
        if (row.contains("next_cfg") && row["next_cfg"].is_number_integer()) plan.next_cfg = row["next_cfg"].get<int64_t>();
    }
    return Status::success();
}

Status wait_for_vswitchd(OvsdbClient& client, int64_t next_cfg, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int64_t cur = -1;
    for (;;) {
        Json results;
        Status s = client.transact(kVswitchDb, Json::array({op_select("Open_vSwitch", Json::array(), {"cur_cfg"})}),
                                   results);
        if (!s.ok()) return s;
        const Json& rows = results[0]["rows"];
        if (!rows.empty() && rows[0].contains("cur_cfg") && rows[0]["cur_cfg"].is_number_integer()) {
            cur = rows[0]["cur_cfg"].get<int64_t>();
            if (cur >= next_cfg) return Status::success();
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // cur_cfg 0 means no ovs-vswitchd ever applied this database: it is
    // not running, or runs against another database. Say so rather than
    // "timed out", which reads like a slow switch.
    if (cur <= 0) {
        return Status::failure(ETIMEDOUT, "ovs-vswitchd has not applied any configuration from this database "
                                          "(cur_cfg is " + std::to_string(cur) + " after " +
                                          std::to_string(timeout.count()) +
                                          " ms): it is not running or is connected to another database");
    }
    return Status::failure(ETIMEDOUT, "ovs-vswitchd did not apply configuration " + std::to_string(next_cfg) +
                                          " within " + std::to_string(timeout.count()) + " ms (cur_cfg is " +
                                          std::to_string(cur) + ") — is ovs-vswitchd running?");
}

}  // namespace snoc::ovs
