// One snoc at a time changes a server: `apply`, `down` and `run` take an
// exclusive flock on a file in snoc's run directory (default /run/snoc,
// made private: private_dir.h) and write their pid and command into it, so
// a second one says who holds it instead of racing the first (two applies
// creating the same namespace, a second `run` doing a full apply before
// finding its metrics port taken). The kernel drops the lock when the
// holder exits, however it exits: a killed snoc never leaves a stale lock.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "offload/status.h"

namespace snoc::sys {

class RunLock {
public:
    // Takes the lock `dir`/lock, waiting up to `wait` for a holder to let
    // go. EWOULDBLOCK when it is still held then, with the holder's pid and
    // command in the reason.
    static offload::Status acquire(const std::string& dir, std::string_view who, std::chrono::milliseconds wait,
                                   std::unique_ptr<RunLock>& out);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    const std::string& path() const { return path_; }

private:
    RunLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    int fd_;
    std::string path_;
};

}  // namespace snoc::sys
