#include "sys/private_dir.h"
#include "sys/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

namespace snoc::sys {
namespace {

using offload::Status;

std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> out;
    std::stringstream in(path);
    for (std::string c; std::getline(in, c, '/');) {
        if (!c.empty() && c != ".") out.push_back(c);
    }
    return out;
}

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// Whether another user could change what is in `st` (rename, replace or
// plant entries): it is theirs, or writable by them without the sticky bit.
Status check_trusted(const struct stat& st, const std::string& where) {
    if (!S_ISDIR(st.st_mode)) return Status::failure(ENOTDIR, where + " is not a directory");
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
        return Status::failure(EPERM, where + " is owned by uid " + std::to_string(st.st_uid) +
                                          ", not by this user or root; refusing to use it (remove it)");
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
        return Status::failure(EPERM, where + " is writable by others (mode " + octal(st.st_mode) +
                                          "); refusing to use it (chmod 0700 it, or remove it)");
    }
    return Status::success();
}

}  // namespace

Status make_private_dir(const std::string& path) {
    if (path.empty() || path[0] != '/') return Status::failure(EINVAL, "'" + path + "' is not an absolute path");
    UniqueFd dir(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) return Status::failure(errno, "opening /: " + std::string(std::strerror(errno)));
    std::string where;
    for (const std::string& c : components(path)) {
        where += "/" + c;
        if (c == "..") return Status::failure(EINVAL, "'" + path + "' has a '..' component");
        bool made = false;
        if (::mkdirat(dir.get(), c.c_str(), 0700) == 0) {
            made = true;
        } else if (errno != EEXIST) {
            return Status::failure(errno, "creating " + where + ": " + std::strerror(errno));
        }
        const int next = ::openat(dir.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            const int e = errno;
            struct stat lst{};
            if (::fstatat(dir.get(), c.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode)) {
                return Status::failure(ELOOP, where + " is a symbolic link; refusing to follow it (remove it)");
            }
            return Status::failure(e, "opening " + where + ": " + std::strerror(e));
        }
        dir.reset(next);
        // mkdirat's mode is cut by the umask (0700 stays 0700 or less): make it exactly 0700.
        if (made && ::fchmod(dir.get(), 0700) != 0) {
            return Status::failure(errno, "setting the mode of " + where + ": " + std::strerror(errno));
        }
        struct stat st{};
        if (::fstat(dir.get(), &st) != 0) return Status::failure(errno, "reading " + where + ": " + std::strerror(errno));
        if (Status s = check_trusted(st, where); !s.ok()) return s;
    }
    return Status::success();
}

}  // namespace snoc::sys
