// ovs-vswitchd's (and ovsdb-server's) unixctl control socket, the one
// `ovs-appctl` talks to: JSON-RPC with method = command name and params =
// the command's string arguments; the result is the command's text output,
// and a failed command answers with a string error.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ovs-integration/jsonrpc.h"

namespace snoc::ovs {

// The process id in `<rundir>/<daemon>.pid`; the error names the file.
Status read_daemon_pid(const std::string& rundir, const std::string& daemon, long& pid);

// The control socket of a daemon that writes `<rundir>/<daemon>.pid`:
// `<rundir>/<daemon>.<pid>.ctl` (what ovs-appctl -t does for a bare name).
Status find_unixctl_socket(const std::string& rundir, const std::string& daemon, std::string& path);

class UnixctlClient {
public:
    explicit UnixctlClient(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) : timeout_(timeout) {}

    Status connect(const std::string& socket_path, std::string_view daemon = "ovs-vswitchd");
    bool connected() const { return rpc_.connected(); }

    // Runs one command; `output` is its text.
    Status call(const std::string& command, const std::vector<std::string>& args, std::string& output);

    Status version(std::string& output) { return call("version", {}, output); }
    Status dpif_show(std::string& output) { return call("dpif/show", {}, output); }
    Status upcall_show(std::string& output) { return call("upcall/show", {}, output); }
    // Datapath flows with full detail (-m): what ran where, per flow.
    Status dump_datapath_flows(std::string& output) { return call("dpctl/dump-flows", {"-m"}, output); }
    Status offload_stats(std::string& output) { return call("dpctl/offload-stats-show", {}, output); }

private:
    std::chrono::milliseconds timeout_;
    JsonRpcClient rpc_;
};

}  // namespace snoc::ovs
