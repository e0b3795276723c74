#include "sys/process_runner.h"
#include "sys/shell_word.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace snoc::sys {
namespace {

using offload::Status;

// Closes what it holds on every path out of run_process().
struct Fd {
    int fd = -1;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void drain(int& fd, std::string& into) {
    std::array<char, 65536> buf;
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n > 0) {
            into.append(buf.data(), static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && (errno == EINTR)) continue;
        if (n < 0 && errno == EAGAIN) return;
        ::close(fd);  // EOF or error: the child closed its end
        fd = -1;
        return;
    }
}

}  // namespace

std::string ProcessResult::describe() const {
    if (term_signal != 0) return "was killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) + ")";
    return "exited with status " + std::to_string(exit_code);
}

std::string describe_argv(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        out += shell_word(a);
    }
    return out;
}

Status run_process(const std::vector<std::string>& argv, std::string_view input, ProcessResult& result,
                   std::chrono::milliseconds timeout) {
    result = ProcessResult{};
    if (argv.empty()) return Status::failure(EINVAL, "no program to run");
    // stdin is a socketpair, not a pipe, so writing to a child that exited
    // early fails with EPIPE (MSG_NOSIGNAL) instead of raising SIGPIPE in snoc.
    int in_pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
        const int e = errno;
        return Status::failure(e, "cannot create the stdin socket for " + argv[0] + ": " + std::strerror(e));
    }
    Fd in_parent{in_pair[0]}, in_child{in_pair[1]};
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        const int e = errno;
        return Status::failure(e, "cannot create the stdout pipe for " + argv[0] + ": " + std::strerror(e));
    }
    Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        const int e = errno;
        return Status::failure(e, "cannot create the stderr pipe for " + argv[0] + ": " + std::strerror(e));
    }
    Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_child.fd, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_write.fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int spawn_error = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0) {
        return Status::failure(spawn_error, "cannot run " + argv[0] + ": " + std::strerror(spawn_error) +
                                                (spawn_error == ENOENT ? " (is it installed and on PATH?)" : ""));
    }
    in_child.reset();
    out_write.reset();
    err_write.reset();
    set_nonblocking(in_parent.fd);
    set_nonblocking(out_read.fd);
    set_nonblocking(err_read.fd);
    if (input.empty()) in_parent.reset();

    size_t written = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    while (out_read.fd >= 0 || err_read.fd >= 0) {
        std::array<pollfd, 3> fds{};
        nfds_t n = 0;
        if (in_parent.fd >= 0) fds[n++] = {in_parent.fd, POLLOUT, 0};
        if (out_read.fd >= 0) fds[n++] = {out_read.fd, POLLIN, 0};
        if (err_read.fd >= 0) fds[n++] = {err_read.fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        if (::poll(fds.data(), n, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
        if (in_parent.fd >= 0) {
            const ssize_t w = ::send(in_parent.fd, input.data() + written, input.size() - written, MSG_NOSIGNAL);
            if (w > 0) written += static_cast<size_t>(w);
            // Done, or the child stopped reading (it will say why on stderr).
            if (written == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) in_parent.reset();
        }
        if (out_read.fd >= 0) drain(out_read.fd, result.out);
        if (err_read.fd >= 0) drain(err_read.fd, result.err);
    }
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
    if (timed_out) {
        return Status::failure(ETIMEDOUT, describe_argv(argv) + " did not finish within " +
                                              std::to_string(timeout.count()) + " ms and was killed");
    }
    return Status::success();
}

}  // namespace snoc::sys
