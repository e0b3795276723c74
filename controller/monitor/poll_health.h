// How the daemon's polling is going: when it last polled, how long it took,
// and the errors it met — what `snoc status` shows first, because every other
// figure is only as fresh as the last successful poll.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace snoc::monitor {

struct PollError {
    std::chrono::system_clock::time_point when;
    std::string what;  // "dpctl/dump-flows: connection refused"
};

class PollHealth {
public:
    explicit PollHealth(size_t max_recent_errors = 16) : max_recent_(max_recent_errors) {}

    void record_poll(std::chrono::system_clock::time_point finished, std::chrono::nanoseconds duration);
    void record_error(std::chrono::system_clock::time_point when, std::string what);
    void record_config_reload_failure() { ++config_reload_failures_; }

    uint64_t polls() const { return polls_; }
    std::optional<std::chrono::system_clock::time_point> last_poll() const { return last_poll_; }
    std::chrono::nanoseconds last_duration() const { return last_duration_; }
    uint64_t errors() const { return errors_; }
    uint64_t config_reload_failures() const { return config_reload_failures_; }
    // The newest errors, oldest first; at most max_recent_errors are kept.
    const std::deque<PollError>& recent_errors() const { return recent_; }
    size_t max_recent_errors() const { return max_recent_; }

private:
    size_t max_recent_;
    uint64_t polls_ = 0, errors_ = 0, config_reload_failures_ = 0;
    std::optional<std::chrono::system_clock::time_point> last_poll_;
    std::chrono::nanoseconds last_duration_{0};
    std::deque<PollError> recent_;
};

}  // namespace snoc::monitor
