// Log lines that repeat every poll (OVS unreachable, a port gone) would
// flood the journal; like OVS's VLOG_RATE_LIMIT_INIT, a key logs at most
// once per interval and the next line says how many were suppressed.
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <string>

namespace snoc::daemon {

class RateLimitedLog {
public:
    explicit RateLimitedLog(std::chrono::seconds interval = std::chrono::seconds(30)) : interval_(interval) {}

    // Logs `text` at `level` unless `key` logged within the interval.
    // Returns true when it logged.
    bool log(spdlog::level::level_enum level, const std::string& key, const std::string& text,
             std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

    size_t suppressed(const std::string& key) const;

private:
    struct Entry {
        std::chrono::steady_clock::time_point last{};
        size_t suppressed = 0;
        bool logged = false;
    };
    std::chrono::seconds interval_;
    std::map<std::string, Entry> entries_;
};

}  // namespace snoc::daemon
