#include "controller/monitor/port_drops.h"

#include <cerrno>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace snoc::monitor {

std::string_view to_string(DropDirection d) { return d == DropDirection::Rx ? "rx" : "tx"; }

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The whitespace-separated numbers after "name:".
bool numbers(std::string_view s, std::vector<uint64_t>& out) {
    out.clear();
    while (true) {
        s = trim(s);
        if (s.empty()) return true;
        size_t end = s.find_first_of(" \t");
        const std::string_view word = s.substr(0, end);
        uint64_t v = 0;
        const auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
        if (ec != std::errc() || p != word.data() + word.size()) return false;
        out.push_back(v);
        if (end == std::string_view::npos) return true;
        s.remove_prefix(end);
    }
}

}  // namespace

offload::Status parse_proc_net_dev(std::string_view text, const std::vector<std::string>& ports,
                                   std::vector<PortDropReading>& out) {
    const std::set<std::string, std::less<>> wanted(ports.begin(), ports.end());
    std::vector<uint64_t> v;
    size_t line_no = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        const size_t colon = line.find(':');
        if (line_no <= 2 || colon == std::string_view::npos) continue;  // the two header lines
        const std::string_view name = trim(line.substr(0, colon));
        if (!wanted.count(name)) continue;
        // rx: bytes packets errs drop fifo frame compressed multicast, tx: bytes packets errs drop ...
        if (!numbers(line.substr(colon + 1), v) || v.size() < 16) {
            return offload::Status::failure(EINVAL, "/proc/net/dev line " + std::to_string(line_no) + " for " +
                                                        std::string(name) + ": expected 16 counters");
        }
        out.push_back({std::string(name), v[3], v[11]});
    }
    return offload::Status::success();
}

offload::Status read_port_drops(const std::vector<std::string>& ports, std::vector<PortDropReading>& out) {
    std::ifstream in("/proc/self/net/dev");
    if (!in) return offload::Status::failure(errno ? errno : ENOENT, "cannot read /proc/self/net/dev");
    std::stringstream s;
    s << in.rdbuf();
    return parse_proc_net_dev(s.str(), ports, out);
}

void PortDropTotals::add(const PortDropReading& r, Labels labels) {
    Total& t = totals_[r.port];
    t.labels = std::move(labels);
    const auto credit = [&](uint64_t now, uint64_t& last, uint64_t& total) {
        total += !t.seen || now >= last ? now - (t.seen ? last : 0) : now;  // below the last reading: restarted
        last = now;
    };
    credit(r.rx_dropped, t.last_rx, t.rx);
    credit(r.tx_dropped, t.last_tx, t.tx);
    t.seen = true;
}

void PortDropTotals::add_socket_drops(const std::string& port, uint64_t added, Labels labels) {
    Total& t = totals_[port];
    t.labels = std::move(labels);
    t.rx += added;  // last_rx and seen are the interface counter's: untouched
}

}  // namespace snoc::monitor
