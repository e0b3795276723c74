#include "controller/daemon/http_get.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace snoc::daemon {
namespace {

using offload::Status;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

}  // namespace

int connect_first(const addrinfo* list, int& err, std::string& error) {
    err = EDESTADDRREQ;
    error = "no address to connect to";
    for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            error = std::string("socket: ") + std::strerror(err);
            continue;
        }
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
        err = errno;
        error = std::strerror(err);
        ::close(fd);
    }
    return -1;
}

Status http_get(const std::string& address, const std::string& path, std::string& body,
                std::chrono::milliseconds timeout) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return Status::failure(EINVAL, "'" + address + "' is not host:port");
    std::string host = address.substr(0, colon);
    const std::string port = address.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
        return Status::failure(EINVAL, "cannot resolve " + address + ": " + gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
    Fd s;
    int e = 0;
    std::string why;
    s.fd = connect_first(res, e, why);
    if (s.fd < 0) {
        return Status::failure(e, "cannot connect to " + address + ": " + why +
                                      " (is `snoc run` running with this monitoring.listen?)");
    }
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    if (::send(s.fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        return Status::failure(errno, "cannot send the request to " + address);
    }
    std::string resp;
    char buf[65536];
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_for(s.fd, POLLIN, left)) {
            return Status::failure(ETIMEDOUT, "no answer from " + address + path + " within the timeout");
        }
        const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n < 0) return Status::failure(errno, std::string("reading the answer: ") + std::strerror(errno));
        if (n == 0) break;
        resp.append(buf, static_cast<size_t>(n));
    }
    const auto eol = resp.find("\r\n");
    const std::string status_line = resp.substr(0, eol);
    if (status_line.find(" 200 ") == std::string::npos) {
        return Status::failure(EPROTO, address + path + " answered '" + status_line + "'");
    }
    const auto body_at = resp.find("\r\n\r\n");
    body = body_at == std::string::npos ? "" : resp.substr(body_at + 4);
    return Status::success();
}

}  // namespace snoc::daemon
