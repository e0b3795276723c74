#include "controller/daemon/rate_limited_log.h"

namespace snoc::daemon {

bool RateLimitedLog::log(spdlog::level::level_enum level, const std::string& key, const std::string& text,
                         std::chrono::steady_clock::time_point now) {
    Entry& e = entries_[key];
    if (e.logged && now - e.last < interval_) {
        ++e.suppressed;
        return false;
    }
    if (e.suppressed) {
        spdlog::log(level, "{} ({} similar messages suppressed)", text, e.suppressed);
    } else {
        spdlog::log(level, "{}", text);
    }
    e.last = now;
    e.logged = true;
    e.suppressed = 0;
    return true;
}

size_t RateLimitedLog::suppressed(const std::string& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? 0 : it->second.suppressed;
}

}  // namespace snoc::daemon
