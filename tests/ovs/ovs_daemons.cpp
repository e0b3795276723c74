#include "tests/ovs/ovs_daemons.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sys/process_runner.h"

namespace snoc::test {
namespace {

using offload::Status;
using namespace std::chrono_literals;

constexpr const char* kSchema = "/usr/share/openvswitch/vswitch.ovsschema";

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    dirs += ":/usr/sbin:/sbin";
    size_t pos = 0;
    while (pos <= dirs.size()) {
        size_t end = dirs.find(':', pos);
        if (end == std::string::npos) end = dirs.size();
        const std::string candidate = dirs.substr(pos, end - pos) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) return true;
        pos = end + 1;
    }
    return false;
}

std::string compute_skip_reason() {
    if (::geteuid() != 0) return "needs root (private network namespace, OVS daemons)";
    for (const char* program : {"ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl"}) {
        if (!on_path(program)) return std::string(program) + " not found — run scripts/install-ovs.sh";
    }
    if (::access(kSchema, R_OK) != 0) return std::string(kSchema) + " missing — run scripts/install-ovs.sh";
    // Daemons inherit the namespace, so everything they create (tap devices
    // of internal ports, veths) vanishes with the test process's namespace.
    if (::unshare(CLONE_NEWNET) != 0) {
        return std::string("cannot create a private network namespace: ") + std::strerror(errno);
    }
    run({"ip", "link", "set", "lo", "up"});
    return "";
}

long read_pid(const std::string& pidfile) {
    std::ifstream in(pidfile);
    long pid = 0;
    if (!(in >> pid)) return 0;
    return pid;
}

// Gone or a zombie: detached daemons are not our children, so a dead one
// may linger as a zombie until init reaps it.
bool process_gone(long pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

}  // namespace

const std::string& ovs_skip_reason() {
    static const std::string reason = compute_skip_reason();
    return reason;
}

Status run(const std::vector<std::string>& argv, std::string* out) {
    sys::ProcessResult r;
    if (Status s = sys::run_process(argv, "", r, 60s); !s.ok()) return s;
    if (out != nullptr) *out = r.out;
    if (!r.succeeded()) {
        return Status::failure(EIO, sys::describe_argv(argv) + " " + r.describe() + ": " + r.err);
    }
    return Status::success();
}

std::string OvsSandbox::vswitchd_ctl() const {
    return dir_ + "/ovs-vswitchd." + std::to_string(read_pid(dir_ + "/ovs-vswitchd.pid")) + ".ctl";
}

Status OvsSandbox::vsctl(const std::vector<std::string>& args, std::string* out) const {
    std::vector<std::string> argv{"ovs-vsctl", "--db=unix:" + db_socket(), "--timeout=20"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, out);
}

Status OvsSandbox::start_ovsdb() {
    return run({"ovsdb-server", dir_ + "/conf.db", "--remote=punix:" + db_socket(),
                "--pidfile=" + dir_ + "/ovsdb-server.pid", "--unixctl=" + dir_ + "/ovsdb-server.ctl",
                "--log-file=" + dir_ + "/ovsdb-server.log", "--detach", "--no-chdir"});
}

Status OvsSandbox::start(bool with_vswitchd) {
    char tmpl[] = "/tmp/snoc-ovs.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return Status::failure(errno, "mkdtemp /tmp/snoc-ovs.XXXXXX failed");
    dir_ = tmpl;
    // The OVS tools find run/log/db directories through these; pointing them
    // at the sandbox keeps every socket (bridge .mgmt, .ctl) private.
    ::setenv("OVS_RUNDIR", dir_.c_str(), 1);
    ::setenv("OVS_LOGDIR", dir_.c_str(), 1);
    ::setenv("OVS_DBDIR", dir_.c_str(), 1);
    if (Status s = run({"ovsdb-tool", "create", dir_ + "/conf.db", kSchema}); !s.ok()) return s;
    if (Status s = start_ovsdb(); !s.ok()) return s;
    if (Status s = vsctl({"--no-wait", "init"}); !s.ok()) return s;
    if (!with_vswitchd) return Status::success();
    // --disable-system: the userspace datapath only; never the host's kernel datapath.
    return run({"ovs-vswitchd", "unix:" + db_socket(), "--pidfile=" + dir_ + "/ovs-vswitchd.pid",
                "--log-file=" + dir_ + "/ovs-vswitchd.log", "--detach", "--no-chdir", "--disable-system"});
}

void OvsSandbox::stop_daemon(const std::string& name) {
    const long pid = read_pid(dir_ + "/" + name + ".pid");
    if (pid <= 0) return;
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!process_gone(pid) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    if (!process_gone(pid)) ::kill(static_cast<pid_t>(pid), SIGKILL);
    std::filesystem::remove(dir_ + "/" + name + ".pid");
}

Status OvsSandbox::restart_ovsdb() {
    stop_daemon("ovsdb-server");
    return start_ovsdb();
}

void OvsSandbox::stop() {
    if (dir_.empty()) return;
    stop_daemon("ovs-vswitchd");
    stop_daemon("ovsdb-server");
    if (std::getenv("SNOC_OVS_KEEP") == nullptr) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    } else {
        std::fprintf(stderr, "kept OVS sandbox %s (SNOC_OVS_KEEP)\n", dir_.c_str());
    }
    dir_.clear();
}

}  // namespace snoc::test
