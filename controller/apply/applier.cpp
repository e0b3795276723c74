#include "controller/apply/applier.h"
#include "controller/apply/rte_flow_handoff.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <set>

#include "controller/apply/meters.h"
#include "controller/backend_providers.h"
#include "controller/nic/emulated_nic.h"
#include "controller/nic/nic_reconcile.h"
#include "controller/nic/sysfs.h"
#include "controller/nic/workload_attach.h"
#include "ovs-integration/openflow_programmer.h"
#include "ovs-integration/ovs_reconcile.h"
#include "ovs-integration/ovs_state.h"
#include "ovs-integration/ovsdb_client.h"

namespace snoc::apply {
namespace {

using offload::Placement;
using offload::Status;
using plan::Phase;

Section skipped(Phase phase, std::string subject, const std::string& because) {
    Section s;
    s.phase = phase;
    s.subject = std::move(subject);
    s.skipped = true;
    s.status = Status::failure(ECANCELED, "not attempted: " + because);
    return s;
}

std::map<uint32_t, offload::MeterRate> meter_rates(const spec::Spec& s) {
    std::map<uint32_t, offload::MeterRate> out;
    for (const auto& m : s.meters) out[m.id] = {m.rate_kbps, m.burst_kb};
    return out;
}

// Whether the spec's NIC is on this host: its PF netdev (or, without one in
// the spec, the netdev of its PCI function) in sysfs, on the spec's PCI
// address when it gives one. `absent` says what is missing otherwise.
bool nic_present(const spec::NicSpec& n, const std::string& sysfs_root, std::string& absent) {
    const nic::Sysfs sysfs(sysfs_root);
    std::string pf = n.pf;
    if (pf.empty() && !sysfs.pf_of_pci(n.pci, pf).ok()) {
        absent = "no PCI function " + n.pci + " with a network interface";
        return false;
    }
    nic::NicState state;
    if (!sysfs.read_pf(pf, state).ok()) {
        absent = "no netdev " + pf;
        return false;
    }
    if (!n.pci.empty() && (state.devlink.bus != "pci" || state.devlink.device != n.pci)) {
        absent = "netdev " + pf + " here is " + state.devlink.str() + ", not PCI function " + n.pci;
        return false;
    }
    return true;
}

// "uplink (PF enp3s0f0np0, PCI 0000:03:00.0)": the NIC as an operator finds it.
std::string nic_identity(const spec::NicSpec& n) {
    std::string ids;
    if (!n.pf.empty()) ids += "PF " + n.pf;
    if (!n.pci.empty()) ids += (ids.empty() ? "" : ", ") + std::string("PCI ") + n.pci;
    return n.name + (ids.empty() ? "" : " (" + ids + ")");
}

// A dry run's stand-in for a NIC that is not on this host: the NIC as it comes
// up unconfigured (legacy eswitch mode, no VFs, links down, nothing set), so
// reconcile_nic() lists every step a first apply on it would take.
class FreshNicOps : public nic::NicOps {
public:
    Status read(const spec::NicSpec& n, nic::NicState& out) override {
        out = nic::NicState{};
        out.pf_netdev = n.pf;
        out.devlink = {"pci", n.pci.empty() ? "<pci address>" : n.pci};
        if (!n.pci.empty()) out.device_path = "/sys/bus/pci/devices/" + n.pci;
        out.eswitch_mode = offload::EswitchMode::Legacy;
        return Status::success();
    }
    Status apply(const nic::NicState&, const nic::Step& step) override {
        return Status::failure(ENODEV, "step " + std::string(to_string(step.kind)) + ": the NIC is not on this host");
    }
};

// ovsdb-server is not running (no socket, or nobody behind it), as opposed
// to one that answers wrongly or refuses us.
bool ovs_not_running(const Status& st) { return st.error == ENOENT || st.error == ECONNREFUSED; }

}  // namespace

bool ApplyReport::ok() const {
    return std::all_of(sections.begin(), sections.end(), [](const Section& s) { return s.status.ok(); });
}

size_t ApplyReport::change_count() const {
    size_t n = 0;
    for (const auto& s : sections) n += s.changes.size();
    return n;
}

Applier::Applier(ProfileMap profiles, ApplyOptions options)
    : profiles_(std::move(profiles)), options_(std::move(options)) {}

Applier::~Applier() = default;

offload::OffloadBackend* Applier::backend_for(const RuleTable& t) {
    const offload::BackendProvider* provider = find_provider(t.backend);
    if (!provider) return nullptr;
    switch (provider->opening) {
        case offload::Opening::Shared: {
            auto it = shared_.find(t.backend);
            return it != shared_.end() ? it->second.get() : nullptr;
        }
        case offload::Opening::ByNic: {
            auto it = emulated_.find(t.nic);
            return it != emulated_.end() ? &it->second->backend() : nullptr;
        }
        case offload::Opening::Elsewhere: return nullptr;
    }
    return nullptr;
}

Status Applier::open_shared(const offload::BackendProvider& provider) {
    if (shared_.count(provider.kind)) return Status::success();
    std::unique_ptr<offload::OffloadBackend> b;
    const Status st = provider.open(offload::OpenContext{meter_rates(resolved_)}, b);
    if (st.ok()) shared_[provider.kind] = std::move(b);
    return st;
}

ApplyReport Applier::apply(const spec::Spec& s, bool verify) {
    ApplyReport r;
    r.file = s.file;
    r.dry_run = options_.dry_run;
    resolved_ = s;
    bridge_absent_ = false;
    bool ok = nics(s, r);
    ok = ok && workloads(s, r);
    if (!ok) {
        r.sections.push_back(skipped(Phase::Ovs, "bridge " + s.ovs.bridge, "the NIC or workload phase failed"));
        return r;
    }
    desired_ = desired_state(resolved_, plan::build_plan(resolved_, profiles_));
    if (!s.ovs.present && s.policies.empty()) {
        Section sec;
        sec.phase = Phase::Ovs;
        sec.subject = "Open vSwitch";
        sec.notes.push_back("the spec has no ovs section and no policies: Open vSwitch is left alone");
        r.sections.push_back(std::move(sec));
        return r;
    }
    ok = ovs_config(r) && meters(r);
    ok = ok && flows(r, verify);
    if (!ok) {
        r.sections.push_back(skipped(Phase::HardwareRules, "direct rules", "the OVS phase failed"));
        for (const auto& [cookie, info] : desired_.rules) {
            r.rules.push_back({cookie, info.name, info.planned == Placement::Ovs ? Placement::Ovs : Placement::Failed,
                               info.port,
                               {{offload::ReasonCode::InstallFailed, "ovs", "not installed: the OVS phase failed"}}, ""});
        }
        return r;
    }
    rule_tables(r);
    return r;
}

// --- NICs and workloads --------------------------------------------------------

bool Applier::nics(const spec::Spec& s, ApplyReport& r) {
    const bool real_nics = std::any_of(s.nics.begin(), s.nics.end(),
                                       [](const spec::NicSpec& n) { return n.backend != offload::Backend::Emulated; });
    if (real_nics && !nic_ops_) {
        nic_ops_ = nic::system_ops(nic_ops_status_, options_.sysfs_root);
        // A dry run goes on: a NIC that is not on this host needs no kernel interface to be planned.
        if (!nic_ops_ && !options_.dry_run) {
            Section sec;
            sec.phase = Phase::Nic;
            sec.subject = "NICs";
            sec.status = Status::failure(nic_ops_status_.error, "cannot reach the kernel's NIC interfaces: " +
                                                                    nic_ops_status_.reason);
            r.sections.push_back(std::move(sec));
            return false;
        }
    }
    bool ok = true;
    for (size_t i = 0; i < s.nics.size(); ++i) {
        const spec::NicSpec& n = s.nics[i];
        const bool emulated = n.backend == offload::Backend::Emulated;
        Section sec;
        sec.phase = Phase::Nic;
        sec.subject = "NIC " + n.name + " (" +
                      (emulated ? "emulated eSwitch, uplink " + n.pf : n.pf.empty() ? n.pci : n.pf) + ")";
        nic::NicReport rep;
        if (emulated) {
            // Every apply checks the ports again (a veth may have been deleted)
            // and adopts the eSwitch from its pins, as a new process would:
            // the table in the kernel is the truth, counters keep counting.
            if (!options_.dry_run) emulated_.erase(n.name);
            std::unique_ptr<nic::EmulatedNic> e;
            rep = nic::EmulatedNic::bring_up(n, profiles_.at(n.profile), options_.dry_run, e);
            if (e) emulated_[n.name] = std::move(e);
        } else if (std::string absent; options_.dry_run && !nic_present(n, options_.sysfs_root, absent)) {
            // Planning for a host without the NIC (a laptop, a CI runner, a
            // server before the card is fitted): the steps of a fresh NIC.
            sec.assumptions.push_back("NIC " + nic_identity(n) + " is not present on this host (" + absent +
                                      "): the steps assume a fresh NIC (legacy eswitch mode, no VFs, links down, "
                                      "nothing set); on the real NIC apply takes only the steps that differ");
            r.assumed.push_back("a fresh NIC " + n.name);
            spec::NicSpec fresh = n;
            if (fresh.irq_affinity) {
                // Which IRQs and CPUs is known only from the NIC itself.
                fresh.irq_affinity = false;
                sec.assumptions.push_back("IRQ affinity: apply pins the MSI IRQs of the PF and its VFs to the CPUs of "
                                          "the NIC's NUMA node; which IRQs and CPUs shows once the NIC is present");
            }
            FreshNicOps ops;
            rep = nic::reconcile_nic(fresh, profiles_.at(n.profile), ops, true);
        } else if (!nic_ops_) {
            rep.status = Status::failure(nic_ops_status_.error, "NIC " + n.name + ": cannot reach the kernel's NIC "
                                                                "interfaces: " + nic_ops_status_.reason);
        } else {
            rep = nic::reconcile_nic(n, profiles_.at(n.profile), *nic_ops_, options_.dry_run);
            // Policies and OVS name the uplink by its PF netdev: learn it when the spec gave a PCI address.
            if (resolved_.nics[i].pf.empty()) {
                nic::NicState state;
                if (nic_ops_->read(n, state).ok() && !state.pf_netdev.empty()) resolved_.nics[i].pf = state.pf_netdev;
            }
        }
        for (const auto& step : rep.done) sec.changes.push_back({step.description, step.command});
        for (const auto& note : rep.notes) sec.notes.push_back(note);
        sec.status = rep.status;
        ok = ok && rep.status.ok();
        r.sections.push_back(std::move(sec));
    }
    return ok;
}

bool Applier::workloads(const spec::Spec& s, ApplyReport& r) {
    bool ok = true;
    for (const auto& w : s.workloads) {
        nic::Attachment a;
        a.workload = w.name;
        a.netns = w.netns;
        a.ifname = w.ifname;
        a.mac = w.mac;
        a.mtu = w.mtu;
        a.addresses = w.addresses;
        a.gateway = w.gateway;
        if (w.attach == spec::AttachKind::Veth) {
            a.veth_host = w.host_ifname;
        } else {
            a.vf = true;
            const spec::NicSpec* n = s.find_nic(w.nic);
            nic::NicState state;
            if (n && n->backend == offload::Backend::Emulated) {
                a.move_netdev = nic::emulated_vf_netdev(*n, w.vf);
            } else if (n && nic_ops_ && nic_ops_->read(*n, state).ok()) {
                a.move_netdev = nic::Sysfs(options_.sysfs_root).vf_netdev(state, w.vf);
            }
        }
        const nic::AttachReport rep = nic::attach(a, options_.dry_run);
        Section sec;
        sec.phase = Phase::Workload;
        sec.subject = "workload " + w.name + " (namespace " + w.netns + ")";
        for (const auto& d : rep.done) sec.changes.push_back({d, ""});
        sec.status = rep.status;
        ok = ok && rep.status.ok();
        r.sections.push_back(std::move(sec));
    }
    return ok;
}

// --- OVS -----------------------------------------------------------------------

Status Applier::connect_ovsdb() {
    if (ovsdb_ && ovsdb_->connected()) return Status::success();
    ovs::OvsdbOptions o;
    o.socket_path = options_.ovsdb_socket;
    ovsdb_ = std::make_unique<ovs::OvsdbClient>(o);
    if (auto st = ovsdb_->connect(); !st.ok()) {
        ovsdb_.reset();
        return Status::failure(st.error, "cannot reach ovsdb-server at " + o.socket_path + ": " + st.reason +
                                             " (is Open vSwitch running? --ovsdb sets the socket)");
    }
    return ovsdb_->check_schema();
}

std::string Applier::ofctl_target() const { return "unix:" + options_.ovs_rundir + "/" + desired_.ovs.bridge + ".mgmt"; }

bool Applier::ovs_config(ApplyReport& r) {
    Section sec;
    sec.phase = Phase::Ovs;
    sec.subject = "bridge " + desired_.ovs.bridge;
    sec.status = connect_ovsdb();
    ovs::ReconcilePlan plan;
    if (!sec.status.ok() && options_.dry_run && ovs_not_running(sec.status)) {
        // Planning for a host where Open vSwitch is not running (yet): against an empty one.
        std::string why = std::strerror(sec.status.error);
        if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
        sec.assumptions.push_back("Open vSwitch is not running on this host (ovsdb-server's socket " +
                                  options_.ovsdb_socket + ": " + why + "; --ovsdb names another): the steps assume an "
                                  "empty Open vSwitch (no bridge, ports, meters or flows)");
        r.assumed.push_back("an empty Open vSwitch");
        bridge_absent_ = true;
        sec.status = ovs::plan_reconcile(ovs::OvsState{}, desired_.ovs, plan);
    } else if (!sec.status.ok()) {
        r.sections.push_back(std::move(sec));
        return false;
    } else if (options_.dry_run) {
        ovs::OvsState current;
        sec.status = ovs::read_ovs_state(*ovsdb_, current);
        // A bridge apply would create has no meters or flows to read yet.
        if (sec.status.ok()) bridge_absent_ = current.bridge_named(desired_.ovs.bridge) == nullptr;
        if (sec.status.ok()) sec.status = ovs::plan_reconcile(current, desired_.ovs, plan);
    } else {
        sec.status = ovs::reconcile(*ovsdb_, desired_.ovs, plan);
        // Flows name ports by OpenFlow port: wait until ovs-vswitchd made them.
        if (sec.status.ok() && plan.next_cfg) {
            if (auto st = ovs::wait_for_vswitchd(*ovsdb_, *plan.next_cfg, options_.vswitchd_wait); !st.ok()) {
                sec.status = Status::failure(st.error, "ovs-vswitchd did not apply the change: " + st.reason +
                                                           " (is ovs-vswitchd running?)");
            }
        }
    }
    for (const auto& c : plan.changes) sec.changes.push_back({c, ""});
    for (const auto& c : plan.conflicts) sec.notes.push_back("left alone: " + c);
    for (const auto& f : plan.foreign_ports) {
        sec.notes.push_back("port " + f.name + " was added by another tool; monitored, not modified" +
                            (f.workload.empty() ? "" : " (workload " + f.workload + ")"));
    }
    if (plan.restart_pending) {
        r.restart_pending = true;
        sec.notes.push_back("other_config:hw-offload changed: it takes full effect after ovs-vswitchd restarts "
                            "(systemctl restart openvswitch-switch)");
    }
    const bool ok = sec.status.ok();
    r.sections.push_back(std::move(sec));
    return ok;
}

bool Applier::meters(ApplyReport& r) {
    if (desired_.meters.empty()) return true;
    Section sec;
    sec.phase = Phase::Ovs;
    sec.subject = "meters on " + desired_.ovs.bridge;
    std::vector<Change> changes;
    sec.status = sync_meters(ofctl_target(), desired_.meters, options_.dry_run, changes,
                             options_.dry_run && bridge_absent_);
    sec.changes = std::move(changes);
    const bool ok = sec.status.ok();
    r.sections.push_back(std::move(sec));
    return ok;
}

bool Applier::flows(ApplyReport& r, bool verify) {
    Section sec;
    sec.phase = Phase::Flows;
    sec.subject = "policy flows on " + desired_.ovs.bridge;
    if (!openflow_ || openflow_bridge_ != desired_.ovs.bridge) {
        ovs::OpenflowOptions o;
        o.bridge = desired_.ovs.bridge;
        o.target = ofctl_target();
        // Port numbers from OVSDB, read before each bundle, so ovs-ofctl
        // need not fetch the switch's names (names remain the fallback).
        o.port_numbers = [this, bridge = o.bridge](ovs::OfportNumbers& numbers) {
            if (!ovsdb_ || !ovsdb_->connected()) return Status::failure(ENOTCONN, "no OVSDB connection");
            return ovs::read_ofport_numbers(*ovsdb_, bridge, numbers);
        };
        openflow_ = std::make_unique<ovs::OpenflowProgrammer>(o);
        openflow_bridge_ = desired_.ovs.bridge;
    }
    ovs::OpenflowProgrammer& programmer = *openflow_;
    auto count = [&](size_t n, const char* what) {
        if (n) sec.changes.push_back({std::to_string(n) + " flow" + (n == 1 ? " " : "s ") + what, ""});
    };
    if (options_.dry_run && bridge_absent_) {
        count(desired_.flows.size(), "to add");
    } else if (options_.dry_run) {
        ovs::FlowDrift drift;
        sec.status = programmer.drift(desired_.flows, drift);
        count(drift.missing.size(), "to add");
        count(drift.changed.size(), "to modify");
        count(drift.unexpected.size(), "to delete");
    } else {
        ovs::FlowMods done;
        sec.status = verify ? programmer.resync(desired_.flows, done) : programmer.update(desired_.flows, done);
        count(done.added, "added");
        count(done.modified, "modified");
        count(done.deleted, "deleted");
    }
    const bool ok = sec.status.ok();
    r.sections.push_back(std::move(sec));
    return ok;
}

// --- direct rules ----------------------------------------------------------------

void Applier::rule_tables(ApplyReport& r) {
    std::map<uint64_t, RuleOutcome> outcome;
    for (const auto& [cookie, info] : desired_.rules) {
        RuleOutcome o{cookie, info.name, info.planned, info.port, {}, ""};
        o.reasons = info.reasons;
        // Until a backend says where it runs; a dry run reports where the plan puts it.
        if (o.placement != Placement::Ovs && !options_.dry_run) o.placement = Placement::Failed;
        outcome[cookie] = std::move(o);
    }
    for (const RuleTable& t : desired_.tables) {
        if (t.rules.empty() && t.ports.empty()) continue;
        Section sec;
        sec.phase = Phase::HardwareRules;
        sec.subject = t.nic.empty() ? "tc rules on veth ports" : "rules in NIC " + t.nic;
        const offload::BackendProvider* provider = find_provider(t.backend);
        if (!provider) {
            sec.status = Status::failure(ENOTSUP, "the " + std::string(to_string(t.backend)) +
                                                      " backend is not available in this build of snoc");
            for (const auto& rule : t.rules) {
                outcome[rule.cookie].reasons.push_back(
                    {offload::ReasonCode::InstallFailed, std::string(to_string(t.backend)), sec.status.reason});
            }
            r.sections.push_back(std::move(sec));
            continue;
        }
        if (provider->opening == offload::Opening::Shared) {
            sec.status = open_shared(*provider);
            if (!sec.status.ok()) {
                r.sections.push_back(std::move(sec));
                continue;
            }
        }
        if (provider->opening == offload::Opening::Elsewhere) {
            // The rules live as long as another process that owns the ports;
            // a one-shot apply would take them with it when it exits.
            const RteFlowHandoff h = rte_flow_handoff(t.nic, desired_.ovs);
            sec.status = h.status;
            if (!h.note.empty()) sec.notes.push_back(h.note);
            for (const auto& rule : t.rules) {
                outcome[rule.cookie].reasons.push_back(h.rule_reason);
                outcome[rule.cookie].placement = h.placement;
            }
            r.sections.push_back(std::move(sec));
            continue;
        }
        offload::OffloadBackend* be = backend_for(t);
        if (!be && options_.dry_run) {
            // A dry run does not bring the NIC's eSwitch up: say what would go in.
            for (const auto& rule : t.rules) {
                sec.changes.push_back({"rule " + desired_.rules[rule.cookie].name + " on " + rule.port + " (" +
                                           std::string(to_string(t.backend)) + " eSwitch)", ""});
            }
            r.sections.push_back(std::move(sec));
            continue;
        }
        if (!be) {
            sec.status = Status::failure(ENODEV, "NIC " + t.nic + "'s eSwitch is not up");
            for (const auto& rule : t.rules) {
                outcome[rule.cookie].reasons.push_back(
                    {offload::ReasonCode::InstallFailed, std::string(to_string(t.backend)), sec.status.reason});
            }
            r.sections.push_back(std::move(sec));
            continue;
        }
        for (const auto& rule : t.rules) outcome[rule.cookie].command = be->render(rule);
        std::vector<offload::HwRuleState> have;
        if (options_.dry_run) {
            // What is there now; a missing port (made by this apply) reads as empty.
            std::set<uint64_t> present;
            for (const auto& port : t.ports) {
                std::vector<offload::HwRuleState> on_port;
                if (be->read({port}, on_port).ok()) {
                    for (const auto& h : on_port) present.insert(h.rule.cookie);
                }
            }
            for (const auto& rule : t.rules) {
                if (!present.count(rule.cookie)) {
                    sec.changes.push_back({"rule " + desired_.rules[rule.cookie].name + " on " + rule.port,
                                           be->render(rule)});
                }
            }
            r.sections.push_back(std::move(sec));
            continue;
        }
        const auto started = std::chrono::steady_clock::now();
        const offload::HwSyncReport rep = be->sync(t.rules, t.ports);
        TableInstall install{t.nic, rep.added + rep.replaced, std::chrono::steady_clock::now() - started, {}};
        for (const auto& f : rep.failures) {
            if (f.first.cookie != 0) install.failures.push_back(f.second);
        }
        if (install.installed || !install.failures.empty()) r.installs.push_back(std::move(install));
        if (rep.added) sec.changes.push_back({std::to_string(rep.added) + " rules added", ""});
        if (rep.replaced) sec.changes.push_back({std::to_string(rep.replaced) + " rules replaced", ""});
        if (rep.deleted) sec.changes.push_back({std::to_string(rep.deleted) + " stale rules deleted", ""});
        for (const auto& w : rep.warnings) sec.notes.push_back("kept in software: " + w);
        for (const auto& [rule, st] : rep.failures) {
            auto it = outcome.find(rule.cookie);
            const std::string who = it != outcome.end() ? "rule " + it->second.name : "port " + rule.port;
            sec.notes.push_back(who + " on " + rule.port + " failed: " + to_string(st));
            if (it != outcome.end()) {
                it->second.reasons.push_back({offload::ReasonCode::InstallFailed, rule.port, st.reason});
            }
        }
        // Placement from what the backend holds now (tc: the in_hw flag).
        if (auto st = be->read(t.ports, have); st.ok()) {
            for (const auto& h : have) {
                auto it = outcome.find(h.rule.cookie);
                if (it == outcome.end()) continue;
                it->second.placement = h.placement;
                if (h.placement == Placement::TcSoftware && it->second.reasons.empty()) {
                    it->second.reasons.push_back({offload::ReasonCode::NotInHardware, h.rule.port,
                                                  "the NIC did not take the rule; it runs in tc software"});
                }
            }
        } else {
            sec.notes.push_back("could not read the rules back: " + st.reason);
        }
        // A rule the NIC refused is not a failed apply: it is reported with
        // the driver's words and OVS still forwards its traffic. A port that
        // could not be read or prepared (no cookie) fails the phase.
        for (const auto& [rule, st] : rep.failures) {
            if (rule.cookie == 0) {
                sec.status = Status::failure(st.error, "port " + rule.port + ": " + st.reason);
                break;
            }
        }
        r.sections.push_back(std::move(sec));
    }
    for (auto& [cookie, o] : outcome) r.rules.push_back(std::move(o));
}

}  // namespace snoc::apply
