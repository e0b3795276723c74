#include "controller/cli.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <exception>
#include <ostream>

#include "controller/apply/applier.h"
#include "controller/daemon/daemon.h"
#include "controller/daemon/http_get.h"
#include "controller/daemon/status_document.h"
#include "controller/nic/emulated_nic.h"
#include "controller/plan.h"
#include "controller/plan_output.h"
#include "controller/profile_loader.h"
#include "controller/spec_loader.h"

#ifndef SNOC_VERSION
#define SNOC_VERSION "0.0.0"
#endif

namespace snoc {
namespace {

struct Options {
    bool dry_run = false;
    std::string sysfs_root = "/sys";
    std::string ovsdb_socket = "/var/run/openvswitch/db.sock";
    std::string ovs_rundir = "/var/run/openvswitch";
    std::vector<std::string> profile_dirs;
    std::string file;
    std::string profile_name;
    std::string output = "text";
    std::string listen;          // run: override monitoring.listen; status/flows: where the daemon listens
    uint64_t max_polls = 0;
    unsigned repair_seconds = 30;
    std::string placement;       // flows --placement
    std::string workload;        // flows --workload
    std::string log_level = "info";
};

OutputFormat format_of(const Options& o) { return o.output == "json" ? OutputFormat::Json : OutputFormat::Text; }

// Loads profiles; a broken profile is reported but does not stop the others.
ProfileMap profiles_or_report(const Options& o, Diagnostics& diags) { return load_profiles(o.profile_dirs, diags); }

void print_count(const Diagnostics& d, std::ostream& err) {
    err << d.error_count() << " error" << (d.error_count() == 1 ? "" : "s") << ", " << d.warning_count()
        << " warning" << (d.warning_count() == 1 ? "" : "s") << "\n";
}

int cmd_validate(const Options& o, std::ostream& out, std::ostream& err) {
    Diagnostics diags;
    const ProfileMap profiles = profiles_or_report(o, diags);
    const auto spec = spec::load_spec_file(o.file, profiles, diags);
    if (format_of(o) == OutputFormat::Json) {
        auto j = to_json(diags);
        j["file"] = o.file;
        out << j.dump(2) << "\n";
    } else {
        print_diagnostics(diags, OutputFormat::Text, err);
        if (spec) {
            out << o.file << ": valid (" << spec->nics.size() << " NICs, " << spec->workloads.size()
                << " workloads, " << spec->policies.size() << " policy rules)\n";
        }
        if (!diags.all().empty()) print_count(diags, err);
    }
    return spec ? kExitOk : kExitInvalidInput;
}

// Loads profiles and the spec for commands that act on a valid spec. Diagnostics
// go to stderr so that -o json output on stdout stays parseable.
std::optional<spec::Spec> load_for_action(const Options& o, ProfileMap& profiles, std::ostream& err) {
    Diagnostics diags;
    profiles = profiles_or_report(o, diags);
    auto spec = spec::load_spec_file(o.file, profiles, diags);
    print_diagnostics(diags, OutputFormat::Text, err);
    if (!spec) print_count(diags, err);
    return spec;
}

int cmd_plan(const Options& o, std::ostream& out, std::ostream& err) {
    ProfileMap profiles;
    const auto spec = load_for_action(o, profiles, err);
    if (!spec) return kExitInvalidInput;
    print_plan(plan::build_plan(*spec, profiles), format_of(o), out);
    return kExitOk;
}

int cmd_apply(const Options& o, std::ostream& out, std::ostream& err) {
    ProfileMap profiles;
    const auto spec = load_for_action(o, profiles, err);
    if (!spec) return kExitInvalidInput;
    apply::ApplyOptions ao;
    ao.dry_run = o.dry_run;
    ao.sysfs_root = o.sysfs_root;
    ao.ovsdb_socket = o.ovsdb_socket;
    ao.ovs_rundir = o.ovs_rundir;
    apply::Applier applier(std::move(profiles), ao);
    const apply::ApplyReport report = applier.apply(*spec);
    apply::print_apply_report(report, format_of(o) == OutputFormat::Json, out);
    return report.ok() ? kExitOk : kExitApplyFailed;
}

// Emulated NICs only: a real NIC has nothing to undo that an operator would
// want undone on request (its VFs and mode stay for the next apply).
int cmd_down(const Options& o, std::ostream& out, std::ostream& err) {
    ProfileMap profiles;
    const auto spec = load_for_action(o, profiles, err);
    if (!spec) return kExitInvalidInput;
    nlohmann::json j{{"file", o.file}, {"removed", nlohmann::json::array()}, {"errors", nlohmann::json::array()}};
    bool ok = true;
    size_t emulated = 0;
    for (const auto& nic : spec->nics) {
        if (nic.backend != offload::Backend::Emulated) continue;
        ++emulated;
        if (o.dry_run) {
            const auto l = nic::emulated_layout(nic);
            j["removed"].push_back("would remove NIC " + nic.name + ": eSwitch pinned under " + l.pin_dir + ", namespaces " +
                                   l.nic_netns + " and " + l.wire_netns + " with every veth pair in them");
            continue;
        }
        std::vector<std::string> done;
        const offload::Status st = nic::EmulatedNic::tear_down(nic, done);
        for (auto& d : done) j["removed"].push_back(std::move(d));
        if (!st.ok()) {
            ok = false;
            j["errors"].push_back("NIC " + nic.name + ": " + offload::to_string(st));
        }
    }
    j["ok"] = ok;
    if (format_of(o) == OutputFormat::Json) {
        out << j.dump(2) << "\n";
    } else {
        if (emulated == 0) out << o.file << ": no emulated NIC; nothing to remove (real NICs and OVS are left as they are)\n";
        else if (j["removed"].empty() && ok) out << o.file << ": nothing to remove\n";
        for (const auto& line : j["removed"]) out << "  " << line.get<std::string>() << "\n";
        for (const auto& line : j["errors"]) err << "snoc: " << line.get<std::string>() << "\n";
    }
    return ok ? kExitOk : kExitApplyFailed;
}

int cmd_run(const Options& o, std::ostream& err) {
    spdlog::set_level(spdlog::level::from_str(o.log_level));
    daemon::DaemonOptions d;
    d.file = o.file;
    d.profile_dirs = o.profile_dirs;
    d.apply.sysfs_root = o.sysfs_root;
    d.apply.ovsdb_socket = o.ovsdb_socket;
    d.apply.ovs_rundir = o.ovs_rundir;
    if (!o.listen.empty()) d.listen = o.listen;
    d.max_polls = o.max_polls;
    d.repair_interval = std::chrono::seconds(o.repair_seconds);
    return daemon::run_daemon(d, err);
}

// Where the daemon listens: --listen, else the spec's monitoring.listen, else the default.
std::string daemon_address(const Options& o, std::ostream& err) {
    if (!o.listen.empty()) return o.listen;
    if (!o.file.empty()) {
        ProfileMap profiles;
        if (const auto s = load_for_action(o, profiles, err)) return s->monitoring.listen;
    }
    return spec::MonitoringSpec{}.listen;
}

int fetch_status(const Options& o, daemon::StatusDocument& doc, std::ostream& err) {
    const std::string address = daemon_address(o, err);
    std::string body;
    if (auto s = daemon::http_get(address, "/status", body); !s.ok()) {
        err << "snoc: " << s.reason << "\n";
        return kExitApplyFailed;
    }
    if (auto s = daemon::from_json(body, doc); !s.ok()) {
        err << "snoc: the daemon at " << address << " sent an unreadable status: " << s.reason << "\n";
        return kExitInternal;
    }
    return kExitOk;
}

int cmd_status(const Options& o, std::ostream& out, std::ostream& err) {
    daemon::StatusDocument doc;
    if (int rc = fetch_status(o, doc, err); rc != kExitOk) return rc;
    if (format_of(o) == OutputFormat::Json) {
        out << nlohmann::json{{"status", doc.status}, {"apply", doc.apply}}.dump(2) << "\n";
        return kExitOk;
    }
    out << doc.status_text;
    if (!doc.apply.value("ok", true)) {
        out << "last apply did not finish:\n";
        for (const auto& e : doc.apply.value("errors", nlohmann::json::array())) out << "  " << e.get<std::string>() << "\n";
    }
    return kExitOk;
}

int cmd_flows(const Options& o, std::ostream& out, std::ostream& err) {
    monitor::FlowFilter filter;
    if (!o.placement.empty()) {
        filter.placement = monitor::parse_placement(o.placement);
        if (!filter.placement) {
            err << "snoc: --placement takes hw, tc, ovs or failed, not '" << o.placement << "'\n";
            return kExitUsage;
        }
    }
    if (!o.workload.empty()) filter.workload = o.workload;
    daemon::StatusDocument doc;
    if (int rc = fetch_status(o, doc, err); rc != kExitOk) return rc;
    monitor::print_flows(monitor::select_flows(doc.flows, filter), format_of(o), out);
    return kExitOk;
}

int cmd_profiles(const Options& o, std::ostream& out, std::ostream& err) {
    Diagnostics diags;
    const ProfileMap profiles = profiles_or_report(o, diags);
    print_diagnostics(diags, OutputFormat::Text, err);
    if (o.profile_name.empty()) {
        print_profile_list(profiles, format_of(o), out);
        return diags.has_errors() ? kExitInvalidInput : kExitOk;
    }
    auto it = profiles.find(o.profile_name);
    if (it == profiles.end()) {
        err << "snoc: no NIC profile named '" << o.profile_name << "'; `snoc profiles` lists them\n";
        return kExitUsage;
    }
    print_profile(it->second, format_of(o), out);
    return diags.has_errors() ? kExitInvalidInput : kExitOk;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    CLI::App app{"snoc: SmartNIC offload controller for Open vSwitch and SR-IOV.\n"
                 "Configures NICs, wires OVS and offloads policy flows from one YAML file.",
                 "snoc"};
    app.footer("Exit codes: 0 success, 1 invalid spec or profile (nothing was changed), 2 usage error,\n"
               "3 apply failed part way (the report says what is done; run apply again to converge), 4 internal error.\n"
               "Docs: docs/spec-reference.md, docs/nic-profiles.md");
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("snoc ") + SNOC_VERSION);
    Options o;
    app.add_option("--profiles-dir", o.profile_dirs,
                   "Extra directory of NIC profile YAML files (adds to or overrides the built-in profiles)")
        ->check(CLI::ExistingDirectory);

    auto add_ovs_options = [&](CLI::App* sub) {
        sub->add_option("--ovsdb", o.ovsdb_socket, "ovsdb-server's unix socket")->capture_default_str();
        sub->add_option("--ovs-rundir", o.ovs_rundir,
                        "Open vSwitch run directory (<bridge>.mgmt, ovs-vswitchd.<pid>.ctl)")
            ->capture_default_str();
    };
    auto add_output = [&](CLI::App* sub) {
        sub->add_option("-o,--output", o.output, "Output format")->check(CLI::IsMember({"text", "json"}));
    };

    CLI::App* validate = app.add_subcommand("validate", "Check a deployment spec; report every error with its location");
    validate->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    add_output(validate);

    CLI::App* plan = app.add_subcommand(
        "plan", "Print the desired state of a spec: NIC steps, OVS state, flows, offload verdicts with reasons");
    plan->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    add_output(plan);

    CLI::App* apply = app.add_subcommand(
        "apply",
        "Make the system match the spec, in order: NICs (SR-IOV VFs, eswitch mode, representors, VF settings), "
        "workloads (namespaces, interfaces, addresses, routes), OVS (config, bridge, ports, meters), policy flows, "
        "direct tc / hardware rules; idempotent");
    apply->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    apply->add_flag("--dry-run", o.dry_run, "Print the steps without changing anything");
    add_ovs_options(apply);
    apply->add_option("--sysfs-root", o.sysfs_root, "Where sysfs is mounted (for tests)")->group("");
    add_output(apply);

    CLI::App* run = app.add_subcommand(
        "run", "The daemon: apply, then keep reconciling (SIGHUP or a file change reloads; drift is repaired), "
               "monitor where traffic runs and serve /metrics and /status; SIGTERM exits leaving the data plane as is");
    run->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    add_ovs_options(run);
    run->add_option("--listen", o.listen, "Address for /metrics and /status (default: the spec's monitoring.listen)");
    run->add_option("--repair-interval", o.repair_seconds, "Seconds between drift repairs")->capture_default_str();
    run->add_option("--log-level", o.log_level, "Log level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "err", "critical", "off"}))
        ->capture_default_str();
    run->add_option("--polls", o.max_polls, "Exit after this many polls (0: run until a signal)")->group("");
    run->add_option("--sysfs-root", o.sysfs_root, "Where sysfs is mounted (for tests)")->group("");

    CLI::App* down = app.add_subcommand(
        "down", "Remove the spec's emulated NICs: detach and unpin the eBPF eSwitch, delete its namespaces and veth "
                "pairs (VF netdevs in workload namespaces included); real NICs and OVS are left alone; idempotent");
    down->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    down->add_flag("--dry-run", o.dry_run, "Print what would be removed");
    add_output(down);

    CLI::App* status = app.add_subcommand("status", "Where traffic runs, per NIC and workload, from the running daemon");
    status->add_option("file", o.file, "Deployment spec, to find the daemon's monitoring.listen");
    status->add_option("--listen", o.listen, "Address of the daemon's /status");
    add_output(status);

    CLI::App* flows = app.add_subcommand(
        "flows", "Every flow the running daemon knows: placement, counters and, for software flows, why");
    flows->add_option("file", o.file, "Deployment spec, to find the daemon's monitoring.listen");
    flows->add_option("--listen", o.listen, "Address of the daemon's /status");
    flows->add_option("--placement", o.placement, "Only flows that ran here: hw, tc, ovs or failed");
    flows->add_option("--workload", o.workload, "Only flows of this workload");
    add_output(flows);

    CLI::App* profiles = app.add_subcommand("profiles", "List NIC profiles, or show one in full");
    profiles->add_option("name", o.profile_name, "Profile name");
    add_output(profiles);

    // CLI11 parses a reversed vector of the arguments after the program name.
    std::vector<std::string> rev(args.rbegin(), args.rend());
    try {
        app.parse(rev);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return kExitOk;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return kExitOk;
    } catch (const CLI::CallForVersion&) {
        out << "snoc " << SNOC_VERSION << "\n";
        return kExitOk;
    } catch (const CLI::ParseError& e) {
        err << "snoc: " << e.what() << "\n";
        err << "Run 'snoc --help' for usage.\n";
        return kExitUsage;
    }

    try {
        if (validate->parsed()) return cmd_validate(o, out, err);
        if (plan->parsed()) return cmd_plan(o, out, err);
        if (apply->parsed()) return cmd_apply(o, out, err);
        if (run->parsed()) return cmd_run(o, err);
        if (down->parsed()) return cmd_down(o, out, err);
        if (status->parsed()) return cmd_status(o, out, err);
        if (flows->parsed()) return cmd_flows(o, out, err);
        if (profiles->parsed()) return cmd_profiles(o, out, err);
    } catch (const std::exception& e) {
        err << "snoc: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
    return kExitUsage;
}

}  // namespace snoc
