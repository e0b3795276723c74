#include "controller/monitor/http_endpoint.h"

#include <netdb.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <exception>
#include <map>
#include <vector>

namespace snoc::monitor {

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kListenKey = 0, kWakeKey = 1, kFirstConnKey = 2;

// ---- requests ---------------------------------------------------------------

// The methods civetweb 1.15 knew; any other is a bad request (400), as there.
bool known_method(std::string_view m) {
    static constexpr std::array<std::string_view, 14> kKnown = {
        "GET",  "POST",     "PUT",   "DELETE", "HEAD",   "OPTIONS",   "CONNECT",
        "PATCH", "PROPFIND", "MKCOL", "LOCK",   "UNLOCK", "PROPPATCH", "REPORT"};
    return std::find(kKnown.begin(), kKnown.end(), m) != kKnown.end();
}

// Methods civetweb refused with 405 even on a path it had no handler for
// (they would write to the document root, which it did not have).
bool writes_files(std::string_view m) { return m == "PUT" || m == "DELETE" || m == "PATCH" || m == "MKCOL"; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The request target as civetweb matched it against its handlers: the query
// cut off, %XX decoded (a malformed escape stays as it is), cut at a decoded
// NUL, "//" collapsed and dot segments removed.
std::string normalized_path(std::string_view target) {
    target = target.substr(0, target.find('?'));
    std::string decoded;
    for (size_t i = 0; i < target.size(); ++i) {
        if (target[i] == '%' && i + 2 < target.size() && hex_value(target[i + 1]) >= 0 &&
            hex_value(target[i + 2]) >= 0) {
            decoded += static_cast<char>(hex_value(target[i + 1]) * 16 + hex_value(target[i + 2]));
            i += 2;
        } else {
            decoded += target[i];
        }
    }
    decoded = decoded.substr(0, decoded.find('\0'));
    // Segments between slashes; empty ones ("//") and "." vanish, ".." pops.
    std::vector<std::string_view> out;
    std::string_view rest = decoded;
    bool trailing_slash = false;
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        const std::string_view seg = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        const bool last = slash == std::string_view::npos;
        if (seg.empty() || seg == ".") {
            trailing_slash = last || rest.empty();
        } else if (seg == "..") {
            if (!out.empty()) out.pop_back();
            trailing_slash = last || rest.empty();
        } else {
            out.push_back(seg);
            trailing_slash = !last && rest.empty();
        }
    }
    std::string path;
    for (auto seg : out) path.append("/").append(seg);
    if (path.empty() || trailing_slash) path += '/';
    return path;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 505: return "HTTP Version not supported";
        default: return "Error";
    }
}

std::string http_date() {
    char buf[64] = {};
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

// A whole answer: civetweb's headers (no caching), a Content-Length always,
// and `Connection: close`. `version` is the request's ("HTTP/1.0" or "1.1").
std::string response(std::string_view version, int status, std::string_view mime, std::string_view body, bool head) {
    std::string r;
    r.reserve(256 + (head ? 0 : body.size()));
    r.append(version).append(" ").append(std::to_string(status)).append(" ").append(reason_phrase(status)).append("\r\n");
    r.append("Cache-Control: no-cache, no-store, must-revalidate, private, max-age=0\r\nExpires: 0\r\nPragma: no-cache\r\n");
    r.append("Content-Type: ").append(mime).append("\r\n");
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    r.append("Date: ").append(http_date()).append("\r\nConnection: close\r\n\r\n");
    if (!head) r.append(body);
    return r;
}

std::string error_response(std::string_view version, int status, std::string_view text, bool head) {
    const std::string body = "Error " + std::to_string(status) + ": " + std::string(reason_phrase(status)) + "\n" +
                             std::string(text);
    return response(version, status, "text/plain; charset=utf-8", body, head);
}

// Where the request head ends (just past its blank line) in `buf`, ignoring
// blank lines before the request line as civetweb did; npos when it has not
// all arrived. Lines may end in CRLF or LF. Incremental: `scan` remembers how
// far it got, so a head that arrives a byte at a time is searched once.
struct HeadScan {
    bool started = false;  // past the blank lines before the request line
    size_t pos = 0;        // where to search on
};

size_t head_end(std::string_view buf, HeadScan& scan) {
    constexpr size_t npos = std::string_view::npos;
    if (!scan.started) {
        while (scan.pos < buf.size() && (buf[scan.pos] == '\r' || buf[scan.pos] == '\n')) ++scan.pos;
        if (scan.pos == buf.size()) return npos;
        scan.started = true;
    }
    for (size_t i = buf.find('\n', scan.pos); i != npos; i = buf.find('\n', i + 1)) {
        if (i + 1 >= buf.size() || (buf[i + 1] == '\r' && i + 2 >= buf.size())) {
            scan.pos = i;  // the blank line may be on its way
            return npos;
        }
        if (buf[i + 1] == '\n') return i + 2;
        if (buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
    }
    scan.pos = buf.size();
    return npos;
}

// ---- sockets -----------------------------------------------------------------

// A listening socket for civetweb_listen_option()'s form; -1 and errno.
int bind_listener(const std::string& option, uint16_t& bound_port, std::string& why) {
    std::string host, port;
    int family = AF_INET;
    bool v6only = true;
    if (option.front() == '+') {  // every IPv4 and IPv6 address
        family = AF_INET6;
        v6only = false;
        host = "::";
        port = option.substr(1);
    } else if (const size_t colon = option.rfind(':'); colon == std::string::npos) {
        host = "0.0.0.0";
        port = option;
    } else {
        host = option.substr(0, colon);
        port = option.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[') {
            family = AF_INET6;
            host = host.substr(1, host.size() - 2);
        }
    }
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0 || !res) {
        why = std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
        if (res) ::freeaddrinfo(res);
        return -1;
    }
    int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && family == AF_INET6 && !v6only && errno == EAFNOSUPPORT) {
        // No IPv6 on this host: every IPv4 address.
        ::freeaddrinfo(res);
        hints.ai_family = AF_INET;
        if (::getaddrinfo("0.0.0.0", port.c_str(), &hints, &res) != 0 || !res) {
            why = "cannot resolve 0.0.0.0";
            return -1;
        }
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        family = AF_INET;
    }
    if (fd < 0) {
        why = std::strerror(errno);
        ::freeaddrinfo(res);
        return -1;
    }
    const int one = 1, v6 = v6only ? 1 : 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof v6);
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        why = std::strerror(errno);
        ::freeaddrinfo(res);
        ::close(fd);
        return -1;
    }
    ::freeaddrinfo(res);
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    bound_port = ntohs(a.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&a)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&a)->sin_port);
    return fd;
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
    if (host.empty()) return "+" + ps;  // every IPv4 and IPv6 address (IPv4 only on a host without IPv6)
    if (host == "localhost") return "127.0.0.1:" + ps;
    if (host.front() == '[') {
        return host.size() > 2 && host.back() == ']' ? std::optional(std::string(host) + ":" + ps) : std::nullopt;
    }
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // bare IPv6 needs brackets
    return std::string(host) + ":" + ps;
}

HttpEndpoint::HttpEndpoint(std::shared_ptr<prometheus::Registry> registry, const HttpLimits& limits)
    : registry_(std::move(registry)), limits_(limits) {
    if (limits_.max_connections < 1) limits_.max_connections = 1;
    if (limits_.max_header_bytes < 16) limits_.max_header_bytes = 16;
}

std::unique_ptr<HttpEndpoint> HttpEndpoint::start(std::string_view listen,
                                                  std::shared_ptr<prometheus::Registry> registry,
                                                  offload::Status& error, int /*threads*/) {
    return start(listen, std::move(registry), error, HttpLimits{});
}

std::unique_ptr<HttpEndpoint> HttpEndpoint::start(std::string_view listen,
                                                  std::shared_ptr<prometheus::Registry> registry,
                                                  offload::Status& error, const HttpLimits& limits) {
    const auto option = civetweb_listen_option(listen);
    if (!option) {
        error = offload::Status::failure(EINVAL, "monitoring.listen: not host:port: " + std::string(listen));
        return nullptr;
    }
    std::unique_ptr<HttpEndpoint> self(new HttpEndpoint(std::move(registry), limits));
    std::string why;
    self->listen_fd_ = bind_listener(*option, self->port_, why);
    if (self->listen_fd_ < 0) {
        error = offload::Status::failure(EADDRNOTAVAIL, "cannot listen on " + std::string(listen) + ": " + why);
        return nullptr;
    }
    self->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    self->wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event lev{}, wev{};
    lev.events = EPOLLIN;
    lev.data.u64 = kListenKey;
    wev.events = EPOLLIN;
    wev.data.u64 = kWakeKey;
    if (self->epoll_fd_ < 0 || self->wake_fd_ < 0 ||
        ::epoll_ctl(self->epoll_fd_, EPOLL_CTL_ADD, self->listen_fd_, &lev) != 0 ||
        ::epoll_ctl(self->epoll_fd_, EPOLL_CTL_ADD, self->wake_fd_, &wev) != 0) {
        error = offload::Status::failure(errno, std::string("cannot start the HTTP endpoint: ") + std::strerror(errno));
        return nullptr;  // the destructor closes what was opened
    }
    // The loop thread takes no signal: the daemon waits for them synchronously.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    try {
        self->thread_ = std::thread([ep = self.get()] { ep->run(); });
    } catch (const std::exception& e) {
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        error = offload::Status::failure(EAGAIN, std::string("cannot start the HTTP endpoint thread: ") + e.what());
        return nullptr;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    error = offload::Status::success();
    return self;
}

HttpEndpoint::~HttpEndpoint() {
    if (thread_.joinable()) {
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
        thread_.join();
    }
    for (int fd : {listen_fd_, epoll_fd_, wake_fd_}) {
        if (fd >= 0) ::close(fd);
    }
}

void HttpEndpoint::set_status_json(std::string json) {
    std::lock_guard lock(status_mutex_);
    status_json_ = std::move(json);
}

std::string HttpEndpoint::metrics_body() { return prometheus::TextSerializer().Serialize(registry_->Collect()); }

std::string HttpEndpoint::status_body() {
    std::lock_guard lock(status_mutex_);
    return status_json_;
}

std::string HttpEndpoint::answer(std::string_view head) {
    // The request line, after any blank lines.
    while (!head.empty() && (head.front() == '\r' || head.front() == '\n')) head.remove_prefix(1);
    const size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> words;
    for (size_t i = 0; i < line.size();) {
        const size_t j = std::min(line.find(' ', i), line.size());
        if (j > i) words.push_back(line.substr(i, j - i));
        i = j + 1;
    }
    constexpr std::string_view kBad = "Bad request";
    if (words.size() != 3 || !known_method(words[0]) || words[1].front() != '/') {
        return error_response("HTTP/1.0", 400, kBad, false);
    }
    const std::string_view method = words[0], version = words[2];
    const bool head_only = method == "HEAD";
    if (version != "HTTP/1.0" && version != "HTTP/1.1") {
        if (version.rfind("HTTP/", 0) != 0) return error_response("HTTP/1.0", 400, kBad, head_only);
        return error_response("HTTP/1.1", 505, "Bad HTTP version: [" + std::string(version.substr(5)) + "]", head_only);
    }
    // Header lines: "name: value", or a continuation starting with a blank.
    for (std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
         !rest.empty();) {
        const size_t e = rest.find('\n');
        std::string_view h = rest.substr(0, e);
        rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 1);
        if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
        if (h.empty()) break;  // the blank line ending the head
        if (h.front() != ' ' && h.front() != '\t' && h.find(':') == std::string_view::npos) {
            return error_response(version, 400, kBad, head_only);
        }
    }
    const std::string path = normalized_path(words[1]);
    const bool metrics = iequals(path, "/metrics"), status = iequals(path, "/status");
    if (!metrics && !status) {
        if (writes_files(method)) return error_response(version, 405, "only GET and HEAD\n", head_only);
        return error_response(version, 404, "Not Found", head_only);
    }
    if (method != "GET" && method != "HEAD") return error_response(version, 405, "only GET and HEAD\n", head_only);
    try {
        if (metrics) return response(version, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_body(), head_only);
        return response(version, 200, "application/json", status_body(), head_only);
    } catch (const std::exception& e) {
        return error_response(version, 500, std::string(e.what()) + "\n", head_only);
    }
}

// ---- the loop ----------------------------------------------------------------

namespace {

enum class ConnState { Reading, Writing, Lingering };

struct Conn {
    int fd = -1;
    ConnState state = ConnState::Reading;
    Clock::time_point deadline;
    std::string in;   // the request head as it arrives (at most max_header_bytes + 1)
    HeadScan scan;    // how far `in` was searched for the end of the head
    std::string out;  // the answer
    size_t sent = 0;
};

}  // namespace

void HttpEndpoint::run() {
    // Ordered by key = accept order, so begin() is the oldest connection.
    std::map<uint64_t, Conn> conns;
    uint64_t next_key = kFirstConnKey;
    std::optional<Clock::time_point> accept_paused_until;

    auto close_conn = [&](std::map<uint64_t, Conn>::iterator it) {
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second.fd, nullptr);
        ::close(it->second.fd);
        conns.erase(it);
        open_.store(conns.size());
    };
    auto watch = [&](uint64_t key, const Conn& c, uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = key;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    };
    // The answer is written: shut our side, wait for the client's FIN.
    auto start_lingering = [&](uint64_t key, Conn& c) {
        answered_.fetch_add(1);
        ::shutdown(c.fd, SHUT_WR);
        c.state = ConnState::Lingering;
        c.deadline = Clock::now() + limits_.linger;
        c.out = std::string();
        watch(key, c, EPOLLIN);
    };
    // Writes what the socket takes; false when the connection is gone.
    auto write_some = [&](std::map<uint64_t, Conn>::iterator it) {
        Conn& c = it->second;
        while (c.sent < c.out.size()) {
            const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
            if (n > 0) {
                c.sent += static_cast<size_t>(n);
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                return;
            } else {
                close_conn(it);
                return;
            }
        }
        start_lingering(it->first, c);
    };
    auto on_readable = [&](std::map<uint64_t, Conn>::iterator it) {
        Conn& c = it->second;
        char buf[4096];
        if (c.state == ConnState::Lingering) {  // discard what still comes, up to the FIN
            for (int i = 0; i < 16; ++i) {
                const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
                if (n > 0) continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
                close_conn(it);
                return;
            }
            return;
        }
        const size_t cap = limits_.max_header_bytes;
        bool eof = false;
        size_t end = std::string::npos;
        while (c.in.size() <= cap) {  // never more than cap + 1 bytes: enough to tell "over the cap"
            const ssize_t n = ::recv(c.fd, buf, std::min(sizeof buf, cap + 1 - c.in.size()), 0);
            if (n > 0) {
                c.in.append(buf, static_cast<size_t>(n));
                if ((end = head_end(c.in, c.scan)) != std::string::npos) break;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                break;
            } else {
                eof = true;
                break;
            }
        }
        if (end != std::string::npos && end <= cap) {
            c.out = answer(std::string_view(c.in).substr(0, end));
        } else if (c.in.size() > cap) {
            c.out = error_response("HTTP/1.0", 431, "the request head is over " + std::to_string(cap) + " bytes\n",
                                   false);
        } else {
            if (eof) close_conn(it);  // gone before its request was whole
            return;
        }
        c.in = std::string();
        c.state = ConnState::Writing;
        c.deadline = Clock::now() + limits_.write_deadline;
        watch(it->first, c, EPOLLOUT);
        write_some(it);
    };
    auto evict_for_new = [&]() {
        // The oldest answered connection, else the oldest still sending its head.
        for (ConnState s : {ConnState::Lingering, ConnState::Reading}) {
            for (auto it = conns.begin(); it != conns.end(); ++it) {
                if (it->second.state == s) {
                    close_conn(it);
                    evicted_.fetch_add(1);
                    return true;
                }
            }
        }
        return false;  // all are being answered
    };
    auto accept_all = [&]() {
        for (;;) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == EPERM) continue;
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: stop accepting for a moment rather than spin.
                    epoll_event ev{};
                    ev.data.u64 = kListenKey;
                    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
                    accept_paused_until = Clock::now() + std::chrono::milliseconds(100);
                }
                return;
            }
            if (conns.size() >= limits_.max_connections && !evict_for_new()) {
                ::close(fd);
                continue;
            }
            const uint64_t key = next_key++;
            Conn c;
            c.fd = fd;
            c.deadline = Clock::now() + limits_.header_deadline;
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = key;
            if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
                ::close(fd);
                continue;
            }
            conns.emplace(key, std::move(c));
            open_.store(conns.size());
        }
    };

    std::array<epoll_event, 64> events{};
    for (;;) {
        // Sleep until the nearest deadline.
        auto now = Clock::now();
        std::optional<Clock::time_point> next = accept_paused_until;
        for (const auto& [key, c] : conns) {
            if (!next || c.deadline < *next) next = c.deadline;
        }
        int timeout_ms = -1;
        if (next) {
            const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
            timeout_ms = static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
        }
        const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
        if (n < 0 && errno != EINTR) return;  // the epoll fd is broken: nothing left to serve with
        for (int i = 0; i < n; ++i) {
            const uint64_t key = events[static_cast<size_t>(i)].data.u64;
            const uint32_t ev = events[static_cast<size_t>(i)].events;
            if (key == kWakeKey) {
                for (auto it = conns.begin(); it != conns.end();) close_conn(it++);
                return;
            }
            if (key == kListenKey) {
                accept_all();
                continue;
            }
            auto it = conns.find(key);
            if (it == conns.end()) continue;  // closed earlier in this batch
            if (it->second.state == ConnState::Writing) {
                if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) write_some(it);
            } else if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                on_readable(it);
            }
        }
        // Deadlines.
        now = Clock::now();
        if (accept_paused_until && now >= *accept_paused_until) {
            accept_paused_until.reset();
            epoll_event lev{};
            lev.events = EPOLLIN;
            lev.data.u64 = kListenKey;
            ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &lev);
        }
        for (auto it = conns.begin(); it != conns.end();) {
            auto cur = it++;
            if (cur->second.deadline > now) continue;
            if (cur->second.state != ConnState::Lingering) timed_out_.fetch_add(1);
            close_conn(cur);
        }
    }
}

}  // namespace snoc::monitor
