// The slice of the Open_vSwitch database snoc reconciles — the root row's
// other_config, bridges, ports and interfaces — read in one transaction so
// the four tables are a consistent snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ovs-integration/ovsdb_client.h"

namespace snoc::ovs {

// The ownership mark: snoc modifies or deletes only rows that carry it.
inline constexpr const char* kOwnerKey = "snoc-owner";
inline constexpr const char* kOwnerValue = "snoc";
// Set by an operator on a foreign Interface to tell snoc which workload the
// port belongs to (a port snoc did not create but should know about).
inline constexpr const char* kWorkloadKey = "snoc-workload";

using ovsdb::StringMap;

bool owned_by_snoc(const StringMap& external_ids);

struct OvsInterface {
    std::string uuid;
    std::string name;
    std::string type;
    StringMap options;
    StringMap external_ids;
};

struct OvsPort {
    std::string uuid;
    std::string name;
    std::vector<std::string> interfaces;  // Interface uuids
    std::optional<int64_t> tag;
    StringMap external_ids;
};

struct OvsBridge {
    std::string uuid;
    std::string name;
    std::string datapath_type;
    std::vector<std::string> ports;  // Port uuids
    StringMap external_ids;
};

struct OvsState {
    std::string root_uuid;  // the Open_vSwitch row; empty when the database was never initialised
    StringMap other_config;
    std::map<std::string, OvsBridge> bridges;  // by uuid
    std::map<std::string, OvsPort> ports;
    std::map<std::string, OvsInterface> interfaces;

    const OvsBridge* bridge_named(const std::string& name) const;
    const OvsPort* port_named(const std::string& name) const;
    // The bridge whose ports include `port_uuid`, if any.
    const OvsBridge* bridge_of_port(const std::string& port_uuid) const;
    const OvsInterface* interface(const std::string& uuid) const;
};

Status read_ovs_state(OvsdbClient& client, OvsState& state);

}  // namespace snoc::ovs
