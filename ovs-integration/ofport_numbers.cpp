#include "ovs-integration/ofport_numbers.h"

#include <cerrno>
#include <set>
#include <string_view>

#include "flow/policy_values.h"
#include "ovs-integration/ovsdb_client.h"
#include "ovs-integration/ovsdb_codec.h"

namespace snoc::ovs {
namespace {

using namespace ovsdb;
using offload::Status;

constexpr int64_t kMaxPhysicalPort = 0xfeff;  // OFPP_MAX in OpenFlow 1.0 numbering, as OVS assigns

bool all_digits(std::string_view p) {
    if (p.empty()) return false;
    for (char c : p) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

}  // namespace

Status read_ofport_numbers(OvsdbClient& db, const std::string& bridge, OfportNumbers& out) {
    const Json all = Json::array();
    const Json ops = Json::array({
        op_select("Bridge", where_name(bridge), {"ports"}),
        op_select("Port", all, {"_uuid", "interfaces"}),
        op_select("Interface", all, {"_uuid", "name", "ofport"}),
    });
    Json results;
    if (Status s = db.transact(kVswitchDb, ops, results); !s.ok()) {
        s.reason = "cannot read the OpenFlow port numbers of bridge " + bridge + ": " + s.reason;
        return s;
    }
    if (results.size() < 3) return Status::failure(EPROTO, "select of OpenFlow port numbers returned too few results");
    const Json& bridges = rows_of(results[0]);
    if (bridges.empty()) return Status::failure(ENOENT, "OVSDB has no bridge " + bridge);
    std::set<std::string> ports;
    for (const std::string& p : uuids_of(bridges[0].value("ports", Json()))) ports.insert(p);
    std::set<std::string> interfaces;
    for (const Json& row : rows_of(results[1])) {
        if (!ports.count(row_uuid(row))) continue;
        for (const std::string& i : uuids_of(row.value("interfaces", Json()))) interfaces.insert(i);
    }
    out.clear();
    for (const Json& row : rows_of(results[2])) {
        if (!interfaces.count(row_uuid(row)) || !row.contains("name") || !row["name"].is_string()) continue;
        const auto ofport = optional_int(row.value("ofport", Json()));
        if (!ofport || *ofport < 1 || *ofport > kMaxPhysicalPort) continue;
        out.emplace(row["name"].get<std::string>(), static_cast<uint32_t>(*ofport));
    }
    return Status::success();
}

std::optional<std::vector<FlowMod>> with_port_numbers(const std::vector<FlowMod>& mods, const OfportNumbers& numbers) {
    bool known = true;
    auto number_of = [&](const std::string& port) -> std::string {
        // Names ovs-ofctl takes as ports without asking the switch (OVS's
        // ofputil_port_from_string: reserved ports, case-insensitive).
        if (flow::syntax::is_reserved_port(port) || all_digits(port)) return port;
        const auto it = numbers.find(port);
        if (it == numbers.end()) {
            known = false;
            return port;
        }
        return std::to_string(it->second);
    };
    std::vector<FlowMod> out;
    out.reserve(mods.size());
    for (const FlowMod& m : mods) {
        out.push_back({m.kind, flow::with_port_names(m.flow, number_of)});
        if (!known) return std::nullopt;
    }
    return out;
}

}  // namespace snoc::ovs
