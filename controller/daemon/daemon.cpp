#include "controller/daemon/daemon.h"
#include "controller/output_format.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <sstream>

#include "controller/cli.h"
#include "controller/daemon/poller.h"
#include "controller/daemon/rate_limited_log.h"
#include "controller/daemon/status_document.h"
#include "controller/monitor/http_endpoint.h"
#include "controller/monitor/metrics_exporter.h"
#include "controller/monitor/status_view.h"
#include "controller/plan_output.h"
#include "controller/port_directory.h"
#include "controller/spec_loader.h"
#include "ovs-integration/datapath_monitor.h"
#include "ovs-integration/ovsdb_client.h"
#include "ovs-integration/unixctl_client.h"

namespace snoc::daemon {
namespace {

using Clock = std::chrono::steady_clock;
using offload::Placement;

std::optional<struct timespec> mtime_of(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return st.st_mtim;
}

bool same_time(const std::optional<struct timespec>& a, const std::optional<struct timespec>& b) {
    if (!a || !b) return a.has_value() == b.has_value();
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

std::optional<spec::Spec> load(const DaemonOptions& o, ProfileMap& profiles, std::string& errors) {
    Diagnostics diags;
    auto s = spec::load_spec_and_profiles(o.file, o.profile_dirs, profiles, diags);
    std::ostringstream text;
    print_diagnostics(diags, OutputFormat::Text, text);
    errors = text.str();
    return s;
}

// The phase a repair happened in says what had drifted.
monitor::RepairKind repair_kind(plan::Phase p) {
    switch (p) {
        case plan::Phase::Nic:
        case plan::Phase::Workload: return monitor::RepairKind::RepresentorVanished;
        case plan::Phase::Ovs: return monitor::RepairKind::OvsRestarted;
        case plan::Phase::Flows: return monitor::RepairKind::FlowDrift;
        case plan::Phase::HardwareRules: return monitor::RepairKind::TcRuleDeleted;
    }
    return monitor::RepairKind::FlowDrift;
}

void log_report(const apply::ApplyReport& r, bool repair, monitor::OffloadStats* offload) {
    for (const auto& s : r.sections) {
        for (const auto& c : s.changes) {
            spdlog::info("{}{}: {}", repair ? "repaired " : "", s.subject, c.description);
        }
        if (repair && !s.changes.empty() && offload) offload->record_repair(repair_kind(s.phase));
        for (const auto& n : s.notes) spdlog::info("{}: {}", s.subject, n);
        if (!s.status.ok()) spdlog::error("{}: {}", s.subject, s.status.reason);
    }
}

nlohmann::json apply_summary(const apply::ApplyReport& r) {
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& s : r.sections) {
        if (!s.status.ok()) errors.push_back(s.subject + ": " + s.status.reason);
    }
    nlohmann::json placements = nlohmann::json::object();
    for (const auto& rule : r.rules) {
        const std::string key(to_string(rule.placement));
        placements[key] = placements.value(key, 0) + 1;
    }
    return {{"ok", r.ok()}, {"file", r.file}, {"restart_pending", r.restart_pending}, {"errors", errors},
            {"rules", placements}};
}

// What the datapath monitor needs to explain software flows: ports by OVS
// name, profiles by NIC name.
ovs::OffloadContext offload_context(const spec::Spec& s, const ProfileMap& profiles) {
    ovs::OffloadContext c;
    for (auto [name, info] : spec::build_port_directory(s)) {
        const std::string ovs_name = spec::ovs_port_name(s, name);
        info.name = ovs_name;
        c.ports.emplace(ovs_name, std::move(info));
    }
    for (const auto& n : s.nics) {
        if (auto it = profiles.find(n.profile); it != profiles.end()) c.nic_profiles.emplace(n.name, it->second);
        c.nic_backends[n.name] = n.backend;
    }
    return c;
}

class Daemon {
public:
    explicit Daemon(DaemonOptions o) : o_(std::move(o)) {}

    int run(std::ostream& err) {
        ProfileMap profiles;
        std::string errors;
        auto s = load(o_, profiles, errors);
        if (!s) {
            err << errors << "snoc run: " << o_.file << " is not valid; nothing was done\n";
            return kExitInvalidInput;
        }
        spec_ = std::move(*s);
        mtime_ = mtime_of(o_.file);
        applier_ = std::make_unique<apply::Applier>(profiles, o_.apply);
        apply_now(false);

        offload::Status st;
        const std::string listen = o_.listen.value_or(spec_.monitoring.listen);
        endpoint_ = monitor::HttpEndpoint::start(listen, exporter_.registry(), st);
        if (!endpoint_) {
            err << "snoc run: cannot serve metrics on " << listen << ": " << st.reason << "\n";
            return kExitApplyFailed;
        }
        spdlog::info("serving /metrics and /status on {} (port {})", listen, endpoint_->port());
        return loop();
    }

private:
    int loop() {
        sigset_t set;
        sigemptyset(&set);
        for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
        auto next_poll = Clock::now();
        auto next_repair = Clock::now() + o_.repair_interval;
        for (;;) {
            const auto now = Clock::now();
            if (now >= next_poll) {
                poll_once();
                if (o_.max_polls && health_.polls() >= o_.max_polls) return kExitOk;
                next_poll = now + spec_.monitoring.poll_interval;
            }
            if (now >= next_repair || ovs_changed_) {
                ovs_changed_ = false;
                apply_now(true);
                next_repair = Clock::now() + o_.repair_interval;
            }
            // Wait for a signal until the next poll, in short slices so
            // OVSDB updates and file changes are noticed promptly.
            const auto wait = std::min<Clock::duration>(next_poll - Clock::now(), std::chrono::milliseconds(250));
            const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::max(wait, Clock::duration::zero()));
            timespec ts{static_cast<time_t>(ns.count() / 1000000000), static_cast<long>(ns.count() % 1000000000)};
            siginfo_t info{};
            const int sig = sigtimedwait(&set, &info, &ts);
            if (sig == SIGTERM || sig == SIGINT) {
                spdlog::info("signal {}: exiting; the data plane stays as it is", sig);
                return kExitOk;
            }
            if (sig == SIGHUP || !same_time(mtime_of(o_.file), mtime_)) reload(sig == SIGHUP ? "SIGHUP" : "file changed");
            if (auto* db = applier_->ovsdb()) {
                if (auto pst = db->poll(std::chrono::milliseconds(0)); !pst.ok()) {
                    log_.log(spdlog::level::warn, "ovsdb", "OVSDB: " + pst.reason);
                }
            }
        }
    }

    void apply_now(bool repair) {
        report_ = applier_->apply(spec_, /*verify=*/repair || !reloaded_);
        reloaded_ = false;
        log_report(report_, repair, &offload_);
        if (!report_.ok()) {
            health_.record_error(std::chrono::system_clock::now(), "apply did not finish");
            log_.log(spdlog::level::err, "apply", "apply did not finish; retrying every " +
                                                     std::to_string(o_.repair_interval.count()) + " s");
        } else if (!repair) {
            spdlog::info("applied {}: {} changes", spec_.file, report_.change_count());
        }
        for (const auto& t : report_.installs) {
            const auto per_rule = t.installed ? t.took / static_cast<long>(t.installed) : t.took;
            for (size_t i = 0; i < t.installed; ++i) offload_.record_install(t.nic, per_rule);
            for (const auto& f : t.failures) offload_.record_install_failure(t.nic, monitor::failure_label(f));
        }
        watch_ovsdb();
        if (dp_) dp_->set_offload_context(offload_context(applier_->resolved(), applier_->profiles()));
    }

    // OVSDB tells about ports and bridges changed behind snoc's back.
    void watch_ovsdb() {
        auto* db = applier_->ovsdb();
        if (!db || watching_ == db) return;
        watching_ = db;
        const auto st = db->monitor(ovs::kVswitchDb, {{"Bridge", {"name", "ports"}}, {"Port", {"name", "interfaces"}},
                                                      {"Interface", {"name", "ofport"}}},
                                    [this](const std::vector<ovs::RowUpdate>& updates) {
                                        for (const auto& u : updates) {
                                            if (u.kind == ovs::RowUpdate::Kind::Delete) ovs_changed_ = true;
                                        }
                                    });
        if (!st.ok()) log_.log(spdlog::level::warn, "ovsdb-monitor", "cannot monitor OVSDB: " + st.reason);
    }

    void reload(const std::string& why) {
        mtime_ = mtime_of(o_.file);
        ProfileMap profiles;
        std::string errors;
        auto s = load(o_, profiles, errors);
        if (!s) {
            health_.record_config_reload_failure();
            spdlog::error("reload ({}): {} is not valid; keeping the running state\n{}", why, o_.file, errors);
            return;
        }
        spdlog::info("reload ({}): applying {}", why, o_.file);
        spec_ = std::move(*s);
        applier_->set_profiles(std::move(profiles));
        reloaded_ = true;  // only what the file changed is sent
        apply_now(false);
    }

    ovs::DatapathMonitor* datapath() {
        if (dp_ && unixctl_ && unixctl_->connected()) return dp_.get();
        std::string path;
        auto st = ovs::find_unixctl_socket(o_.apply.ovs_rundir, "ovs-vswitchd", path);
        if (st.ok()) {
            unixctl_ = std::make_unique<ovs::UnixctlClient>();
            st = unixctl_->connect(path);
        }
        if (!st.ok()) {
            log_.log(spdlog::level::warn, "unixctl", "cannot reach ovs-vswitchd: " + st.reason);
            dp_.reset();
            return nullptr;
        }
        if (dp_) ovs_changed_ = true;  // it came back: OVS restarted, re-apply now
        dp_ = std::make_unique<ovs::DatapathMonitor>(*unixctl_);
        dp_->set_offload_context(offload_context(applier_->resolved(), applier_->profiles()));
        return dp_.get();
    }

    void poll_once() {
        const auto started = Clock::now();
        PollResult r;
        poller_.poll(*applier_, report_, datapath(), offload_, health_, log_, r);
        ledger_.add_poll(r.samples);
        const auto elapsed = Clock::now() - started;
        offload_.end_interval(spec_.monitoring.poll_interval);
        health_.record_poll(std::chrono::system_clock::now(), elapsed);
        exporter_.update({r.samples, ledger_, offload_, health_, r.flows, &poller_.drops()});
        StatusDocument doc;
        const monitor::StatusInputs in{ledger_, offload_, health_, std::chrono::system_clock::now()};
        doc.status = monitor::status_json(in);
        std::ostringstream text;
        monitor::print_status(in, OutputFormat::Text, text);
        doc.status_text = text.str();
        doc.flows = std::move(r.flows);
        doc.apply = apply_summary(report_);
        endpoint_->set_status_json(json_text(to_json(doc), 0));
    }

    DaemonOptions o_;
    spec::Spec spec_;
    std::optional<struct timespec> mtime_;
    std::unique_ptr<apply::Applier> applier_;
    apply::ApplyReport report_;
    monitor::MetricsExporter exporter_;
    std::unique_ptr<monitor::HttpEndpoint> endpoint_;
    monitor::TrafficLedger ledger_;
    monitor::OffloadStats offload_;
    monitor::PollHealth health_;
    RateLimitedLog log_;
    Poller poller_;
    std::unique_ptr<ovs::UnixctlClient> unixctl_;
    std::unique_ptr<ovs::DatapathMonitor> dp_;
    ovs::OvsdbClient* watching_ = nullptr;
    bool ovs_changed_ = false;
    bool reloaded_ = false;
};

}  // namespace

int run_daemon(const DaemonOptions& options, std::ostream& err) {
    // Signals are taken synchronously by the main loop (sigtimedwait); block
    // them before any thread starts so the HTTP workers never receive them.
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    Daemon d(options);
    return d.run(err);
}

}  // namespace snoc::daemon
