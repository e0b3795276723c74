#include "sys/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "sys/private_dir.h"

namespace snoc::sys {
namespace {

using offload::Status;

// "pid 1234 (snoc run)", from what the holder wrote; "" if unreadable.
std::string holder_of(int fd) {
    char buf[256];
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return "";
    std::string text(buf, static_cast<size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const size_t space = text.find(' ');
    if (space == std::string::npos) return "pid " + text;
    return "pid " + text.substr(0, space) + " (" + text.substr(space + 1) + ")";
}

}  // namespace

Status RunLock::acquire(const std::string& dir, std::string_view who, std::chrono::milliseconds wait,
                        std::unique_ptr<RunLock>& out) {
    if (Status s = make_private_dir(dir); !s.ok()) return Status::failure(s.error, "run directory: " + s.reason);
    const std::string path = dir + "/lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Status::failure(errno, "opening " + path + ": " + std::strerror(errno));
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != ::geteuid())) {
        ::close(fd);
        return Status::failure(EPERM, path + " is not a regular file of this user or root; remove it");
    }
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const int e = errno;
            ::close(fd);
            return Status::failure(e, "locking " + path + ": " + std::strerror(e));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            const std::string holder = holder_of(fd);
            ::close(fd);
            return Status::failure(EWOULDBLOCK, "another snoc is changing this server" +
                                                    (holder.empty() ? std::string() : ": " + holder) + " holds " + path +
                                                    "; wait for it to finish, or stop it (a running `snoc run` "
                                                    "applies a changed spec itself on `systemctl reload snoc`)");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string line = std::to_string(::getpid()) + " " + std::string(who) + "\n";
    // Mode 0600 whatever the umask was when an older snoc made it.
    if (::fchmod(fd, 0600) != 0 || ::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
        const int e = errno;
        ::close(fd);
        return Status::failure(e, "writing " + path + ": " + std::strerror(e));
    }
    out.reset(new RunLock(fd, path));
    return Status::success();
}

RunLock::~RunLock() {
    // Closing drops the flock; the file stays (removing it would race the next holder).
    ::close(fd_);
}

}  // namespace snoc::sys
