// Runs the calling thread inside another network namespace for a scope.
// The emulated NIC's ports live in their own namespace and tc attach works
// on the namespace of the netlink socket, i.e. of the calling thread.
#pragma once

#include <cstdint>
#include <string>

#include "offload/status.h"

namespace snoc::sys {

class NetnsScope {
public:
    NetnsScope() = default;
    NetnsScope(const NetnsScope&) = delete;
    NetnsScope& operator=(const NetnsScope&) = delete;
    // Restores the thread's namespace.
    ~NetnsScope();

    // Enters `path` (/run/netns/<name> or /proc/<pid>/ns/net); empty = stay.
    offload::Status enter(const std::string& path);

private:
    int home_fd_ = -1;
};

// The ifindex of `dev` in the named namespace (under /run/netns; "" = the
// caller's); 0 when the namespace or the device does not exist.
uint32_t ifindex_in(const std::string& netns, const std::string& dev);

}  // namespace snoc::sys
