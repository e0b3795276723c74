// The daemon's HTTP endpoint: GET /metrics (Prometheus text exposition of a
// prometheus-cpp Registry) and GET /status (the JSON of `snoc status`) on
// one address, `monitoring.listen` (default 127.0.0.1:9469).
//
// Why not prometheus::Exposer: it owns its civetweb server privately and
// serves only Registry collectables, so /status would need a second port.
// This is the same civetweb underneath, started directly with two handlers;
// the exposition text is prometheus-cpp's own TextSerializer. Lost from the
// Exposer: gzip on Accept-Encoding and its exposer_* self-metrics, neither
// of which a 127.0.0.1 scrape of a few hundred series needs.
//
// Threads: civetweb serves requests on its own `threads` workers. /metrics
// reads the Registry (prometheus-cpp metrics are thread-safe); /status
// serves the last string given to set_status_json() (copied under a mutex),
// so handlers never touch the daemon's model.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "offload/status.h"

struct mg_context;
struct mg_connection;

namespace prometheus {
class Registry;
}

namespace snoc::monitor {

// `monitoring.listen` ("127.0.0.1:9469", "[::1]:9469", ":9469" for every
// address, "localhost:9469") as civetweb's listening_ports option; port 0
// asks the kernel for a free port. nullopt when it is not host:port.
std::optional<std::string> civetweb_listen_option(std::string_view listen);

class HttpEndpoint {
public:
    // Listens on `listen`; nullptr and `error` set when it cannot (address in
    // use, not a local address, malformed). Never throws.
    static std::unique_ptr<HttpEndpoint> start(std::string_view listen, std::shared_ptr<prometheus::Registry> registry,
                                               offload::Status& error, int threads = 2);
    // Stops listening and waits for the workers. Can take up to 2 s: once
    // it has served a request, civetweb's accept thread only notices the stop
    // flag when its poll() times out (SOCKET_TIMEOUT_QUANTUM).
    ~HttpEndpoint();
    HttpEndpoint(const HttpEndpoint&) = delete;
    HttpEndpoint& operator=(const HttpEndpoint&) = delete;

    uint16_t port() const { return port_; }  // the bound port (the chosen one for port 0)
    void set_status_json(std::string json);

private:
    explicit HttpEndpoint(std::shared_ptr<prometheus::Registry> registry) : registry_(std::move(registry)) {}
    static int serve_metrics(mg_connection* conn, void* self);
    static int serve_status(mg_connection* conn, void* self);

    std::shared_ptr<prometheus::Registry> registry_;
    mg_context* ctx_ = nullptr;
    uint16_t port_ = 0;
    std::mutex status_mutex_;
    std::string status_json_ = "{}";
};

}  // namespace snoc::monitor
