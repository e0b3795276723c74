// Reconciles the OVS configuration snoc owns — Open_vSwitch other_config
// keys, one bridge and its ports — with a desired state: read the current
// rows, compute the difference, apply it in ONE transaction. Nothing is sent
// when nothing differs, so a second reconcile is a no-op.
//
// Ownership: every Bridge, Port and Interface snoc creates carries
// external_ids:snoc-owner=snoc. Rows without it are never modified or
// deleted: ports another tool added to the bridge are reported as foreign
// (with the workload an operator mapped them to through
// external_ids:snoc-workload on the Interface), and a desired port whose
// name is taken by a foreign row is reported as a conflict and left alone.
// Other_config is shared, so snoc sets only the keys it wants and never
// removes keys it does not name.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ovs-integration/ovs_state.h"

namespace snoc::ovs {

struct DesiredPort {
    std::string name;
    std::string type;  // "" (= system), "internal", "vxlan", "patch", "dpdk", ...
    std::optional<uint16_t> tag;
    StringMap options;
    StringMap external_ids;  // set on the Interface (where OVS tools look for them)
};

struct DesiredOvs {
    StringMap other_config;
    std::string bridge;
    std::string datapath_type;  // "" (= system) or "netdev"
    // The bridge's own internal port (named as the bridge) is implied, as
    // `ovs-vsctl add-br` creates it; listing it here overrides its settings.
    std::vector<DesiredPort> ports;
};

struct ForeignPort {
    std::string name;
    std::string workload;  // external_ids:snoc-workload of its interface, empty when unmapped
};

struct ReconcilePlan {
    Json ops = Json::array();             // the transaction; empty when nothing differs
    size_t operations = 0;                // ops that change something (not comments or selects)
    std::vector<std::string> changes;     // one line per change, for people
    std::vector<ForeignPort> foreign_ports;
    std::vector<std::string> conflicts;   // desired objects held by a foreign row, left alone
    // other_config:hw-offload (or dpdk-init) changed: ovs-vswitchd reads it
    // at start-up, so it takes full effect only after a restart.
    bool restart_pending = false;
    // After apply: the Open_vSwitch.next_cfg the change was tagged with;
    // ovs-vswitchd has applied it once cur_cfg reaches it.
    std::optional<int64_t> next_cfg;
};

// Checks the desired state itself: names present and unique, VLAN tags 0..4095.
Status validate_desired(const DesiredOvs& desired);

// The pure part: the operations that turn `current` into `desired`. Fails
// (EEXIST) when the bridge exists but is not snoc's: adding ports to it
// would modify a foreign row.
Status plan_reconcile(const OvsState& current, const DesiredOvs& desired, ReconcilePlan& plan);

// Reads the current state, plans, and applies the plan in one transaction.
Status reconcile(OvsdbClient& client, const DesiredOvs& desired, ReconcilePlan& plan);

// Waits until ovs-vswitchd reports (Open_vSwitch.cur_cfg) that it applied
// configuration `next_cfg`.
Status wait_for_vswitchd(OvsdbClient& client, int64_t next_cfg, std::chrono::milliseconds timeout);

}  // namespace snoc::ovs
