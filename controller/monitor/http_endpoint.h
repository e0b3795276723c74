// The daemon's HTTP endpoint: GET /metrics (Prometheus text exposition of a
// prometheus-cpp Registry) and GET /status (the JSON of `snoc status`) on
// one address, `monitoring.listen` (default 127.0.0.1:9469).
//
// Why a small event loop of its own and not civetweb (issue 17). civetweb
// (1.15 in Debian 12, and every version since) gives each connection a
// worker thread from accept to close: a client that sends half a request
// holds a worker until `request_timeout_ms`, so 2 such clients stalled the
// 2 workers for 10 s, a few re-opened ones blocked every scrape, and 500
// idle connections exhausted the queue. Its knobs do not fix that: more
// threads only raise the number of slow clients needed (each one costs a
// thread and its stack), `request_timeout_ms` is one timeout for the whole
// request and for every read and write, there is no cap on open
// connections and no way to close the oldest idle one. An endpoint that
// serves two small GET documents needs none of civetweb's features, so it
// is served here by one thread with epoll and non-blocking sockets, and
// each limit is explicit (HttpLimits):
//
//   - a connection has `header_deadline` (3 s) from accept to send its
//     whole request head, else it is closed without an answer;
//   - the head may be `max_header_bytes` (8 KiB) long, terminator included;
//     longer is answered 431 and closed;
//   - at most `max_connections` (256) are open; one more closes the oldest
//     that has not sent its request yet (or has been answered already), so
//     idle connections can delay nobody, they can only be pushed out;
//   - one request per connection (`Connection: close`), answered with one
//     non-blocking write that must finish within `write_deadline` (5 s);
//   - after the answer the server shuts its side down and waits up to
//     `linger` (1 s) for the client's FIN, discarding what it still sends,
//     so the answer is not lost to a reset.
//
// No client can hold the thread: it never blocks on a socket, and the
// exposition is built in memory before the write. What it answers is what
// the civetweb endpoint answered (tests/unit/http_endpoint_limits_test.cpp
// pins it): GET/HEAD of /metrics and /status (path percent-decoded, dot
// segments removed, case-insensitive, query ignored) 200; another method
// civetweb knew 405 there, 404 elsewhere (405 for PUT, DELETE, PATCH,
// MKCOL); an unknown method or a malformed request 400; a version other
// than HTTP/1.0 and 1.1 505.
//
// Threads: the loop runs on one thread of its own, started by start() and
// joined by the destructor. /metrics reads the Registry (prometheus-cpp
// metrics are thread-safe); /status serves the last string given to
// set_status_json() (copied under a mutex), so the loop never touches the
// daemon's model.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "offload/status.h"

namespace prometheus {
class Registry;
}

namespace snoc::monitor {

// `monitoring.listen` ("127.0.0.1:9469", "[::1]:9469", ":9469" for every
// address, "localhost:9469") normalized to the form civetweb's
// listening_ports took, which start() binds: "127.0.0.1:9469",
// "[::1]:9469", "+9469" (every IPv4 and IPv6 address); port 0 asks the
// kernel for a free port. nullopt when it is not host:port.
std::optional<std::string> civetweb_listen_option(std::string_view listen);

// The endpoint's bounds (see the comment at the top of this file).
struct HttpLimits {
    std::chrono::milliseconds header_deadline{3000};  // accept -> whole request head received
    std::chrono::milliseconds write_deadline{5000};   // head received -> answer written
    std::chrono::milliseconds linger{1000};           // answer written -> client's FIN
    size_t max_connections = 256;                     // open at once; one more closes the oldest idle
    size_t max_header_bytes = 8192;                   // request line + headers + blank line
};

class HttpEndpoint {
public:
    // Listens on `listen`; nullptr and `error` set when it cannot (address in
    // use, not a local address, malformed). Never throws. `threads` is kept
    // for callers of the civetweb endpoint and ignored: one thread serves.
    static std::unique_ptr<HttpEndpoint> start(std::string_view listen, std::shared_ptr<prometheus::Registry> registry,
                                               offload::Status& error, int threads = 2);
    static std::unique_ptr<HttpEndpoint> start(std::string_view listen, std::shared_ptr<prometheus::Registry> registry,
                                               offload::Status& error, const HttpLimits& limits);
    // Stops listening, closes every connection and joins the thread (at once:
    // the loop is woken through an eventfd).
    ~HttpEndpoint();
    HttpEndpoint(const HttpEndpoint&) = delete;
    HttpEndpoint& operator=(const HttpEndpoint&) = delete;

    uint16_t port() const { return port_; }  // the bound port (the chosen one for port 0)
    void set_status_json(std::string json);

    // Counters of the loop, for tests and diagnostics.
    size_t open_connections() const { return open_.load(); }
    uint64_t answered() const { return answered_.load(); }          // answers written completely
    uint64_t evicted() const { return evicted_.load(); }            // closed to make room for a new one
    uint64_t timed_out() const { return timed_out_.load(); }        // closed at a header or write deadline

private:
    HttpEndpoint(std::shared_ptr<prometheus::Registry> registry, const HttpLimits& limits);
    void run();
    // The answer to one request head (status line, headers and body).
    std::string answer(std::string_view head);
    std::string metrics_body();
    std::string status_body();

    std::shared_ptr<prometheus::Registry> registry_;
    HttpLimits limits_;
    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    uint16_t port_ = 0;
    std::thread thread_;
    std::mutex status_mutex_;
    std::string status_json_ = "{}";
    std::atomic<size_t> open_{0};
    std::atomic<uint64_t> answered_{0}, evicted_{0}, timed_out_{0};
};

}  // namespace snoc::monitor
