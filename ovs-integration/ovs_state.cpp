#include "ovs-integration/ovs_state.h"

#include <algorithm>
#include <cerrno>

namespace snoc::ovs {
namespace {

using namespace ovsdb;

std::string string_column(const Json& row, const char* column) {
    return row.contains(column) && row[column].is_string() ? row[column].get<std::string>() : std::string();
}

}  // namespace

bool owned_by_snoc(const StringMap& external_ids) {
    const auto it = external_ids.find(kOwnerKey);
    return it != external_ids.end() && it->second == kOwnerValue;
}

const OvsBridge* OvsState::bridge_named(const std::string& name) const {
    for (const auto& [id, b] : bridges) {
        if (b.name == name) return &b;
    }
    return nullptr;
}

const OvsPort* OvsState::port_named(const std::string& name) const {
    for (const auto& [id, p] : ports) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

const OvsBridge* OvsState::bridge_of_port(const std::string& port_uuid) const {
    for (const auto& [id, b] : bridges) {
        if (std::find(b.ports.begin(), b.ports.end(), port_uuid) != b.ports.end()) return &b;
    }
    return nullptr;
}

const OvsInterface* OvsState::interface(const std::string& uuid) const {
    const auto it = interfaces.find(uuid);
    return it == interfaces.end() ? nullptr : &it->second;
}

Status read_ovs_state(OvsdbClient& client, OvsState& state) {
    const Json all = Json::array();
    const Json ops = Json::array({
        op_select("Open_vSwitch", all, {"_uuid", "other_config"}),
        op_select("Bridge", all, {"_uuid", "name", "datapath_type", "ports", "external_ids"}),
        op_select("Port", all, {"_uuid", "name", "interfaces", "tag", "external_ids"}),
        op_select("Interface", all, {"_uuid", "name", "type", "options", "external_ids"}),
    });
    Json results;
    if (Status s = client.transact(kVswitchDb, ops, results); !s.ok()) {
        s.reason = "cannot read the OVS configuration: " + s.reason;
        return s;
    }
    if (results.size() < 4) return Status::failure(EPROTO, "select of the OVS configuration returned too few results");
    state = OvsState{};
    const Json& roots = rows_of(results[0]);
    if (!roots.empty()) {
        state.root_uuid = row_uuid(roots[0]);
        state.other_config = string_map(roots[0].value("other_config", Json()));
    }
    for (const Json& row : rows_of(results[1])) {
        OvsBridge b{row_uuid(row), string_column(row, "name"), string_column(row, "datapath_type"),
                    uuids_of(row.value("ports", Json())), string_map(row.value("external_ids", Json()))};
        state.bridges[b.uuid] = std::move(b);
    }
    for (const Json& row : rows_of(results[2])) {
        OvsPort p{row_uuid(row), string_column(row, "name"), uuids_of(row.value("interfaces", Json())),
                  optional_int(row.value("tag", Json())), string_map(row.value("external_ids", Json()))};
        state.ports[p.uuid] = std::move(p);
    }
    for (const Json& row : rows_of(results[3])) {
        OvsInterface i{row_uuid(row), string_column(row, "name"), string_column(row, "type"),
                       string_map(row.value("options", Json())), string_map(row.value("external_ids", Json()))};
        state.interfaces[i.uuid] = std::move(i);
    }
    return Status::success();
}

}  // namespace snoc::ovs
