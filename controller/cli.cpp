#include "controller/cli.h"
#include "controller/output_format.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <ostream>

#include "controller/apply/applier.h"
#include "controller/build_info.h"
#include "controller/daemon/daemon.h"
#include "controller/daemon/http_get.h"
#include "controller/daemon/status_document.h"
#include "controller/nic/emulated_nic.h"
#include "controller/plan.h"
#include "controller/plan_output.h"
#include "controller/profile_loader.h"
#include "controller/spec_loader.h"
#include "sys/run_lock.h"

namespace snoc {
namespace {

struct Options {
    bool dry_run = false;
    std::string sysfs_root = "/sys";
    std::string ovsdb_socket = "/var/run/openvswitch/db.sock";
    std::string ovs_rundir = "/var/run/openvswitch";
    std::string run_dir = "/run/snoc";  // where the run lock is
    unsigned lock_wait_seconds = 10;    // how long to wait for another snoc to let go of it
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

void print_count(const Diagnostics& d, std::ostream& err) {
    err << d.error_count() << " error" << (d.error_count() == 1 ? "" : "s") << ", " << d.warning_count()
        << " warning" << (d.warning_count() == 1 ? "" : "s") << "\n";
}

int cmd_validate(const Options& o, std::ostream& out, std::ostream& err) {
    Diagnostics diags;
    ProfileMap profiles;
    const auto spec = spec::load_spec_and_profiles(o.file, o.profile_dirs, profiles, diags);
    if (format_of(o) == OutputFormat::Json) {
        auto j = to_json(diags);
        j["file"] = o.file;
        out << json_text(j) << "\n";
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
    auto spec = spec::load_spec_and_profiles(o.file, o.profile_dirs, profiles, diags);
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

// Takes the run lock (sys/run_lock.h) for a command that changes the server;
// says who holds it otherwise. Returns the exit code to stop with, or kExitOk.
int take_run_lock(const Options& o, std::string_view who, std::unique_ptr<sys::RunLock>& lock, std::ostream& err) {
    const offload::Status st = sys::RunLock::acquire(o.run_dir, who, std::chrono::seconds(o.lock_wait_seconds), lock);
    if (st.ok()) return kExitOk;
    err << "snoc: " << st.reason << "\n";
    return st.error == EWOULDBLOCK ? kExitBusy : kExitApplyFailed;
}

int cmd_apply(const Options& o, std::ostream& out, std::ostream& err) {
    ProfileMap profiles;
    const auto spec = load_for_action(o, profiles, err);
    if (!spec) return kExitInvalidInput;
    std::unique_ptr<sys::RunLock> lock;  // a dry run changes nothing and needs none
    if (!o.dry_run) {
        if (int rc = take_run_lock(o, "snoc apply", lock, err); rc != kExitOk) return rc;
    }
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
    std::unique_ptr<sys::RunLock> lock;
    if (!o.dry_run) {
        if (int rc = take_run_lock(o, "snoc down", lock, err); rc != kExitOk) return rc;
    }
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
        out << json_text(j) << "\n";
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
    std::unique_ptr<sys::RunLock> lock;  // held as long as the daemon runs
    if (int rc = take_run_lock(o, "snoc run", lock, err); rc != kExitOk) return rc;
    return daemon::run_daemon(d, err);
}

// Where the daemon listens: --listen, else the spec's monitoring.listen, else
// the default; `origin` says which, for the message when nothing answers.
struct DaemonAddress {
    std::string address;
    std::string origin;
};

std::optional<DaemonAddress> daemon_address(const Options& o, std::ostream& err) {
    if (!o.listen.empty()) return DaemonAddress{o.listen, "given by --listen"};
    if (!o.file.empty()) {
        ProfileMap profiles;
        const auto s = load_for_action(o, profiles, err);
        if (!s) return std::nullopt;
        return DaemonAddress{s->monitoring.listen, "monitoring.listen of " + o.file};
    }
    return DaemonAddress{spec::MonitoringSpec{}.listen,
                         "the default monitoring.listen; --listen or the daemon's spec FILE name another"};
}

std::string lowercase_first(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

// Reads the daemon's /status. Nothing listening, and something that answers
// but is not a snoc daemon, are kExitNoDaemon, each with its own words.
int fetch_status(const Options& o, daemon::StatusDocument& doc, std::ostream& err) {
    const auto where = daemon_address(o, err);
    if (!where) return kExitInvalidInput;
    const std::string& address = where->address;
    const std::string looked = "snoc: looked at " + address + ": " + where->origin + "\n";
    std::string body;
    if (auto s = daemon::http_get(address, "/status", body); !s.ok()) {
        switch (s.error) {
            case EINVAL:  // not host:port, or a host that does not resolve
                err << "snoc: " << s.reason << " (the address is " << where->origin << ")\n";
                return kExitUsage;
            case ECONNREFUSED:
            case ENOENT:
            case ENETUNREACH:
            case EHOSTUNREACH:
            case EADDRNOTAVAIL:
                err << "snoc: no daemon answers at " << address << " (" << lowercase_first(std::strerror(s.error))
                    << "); start one with `snoc run SPEC` or `systemctl start snoc`\n"
                    << looked;
                return kExitNoDaemon;
            case ETIMEDOUT:
                err << "snoc: something accepted the connection at " << address
                    << " but sent no answer in time: a snoc daemon that hangs, or another service\n"
                    << looked;
                return kExitNoDaemon;
            case EPROTO:  // an HTTP answer other than 200
                err << "snoc: something answers at " << address << " but it is not a snoc daemon (" << s.reason
                    << ")\n"
                    << looked;
                return kExitNoDaemon;
            default:
                err << "snoc: cannot ask the daemon at " << address << ": " << s.reason << "\n" << looked;
                return kExitNoDaemon;
        }
    }
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.empty()) {
        // The daemon serves {} until its first poll has finished.
        err << "snoc: the daemon at " << address << " has no status yet (it is starting); try again in a few seconds\n";
        return kExitNoDaemon;
    }
    if (!j.is_object() || !j.contains("version")) {
        err << "snoc: something answers at " << address
            << " but it is not a snoc daemon (its /status is not snoc's status document)\n"
            << looked;
        return kExitNoDaemon;
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
        out << json_text(nlohmann::json{{"status", doc.status}, {"apply", doc.apply}}) << "\n";
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
    const ProfileMap profiles = load_profiles(o.profile_dirs, diags);
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

// --- suggestions for unknown commands and options -----------------------------

// Edit distance with adjacent transpositions (optimal string alignment):
// "valdate" -> "validate" 1, "stauts" -> "status" 1.
size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::string without_dashes(const std::string& s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); }

// The candidate `typed` most likely meant: within 1 edit (2 for names of 6
// letters or more), or the only one it is a prefix of (at least 2 letters).
std::optional<std::string> closest(const std::string& typed, const std::vector<std::string>& candidates) {
    const std::string t = without_dashes(typed);
    std::optional<std::string> best;
    size_t best_distance = 0;
    for (const auto& c : candidates) {
        const std::string name = without_dashes(c);
        const size_t d = edit_distance(t, name);
        const size_t allowed = name.size() >= 6 ? 2 : 1;
        if (d <= allowed && d < name.size() && (!best || d < best_distance)) {
            best = c;
            best_distance = d;
        }
    }
    if (best) return best;
    std::vector<std::string> prefixed;
    for (const auto& c : candidates) {
        if (t.size() >= 2 && without_dashes(c).rfind(t, 0) == 0) prefixed.push_back(c);
    }
    if (prefixed.size() == 1) return prefixed.front();
    return std::nullopt;
}

// The names an operator may type for an app's visible options: "--dry-run", "-o".
std::vector<std::string> visible_option_names(const CLI::App& app) {
    std::vector<std::string> out;
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) continue;  // hidden (test-only) options are never suggested
        for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
        for (const auto& s : opt->get_snames()) out.push_back("-" + s);
    }
    return out;
}

std::string full_name(const CLI::App& app) {
    return app.get_parent() ? "snoc " + app.get_name() : std::string("snoc");
}

// The first command-line word CLI11 could not place: a command that does not
// exist, or an option the command does not have. Walks the arguments as the
// parser does (an option's value is skipped); nullopt when every word is known.
std::optional<std::string> explain_unknown(const CLI::App& app, const std::vector<const CLI::App*>& commands,
                                           const std::vector<std::string>& args) {
    const CLI::App* at = &app;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") break;
        if (a.size() > 1 && a[0] == '-') {
            std::string name = a;
            bool value_attached = false;
            if (a.rfind("--", 0) == 0) {
                if (const auto eq = a.find('='); eq != std::string::npos) {
                    name = a.substr(0, eq);
                    value_attached = true;
                }
            } else if (a.size() > 2) {  // -ojson
                name = a.substr(0, 2);
                value_attached = true;
            }
            if (const CLI::Option* opt = at->get_option_no_throw(name)) {
                if (opt->get_type_size() > 0 && !value_attached) ++i;
                continue;
            }
            std::string msg = "unknown option '" + name + "' for '" + full_name(*at) + "'";
            if (const auto guess = closest(name, visible_option_names(*at))) msg += "; did you mean '" + *guess + "'?";
            std::vector<std::string> owners;
            if (at != &app && app.get_option_no_throw(name)) owners.push_back("snoc");
            for (const CLI::App* c : commands) {
                const CLI::Option* opt = c->get_option_no_throw(name);
                if (c != at && opt && !opt->get_group().empty()) owners.push_back(full_name(*c));
            }
            for (size_t k = 0; k < owners.size(); ++k) {
                msg += (k == 0 ? " (" + name + " is an option of '" : "', '") + owners[k];
                if (k + 1 == owners.size()) msg += "')";
            }
            return msg + "\nRun '" + full_name(*at) + " --help' for its options.";
        }
        if (at != &app) continue;  // a command's positional argument
        const auto known = std::find_if(commands.begin(), commands.end(),
                                        [&](const CLI::App* c) { return c->get_name() == a; });
        if (known != commands.end()) {
            at = *known;
            continue;
        }
        std::vector<std::string> names;
        for (const CLI::App* c : commands) names.push_back(c->get_name());
        std::string msg = "unknown command '" + a + "'";
        if (const auto guess = closest(a, names)) {
            msg += "; did you mean '" + *guess + "'?";
        } else {
            msg += "; the commands are";
            for (size_t k = 0; k < names.size(); ++k) msg += (k == 0 ? " " : ", ") + names[k];
        }
        return msg + "\nRun 'snoc --help' for usage.";
    }
    return std::nullopt;
}

constexpr const char* kGlobalOptions = "Global options";

const char* const kFooter =
    "Exit codes: 0 success, 1 invalid spec or profile (nothing was changed), 2 usage error,\n"
    "3 apply failed part way (the report says what is done; run apply again to converge), 4 internal error,\n"
    "5 no snoc daemon answers (status, flows: nothing listens at the address, or something that is not snoc).\n"
    "Reference: docs/cli.md (man snoc); specs: docs/spec-reference.md; profiles: docs/nic-profiles.md";

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    CLI::App app{"snoc: SmartNIC offload controller for Open vSwitch and SR-IOV.\n"
                 "Configures NICs, wires OVS and offloads policy flows from one YAML file.\n"
                 "'snoc COMMAND --help' shows a command's options.",
                 "snoc"};
    app.footer(kFooter);
    app.require_subcommand(1);
    app.set_version_flag("--version", version_line());
    Options o;
    // --profiles-dir is accepted before the command and after it: each place
    // has its own vector (CLI11 would let one overwrite the other), merged in
    // command-line order after parsing (the global ones come first).
    std::vector<std::string> global_profile_dirs;
    std::map<std::string, std::vector<std::string>> command_profile_dirs;
    const std::string profiles_dir_help =
        "Extra directory of NIC profile YAML files, adding to or overriding the built-in profiles; "
        "repeat for more (before or after the command)";
    // One directory per --profiles-dir (a second word is the command or FILE), kept across repeats.
    auto add_profiles_dir = [&](CLI::App* to, std::vector<std::string>& dirs, const std::string& help) {
        return to->add_option("--profiles-dir", dirs, help)
            ->check(CLI::Validator(CLI::ExistingDirectory).description(""))
            ->expected(1)
            ->allow_extra_args(false)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->type_name("DIR");
    };
    add_profiles_dir(&app, global_profile_dirs, profiles_dir_help);
    std::vector<const CLI::App*> commands;

    auto add_run_dir = [&](CLI::App* sub) {
        sub->add_option("--run-dir", o.run_dir, "snoc's run directory: the run lock (one snoc changes the server at a time)")
            ->capture_default_str()
            ->type_name("DIR");
        sub->add_option("--lock-wait", o.lock_wait_seconds,
                        "Seconds to wait for another snoc holding the run lock before giving up (exit 6)")
            ->capture_default_str()
            ->type_name("SECONDS");
    };
    auto add_ovs_options = [&](CLI::App* sub) {
        sub->add_option("--ovsdb", o.ovsdb_socket, "ovsdb-server's unix socket")->capture_default_str();
        sub->add_option("--ovs-rundir", o.ovs_rundir,
                        "Open vSwitch run directory (<bridge>.mgmt, ovs-vswitchd.<pid>.ctl)")
            ->capture_default_str();
    };
    auto add_output = [&](CLI::App* sub) {
        sub->add_option("-o,--output", o.output, "Output format")->check(CLI::IsMember({"text", "json"}));
    };
    // Every command: its own options first, then the global ones (--profiles-dir, --version, --help).
    auto add_command = [&](const std::string& name, const std::string& description) {
        CLI::App* sub = app.add_subcommand(name, description);
        sub->set_help_flag();  // added again last, under kGlobalOptions
        sub->footer(kFooter);
        commands.push_back(sub);
        return sub;
    };
    // Profiles matter to every command: each reads a spec (or, for status and flows, may).
    auto finish_command = [&](CLI::App* sub, const std::string& profiles_dir_note) {
        add_profiles_dir(sub, command_profile_dirs[sub->get_name()], profiles_dir_help + profiles_dir_note)
            ->group(kGlobalOptions);
        sub->set_version_flag("--version", version_line())->group(kGlobalOptions);
        sub->set_help_flag("-h,--help", "Print this help message and exit")->group(kGlobalOptions);
    };

    CLI::App* validate = add_command("validate", "Check a deployment spec; report every error with its location");
    validate->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    add_output(validate);
    finish_command(validate, "");

    CLI::App* plan = add_command(
        "plan", "Print the desired state of a spec: NIC steps, OVS state, flows, offload verdicts with reasons");
    plan->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    add_output(plan);
    finish_command(plan, "");

    CLI::App* apply = add_command(
        "apply",
        "Make the system match the spec, in order: NICs (SR-IOV VFs, eswitch mode, representors, VF settings), "
        "workloads (namespaces, interfaces, addresses, routes), OVS (config, bridge, ports, meters), policy flows, "
        "direct tc / hardware rules; idempotent");
    apply->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    apply->add_flag("--dry-run", o.dry_run,
                    "Print the steps without changing anything; a NIC not on this host is planned as a fresh one, "
                    "an Open vSwitch that is not running as an empty one (the report says so)");
    add_ovs_options(apply);
    add_run_dir(apply);
    apply->add_option("--sysfs-root", o.sysfs_root, "Where sysfs is mounted (for tests)")->group("");
    add_output(apply);
    finish_command(apply, "");

    CLI::App* run = add_command(
        "run", "The daemon: apply, then keep reconciling (SIGHUP or a file change reloads; drift is repaired), "
               "monitor where traffic runs and serve /metrics and /status; SIGTERM exits leaving the data plane as is");
    run->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    add_ovs_options(run);
    add_run_dir(run);
    run->add_option("--listen", o.listen, "Address for /metrics and /status (default: the spec's monitoring.listen)");
    run->add_option("--repair-interval", o.repair_seconds, "Seconds between drift repairs")->capture_default_str();
    run->add_option("--log-level", o.log_level, "Log level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "err", "critical", "off"}))
        ->capture_default_str();
    run->add_option("--polls", o.max_polls, "Exit after this many polls (0: run until a signal)")->group("");
    run->add_option("--sysfs-root", o.sysfs_root, "Where sysfs is mounted (for tests)")->group("");
    finish_command(run, "; reloads read them again");

    CLI::App* down = add_command(
        "down", "Remove the spec's emulated NICs: detach and unpin the eBPF eSwitch, delete its namespaces and veth "
                "pairs (VF netdevs in workload namespaces included); real NICs and OVS are left alone; idempotent");
    down->add_option("file", o.file, "Deployment spec (YAML)")->required()->check(CLI::ExistingFile);
    down->add_flag("--dry-run", o.dry_run, "Print what would be removed");
    add_run_dir(down);
    add_output(down);
    finish_command(down, "");

    const std::string daemon_file_help =
        "The daemon's deployment spec, to find its monitoring.listen (default address: " +
        spec::MonitoringSpec{}.listen + ")";
    CLI::App* status = add_command("status", "Where traffic runs, per NIC and workload, from the running daemon");
    status->add_option("file", o.file, daemon_file_help);
    status->add_option("--listen", o.listen, "Address of the daemon's /status (host:port)");
    add_output(status);
    finish_command(status, " (to read FILE)");

    CLI::App* flows = add_command(
        "flows", "Every flow the running daemon knows: placement, counters and, for software flows, why");
    flows->add_option("file", o.file, daemon_file_help);
    flows->add_option("--listen", o.listen, "Address of the daemon's /status (host:port)");
    flows->add_option("--placement", o.placement, "Only flows that ran here: hw, tc, ovs or failed");
    flows->add_option("--workload", o.workload, "Only flows of this workload");
    add_output(flows);
    finish_command(flows, " (to read FILE)");

    CLI::App* profiles = add_command("profiles", "List NIC profiles, or show one in full");
    profiles->add_option("name", o.profile_name, "Profile name");
    add_output(profiles);
    finish_command(profiles, "");

    // CLI11 parses a reversed vector of the arguments after the program name.
    std::vector<std::string> rev(args.rbegin(), args.rend());
    try {
        app.parse(rev);
    } catch (const CLI::CallForHelp&) {
        out << app.help();  // the selected command's help, when there is one
        return kExitOk;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return kExitOk;
    } catch (const CLI::CallForVersion&) {
        out << version_line() << "\n";
        return kExitOk;
    } catch (const CLI::ParseError& e) {
        if (const auto unknown = explain_unknown(app, commands, args)) {
            err << "snoc: " << *unknown << "\n";
        } else {
            err << "snoc: " << e.what() << "\n";
            err << "Run 'snoc --help' for usage.\n";
        }
        return kExitUsage;
    }
    o.profile_dirs = global_profile_dirs;
    for (const CLI::App* c : commands) {
        if (!c->parsed()) continue;
        const auto& dirs = command_profile_dirs[c->get_name()];
        o.profile_dirs.insert(o.profile_dirs.end(), dirs.begin(), dirs.end());
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
