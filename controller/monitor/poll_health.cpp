#include "controller/monitor/poll_health.h"

#include <utility>

namespace snoc::monitor {

void PollHealth::record_poll(std::chrono::system_clock::time_point finished, std::chrono::nanoseconds duration) {
    ++polls_;
    last_poll_ = finished;
    last_duration_ = duration;
}

void PollHealth::record_error(std::chrono::system_clock::time_point when, std::string what) {
    ++errors_;
    if (max_recent_ == 0) return;
    if (recent_.size() >= max_recent_) recent_.pop_front();
    recent_.push_back(PollError{.when = when, .what = std::move(what)});
}

}  // namespace snoc::monitor
