#include "controller/monitor/http_endpoint.h"

#include <civetweb.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>

namespace snoc::monitor {

namespace {

constexpr unsigned kCivetwebIpv6 = 8;  // mg_check_feature bit: built with USE_IPV6

bool is_read_request(mg_connection* conn) {
    const mg_request_info* ri = mg_get_request_info(conn);
    return ri && ri->request_method &&
           (std::strcmp(ri->request_method, "GET") == 0 || std::strcmp(ri->request_method, "HEAD") == 0);
}

bool is_head(mg_connection* conn) {
    const mg_request_info* ri = mg_get_request_info(conn);
    return ri && ri->request_method && std::strcmp(ri->request_method, "HEAD") == 0;
}

int reply(mg_connection* conn, const char* mime, const std::string& body) {
    mg_send_http_ok(conn, mime, static_cast<long long>(body.size()));
    if (!is_head(conn)) mg_write(conn, body.data(), body.size());
    return 200;  // handled: a non-zero status tells civetweb not to look further
}

int refuse_method(mg_connection* conn) {
    mg_send_http_error(conn, 405, "%s", "only GET and HEAD\n");
    return 405;
}

}  // namespace

std::optional<std::string> civetweb_listen_option(std::string_view listen) {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view host = listen.substr(0, colon), port = listen.substr(colon + 1);
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535) return std::nullopt;
    const std::string ps = std::to_string(p);
    // civetweb: "N" = every IPv4 address, "+N" = every IPv4 and IPv6 address.
    if (host.empty()) return (mg_check_feature(kCivetwebIpv6) ? "+" : "") + ps;
    if (host == "localhost") return "127.0.0.1:" + ps;
    if (host.front() == '[') return host.back() == ']' ? std::optional(std::string(host) + ":" + ps) : std::nullopt;
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // bare IPv6 needs brackets
    return std::string(host) + ":" + ps;
}

std::unique_ptr<HttpEndpoint> HttpEndpoint::start(std::string_view listen,
                                                  std::shared_ptr<prometheus::Registry> registry,
                                                  offload::Status& error, int threads) {
    const auto ports = civetweb_listen_option(listen);
    if (!ports) {
        error = offload::Status::failure(EINVAL, "monitoring.listen: not host:port: " + std::string(listen));
        return nullptr;
    }
    std::unique_ptr<HttpEndpoint> self(new HttpEndpoint(std::move(registry)));
    const std::string nthreads = std::to_string(threads < 1 ? 1 : threads);
    // No document_root: civetweb serves no files, only the two handlers below.
    const char* options[] = {"listening_ports", ports->c_str(), "num_threads", nthreads.c_str(),
                             "request_timeout_ms", "10000", nullptr};
    mg_callbacks callbacks{};
    mg_init_data init{};
    init.callbacks = &callbacks;
    init.user_data = self.get();
    init.configuration_options = options;
    char text[256] = {};
    unsigned code = 0;
    mg_error_data err{};
    err.code = &code;
    err.text = text;
    err.text_buffer_size = sizeof text;
    self->ctx_ = mg_start2(&init, &err);
    if (!self->ctx_) {
        error = offload::Status::failure(EADDRNOTAVAIL, "cannot listen on " + std::string(listen) + ": " +
                                                            (text[0] ? text : "civetweb failed to start"));
        return nullptr;
    }
    mg_server_port bound[4] = {};
    const int n = mg_get_server_ports(self->ctx_, 4, bound);
    if (n > 0) self->port_ = static_cast<uint16_t>(bound[0].port);
    mg_set_request_handler(self->ctx_, "/metrics$", &HttpEndpoint::serve_metrics, self.get());
    mg_set_request_handler(self->ctx_, "/status$", &HttpEndpoint::serve_status, self.get());
    error = offload::Status::success();
    return self;
}

HttpEndpoint::~HttpEndpoint() {
    if (ctx_) mg_stop(ctx_);
}

void HttpEndpoint::set_status_json(std::string json) {
    std::lock_guard lock(status_mutex_);
    status_json_ = std::move(json);
}

int HttpEndpoint::serve_metrics(mg_connection* conn, void* self) {
    if (!is_read_request(conn)) return refuse_method(conn);
    auto* ep = static_cast<HttpEndpoint*>(self);
    // An exception must not cross into civetweb's C code (that would terminate the daemon).
    try {
        const std::string body = prometheus::TextSerializer().Serialize(ep->registry_->Collect());
        return reply(conn, "text/plain; version=0.0.4; charset=utf-8", body);
    } catch (const std::exception& e) {
        mg_send_http_error(conn, 500, "%s\n", e.what());
        return 500;
    }
}

int HttpEndpoint::serve_status(mg_connection* conn, void* self) {
    if (!is_read_request(conn)) return refuse_method(conn);
    auto* ep = static_cast<HttpEndpoint*>(self);
    std::string body;
    {
        std::lock_guard lock(ep->status_mutex_);
        body = ep->status_json_;
    }
    return reply(conn, "application/json", body);
}

}  // namespace snoc::monitor
