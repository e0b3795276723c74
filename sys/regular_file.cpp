#include "sys/regular_file.h"
#include "sys/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace snoc::sys {
namespace {

using offload::Status;

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

}  // namespace

std::string format_size(size_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

Status read_regular_file(const std::string& path, size_t max_bytes, std::string& out) {
    out.clear();
    // O_NONBLOCK: opening a FIFO must not wait for a writer before fstat says what it is.
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) return Status::failure(errno, std::strerror(errno));
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) return Status::failure(errno, std::strerror(errno));
    if (!S_ISREG(st.st_mode)) {
        return Status::failure(EINVAL, std::string("it is ") + kind_of(st.st_mode) + ", not a regular file");
    }
    const auto too_large = [&](const std::string& size) {
        return Status::failure(EFBIG, "it is " + size + "; the limit is " + format_size(max_bytes));
    };
    if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_large(format_size(static_cast<size_t>(st.st_size)));
    // Read to the limit and one byte past it: a file that grows (or says
    // size 0, as /proc files do) is still bounded.
    out.resize(max_bytes + 1);
    size_t have = 0;
    while (have < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + have, out.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Status::failure(errno, std::strerror(errno));
        if (n == 0) break;
        have += static_cast<size_t>(n);
    }
    if (have > max_bytes) {
        out.clear();
        return too_large("more than " + format_size(max_bytes));
    }
    out.resize(have);
    return Status::success();
}

}  // namespace snoc::sys
