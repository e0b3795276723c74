// `snoc apply`: validate, then reconcile in dependency order
//   NICs -> workloads -> OVS (config, bridge, ports, meters) -> policy flows
//   -> direct hardware / tc rules,
// printing what changed. Every phase is a difference against what is there,
// so a second run changes nothing, and a failure part way leaves a state the
// next run converges from. A phase that depends on a failed one is skipped
// and says so: the report tells what is done and what is not.
//
// The Applier keeps its connections (OVSDB, rtnetlink) so `snoc run` can
// re-apply for drift repair on every cycle without reconnecting.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/apply/desired_state.h"
#include "controller/plan.h"
#include "controller/profile_loader.h"
#include "controller/spec.h"
#include "offload/backend.h"
#include "offload/provider.h"
#include "offload/status.h"

namespace snoc::ovs {
class OvsdbClient;
class OpenflowProgrammer;
}  // namespace snoc::ovs
namespace snoc::nic {
class NicOps;
class EmulatedNic;
}

namespace snoc::apply {

struct ApplyOptions {
    bool dry_run = false;
    std::string sysfs_root = "/sys";
    std::string ovsdb_socket = "/var/run/openvswitch/db.sock";
    std::string ovs_rundir = "/var/run/openvswitch";  // where <bridge>.mgmt and ovs-vswitchd.<pid>.ctl live
    std::chrono::milliseconds vswitchd_wait{10000};   // for ports to exist before flows go in
};

struct Change {
    std::string description;  // what is true now (or would be, in a dry run)
    std::string command;      // the manual equivalent; may be empty
};

// One subject of one phase: a NIC, a workload, the OVS bridge, a rule table.
struct Section {
    plan::Phase phase{};
    std::string subject;
    std::vector<Change> changes;
    std::vector<std::string> notes;   // pending restart, software-only rules, ...
    // Dry run only: what the steps take for granted because the subject could
    // not be read on this host (a NIC not present: the steps of a fresh NIC;
    // Open vSwitch not running: an empty one). Notes, not failures.
    std::vector<std::string> assumptions;
    offload::Status status;
    bool skipped = false;             // not attempted: an earlier phase failed (status says which)
};

// Where one policy rule ended up after apply.
struct RuleOutcome {
    uint64_t cookie = 0;
    std::string name;
    offload::Placement placement = offload::Placement::Ovs;
    std::string port;
    // Why not in hardware: the plan's reasons, or the backend's (install-failed,
    // not-in-hardware) with the driver's words as the detail.
    std::vector<offload::Reason> reasons;
    std::string command;               // the direct rule as a manual command, when there is one
};

// Rules installed into one table by one apply, for insertion metrics. The
// backend installs a table's rules in batches, so the latency per rule is
// the batch's time divided by its rules.
struct TableInstall {
    std::string nic;                    // "" for veth ports
    size_t installed = 0;               // added + replaced
    std::chrono::nanoseconds took{0};
    std::vector<offload::Status> failures;  // one per refused rule
};

struct ApplyReport {
    std::string file;
    bool dry_run = false;
    std::vector<Section> sections;
    std::vector<RuleOutcome> rules;
    std::vector<TableInstall> installs;
    bool restart_pending = false;
    // Dry run: the short form of each section's assumptions ("a fresh NIC uplink").
    std::vector<std::string> assumed;

    bool ok() const;
    size_t change_count() const;
};

class Applier {
public:
    Applier(ProfileMap profiles, ApplyOptions options);
    ~Applier();
    Applier(const Applier&) = delete;
    Applier& operator=(const Applier&) = delete;

    // `verify`: read everything back instead of trusting what this Applier
    // installed last (drift repair); without it, a re-apply after a reload
    // sends only what changed in the spec.
    ApplyReport apply(const spec::Spec& s, bool verify = true);
    // For reloads: the profiles the next apply uses.
    void set_profiles(ProfileMap profiles) { profiles_ = std::move(profiles); }

    // After apply(): the spec with discovered PF names, and what it wants.
    const spec::Spec& resolved() const { return resolved_; }
    const DesiredState& desired() const { return desired_; }
    const ProfileMap& profiles() const { return profiles_; }
    const ApplyOptions& options() const { return options_; }

    // The backend holding a rule table's rules, found through its provider
    // (offload/provider.h): the shared one of its kind, or the one its NIC's
    // bring-up made. Null until a phase needed it, when it failed, or when
    // another process holds the rules.
    offload::OffloadBackend* backend_for(const RuleTable& t);
    ovs::OvsdbClient* ovsdb() { return ovsdb_.get(); }

private:
    bool nics(const spec::Spec& s, ApplyReport& r);
    bool workloads(const spec::Spec& s, ApplyReport& r);
    bool ovs_config(ApplyReport& r);
    bool meters(ApplyReport& r);
    bool flows(ApplyReport& r, bool verify);
    void rule_tables(ApplyReport& r);
    offload::Status connect_ovsdb();
    offload::Status open_shared(const offload::BackendProvider& provider);
    std::string ofctl_target() const;

    ProfileMap profiles_;
    ApplyOptions options_;
    spec::Spec resolved_;
    DesiredState desired_;
    std::unique_ptr<nic::NicOps> nic_ops_;
    offload::Status nic_ops_status_;  // why nic_ops_ is null
    // Dry run: the bridge does not exist yet (or OVS is not running), so its
    // meters and flows are all to add and nothing is read from ovs-ofctl.
    bool bridge_absent_ = false;
    std::unique_ptr<ovs::OvsdbClient> ovsdb_;
    // Kept across applies: it remembers what it installed, so a re-apply
    // with one changed rule sends one flow mod without dumping the table.
    std::unique_ptr<ovs::OpenflowProgrammer> openflow_;
    std::string openflow_bridge_;
    // Backends one object serves for every table (offload::Opening::Shared), by kind.
    std::map<offload::Backend, std::unique_ptr<offload::OffloadBackend>> shared_;
    // Emulated NICs by name: each owns its eSwitch (left running at exit).
    std::map<std::string, std::unique_ptr<nic::EmulatedNic>> emulated_;
};

// The report for people (text) or scripts (JSON).
void print_apply_report(const ApplyReport& r, bool json, std::ostream& out);

}  // namespace snoc::apply
