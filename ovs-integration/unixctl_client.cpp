#include "ovs-integration/unixctl_client.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace snoc::ovs {

Status read_daemon_pid(const std::string& rundir, const std::string& daemon, long& pid) {
    const std::string pidfile = rundir + "/" + daemon + ".pid";
    std::ifstream in(pidfile);
    if (!in) {
        const int e = errno != 0 ? errno : ENOENT;
        return Status::failure(e, "cannot read " + pidfile + ": " + std::strerror(e) + " — is " + daemon +
                                      " running with its run directory at " + rundir + "?");
    }
    pid = 0;
    if (!(in >> pid) || pid <= 0) {
        return Status::failure(EINVAL, pidfile + " does not hold a process id");
    }
    return Status::success();
}

Status find_unixctl_socket(const std::string& rundir, const std::string& daemon, std::string& path) {
    long pid = 0;
    if (Status s = read_daemon_pid(rundir, daemon, pid); !s.ok()) return s;
    path = rundir + "/" + daemon + "." + std::to_string(pid) + ".ctl";
    return Status::success();
}

Status UnixctlClient::connect(const std::string& socket_path, std::string_view daemon) {
    return rpc_.connect(socket_path, daemon);
}

Status UnixctlClient::call(const std::string& command, const std::vector<std::string>& args, std::string& output) {
    Json result;
    Status s = rpc_.call(command, Json(args), result, timeout_);
    if (!s.ok()) return s;
    if (!result.is_string()) {
        return Status::failure(EPROTO, "reply to " + command + " from " + rpc_.peer() + " is not a string");
    }
    output = result.get<std::string>();
    return Status::success();
}

}  // namespace snoc::ovs
