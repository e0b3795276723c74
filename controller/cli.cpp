#include "controller/cli.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <ostream>

#include "controller/nic/nic_reconcile.h"
#include "controller/nic/sysfs.h"
#include "controller/nic/workload_attach.h"
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
    std::vector<std::string> profile_dirs;
    std::string file;
    std::string profile_name;
    std::string output = "text";
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

// Prints one NIC's report: each step done (or to do, in a dry run) and the failure.
void print_nic_report(const nic::NicReport& r, bool dry_run, OutputFormat f, nlohmann::json& json, std::ostream& out) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.done) {
        steps.push_back({{"step", to_string(s.kind)},
                         {"vf", s.vf ? nlohmann::json(*s.vf) : nlohmann::json(nullptr)},
                         {"description", s.description},
                         {"command", s.command}});
        if (f == OutputFormat::Text) {
            out << "  " << (dry_run ? "would: " : "done:  ") << s.description << "\n      $ " << s.command << "\n";
        }
    }
    if (f == OutputFormat::Text && r.done.empty() && r.status.ok()) out << "  nothing to change\n";
    if (f == OutputFormat::Text && !r.status.ok()) out << "  FAILED: " << r.status.reason << "\n";
    json.push_back({{"nic", r.nic},
                    {"ok", r.status.ok()},
                    {"error", r.status.ok() ? nlohmann::json(nullptr) : nlohmann::json(r.status.reason)},
                    {"steps", steps}});
}

// A workload's interface into its namespace: its VF's netdev, or a new veth pair.
nic::AttachReport attach_workload(const spec::Spec& s, const spec::WorkloadSpec& w, nic::NicOps* ops, const Options& o) {
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
        return nic::attach(a, o.dry_run);
    }
    a.vf = true;
    const spec::NicSpec* n = s.find_nic(w.nic);
    nic::NicState state;
    if (n && ops && ops->read(*n, state).ok()) a.move_netdev = nic::Sysfs(o.sysfs_root).vf_netdev(state, w.vf);
    return nic::attach(a, o.dry_run);
}

int cmd_apply(const Options& o, std::ostream& out, std::ostream& err) {
    ProfileMap profiles;
    const auto spec = load_for_action(o, profiles, err);
    if (!spec) return kExitInvalidInput;
    const OutputFormat f = format_of(o);
    nlohmann::json nics = nlohmann::json::array();
    bool failed = false;
    std::unique_ptr<nic::NicOps> ops;
    if (!spec->nics.empty()) {
        offload::Status s;
        ops = nic::system_ops(s, o.sysfs_root);
        if (!ops) {
            err << "snoc: cannot reach the kernel's NIC interfaces: " << to_string(s) << "\n";
            return kExitApplyFailed;
        }
    }
    for (const auto& n : spec->nics) {
        if (f == OutputFormat::Text) out << "NIC " << n.name << " (" << (n.pf.empty() ? n.pci : n.pf) << ")\n";
        const nic::NicReport r = nic::reconcile_nic(n, profiles.at(n.profile), *ops, o.dry_run);
        print_nic_report(r, o.dry_run, f, nics, out);
        failed = failed || !r.status.ok();
    }
    nlohmann::json workloads = nlohmann::json::array();
    if (!failed) {
        for (const auto& w : spec->workloads) {
            const nic::AttachReport r = attach_workload(*spec, w, ops.get(), o);
            if (f == OutputFormat::Text) {
                out << "workload " << w.name << " (namespace " << w.netns << ")\n";
                for (const auto& d : r.done) out << "  " << (o.dry_run ? "would: " : "done:  ") << d << "\n";
                if (r.done.empty() && r.status.ok()) out << "  nothing to change\n";
                if (!r.status.ok()) out << "  FAILED: " << r.status.reason << "\n";
            }
            workloads.push_back({{"workload", w.name},
                                 {"ok", r.status.ok()},
                                 {"error", r.status.ok() ? nlohmann::json(nullptr) : nlohmann::json(r.status.reason)},
                                 {"done", r.done}});
            failed = failed || !r.status.ok();
        }
    }
    // OVS wiring and policy flows are planned (snoc plan) but not applied by this version.
    const bool has_more = !spec->policies.empty() || !spec->workloads.empty();
    if (f == OutputFormat::Json) {
        out << nlohmann::json{{"file", o.file}, {"dry_run", o.dry_run}, {"nics", nics}, {"workloads", workloads},
                              {"not_applied", has_more ? nlohmann::json::array({"ovs", "policies"})
                                                       : nlohmann::json::array()}}
                   .dump(2)
            << "\n";
    } else if (has_more) {
        out << "note: OVS ports and policy flows are not applied by this version; `snoc plan` shows them\n";
    }
    return failed ? kExitApplyFailed : kExitOk;
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
        "Make the NICs and workloads match the spec (SR-IOV VFs, eswitch mode, representors, VF settings; "
        "namespaces, interfaces, addresses, routes); idempotent");
    apply->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    apply->add_flag("--dry-run", o.dry_run, "Print the steps without changing anything");
    apply->add_option("--sysfs-root", o.sysfs_root, "Where sysfs is mounted (for tests)")->group("");
    add_output(apply);

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
        if (profiles->parsed()) return cmd_profiles(o, out, err);
    } catch (const std::exception& e) {
        err << "snoc: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
    return kExitUsage;
}

}  // namespace snoc
