#include "sys/netns_scope.h"

#include <net/if.h>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace snoc::sys {

using offload::Status;

Status NetnsScope::enter(const std::string& path) {
    if (path.empty()) return Status::success();
    home_fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home_fd_ < 0) return Status::failure(errno, "opening this thread's network namespace");
    int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (target < 0) {
        const int err = errno;
        ::close(home_fd_);
        home_fd_ = -1;
        return Status::failure(err, "opening network namespace " + path);
    }
    const int rc = ::setns(target, CLONE_NEWNET);
    const int err = errno;
    ::close(target);
    if (rc != 0) {
        ::close(home_fd_);
        home_fd_ = -1;
        return Status::failure(err, "entering network namespace " + path);
    }
    return Status::success();
}

NetnsScope::~NetnsScope() {
    if (home_fd_ < 0) return;
    // Failing to return would leave the thread in the NIC namespace; there is
    // no caller to tell from a destructor, and setns back to our own
    // namespace only fails without CAP_SYS_ADMIN, which enter() needed too.
    (void)::setns(home_fd_, CLONE_NEWNET);
    ::close(home_fd_);
}

uint32_t ifindex_in(const std::string& netns, const std::string& dev) {
    NetnsScope scope;
    if (!netns.empty() && !scope.enter("/run/netns/" + netns).ok()) return 0;
    return ::if_nametoindex(dev.c_str());
}

}  // namespace snoc::sys
