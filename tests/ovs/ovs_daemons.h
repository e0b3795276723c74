// A private Open vSwitch for one test or benchmark: its own ovsdb-server and (optionally)
// ovs-vswitchd with the userspace (netdev) datapath, run with --detach and
// pidfiles from a mkdtemp directory that holds the database, sockets and
// logs, inside a network namespace private to the test process. Nothing on
// the host (a system OVS, the kernel datapath, host interfaces) is touched.
#pragma once

#include <string>
#include <vector>

#include "offload/status.h"

namespace snoc::test {

// Why OVS tests cannot run here (not root, OVS not installed, no network
// namespaces), or "" when they can.
const std::string& ovs_skip_reason();

class OvsSandbox {
public:
    OvsSandbox() = default;
    ~OvsSandbox() { stop(); }
    OvsSandbox(const OvsSandbox&) = delete;
    OvsSandbox& operator=(const OvsSandbox&) = delete;

    offload::Status start(bool with_vswitchd);
    // Stops the daemons (TERM, then KILL) and removes the directory.
    void stop();
    // Stops and restarts ovsdb-server on the same database and socket.
    offload::Status restart_ovsdb();

    const std::string& dir() const { return dir_; }
    std::string db_socket() const { return dir_ + "/db.sock"; }
    std::string vswitchd_ctl() const;
    // What ovs-ofctl connects to for `bridge`.
    std::string ofctl_target(const std::string& bridge) const { return "unix:" + dir_ + "/" + bridge + ".mgmt"; }

    // Runs ovs-vsctl against this sandbox's database; fails on a non-zero exit.
    offload::Status vsctl(const std::vector<std::string>& args, std::string* out = nullptr) const;

private:
    offload::Status start_ovsdb();
    void stop_daemon(const std::string& name);

    std::string dir_;
};

// Runs a program (argv, no shell) and returns its status; output in *out.
offload::Status run(const std::vector<std::string>& argv, std::string* out = nullptr);

}  // namespace snoc::test
