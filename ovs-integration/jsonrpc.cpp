#include "ovs-integration/jsonrpc.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace snoc::ovs {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int error) { return std::strerror(error); }

// What an operator should check for the common connect() failures.
std::string connect_hint(int error, std::string_view daemon) {
    switch (error) {
        case ENOENT:
            return " — is " + std::string(daemon) + " running?";
        case ECONNREFUSED:
            return " — the socket exists but nothing listens on it (" + std::string(daemon) +
                   " stopped or crashed and left it behind?)";
        case EACCES:
        case EPERM:
            return " — snoc needs root (or the socket's group) to talk to " + std::string(daemon);
        default:
            return "";
    }
}

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::string describe_rpc_error(const Json& error) {
    if (error.is_string()) return error.get<std::string>();
    if (error.is_object() && error.contains("error") && error["error"].is_string()) {
        std::string out = error["error"].get<std::string>();
        if (error.contains("details") && error["details"].is_string()) {
            out += " (" + error["details"].get<std::string>() + ")";
        }
        return out;
    }
    return error.dump();
}

JsonRpcClient::~JsonRpcClient() { close(); }

void JsonRpcClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    splitter_ = JsonStreamSplitter();
    replies_.clear();
}

Status JsonRpcClient::connect(const std::string& socket_path, std::string_view daemon) {
    close();
    peer_ = socket_path;
    daemon_ = std::string(daemon);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(addr.sun_path)) {
        return Status::failure(ENAMETOOLONG, "cannot connect to " + socket_path + ": the path is longer than the " +
                                                 std::to_string(sizeof(addr.sun_path) - 1) +
                                                 " bytes a unix socket address holds");
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        const int e = errno;
        return Status::failure(e, "cannot create a unix socket to reach " + socket_path + ": " + errno_text(e));
    }
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        const int e = errno;
        ::close(fd);
        return Status::failure(e, "cannot connect to " + socket_path + ": " + errno_text(e) + connect_hint(e, daemon));
    }
    fd_ = fd;
    return Status::success();
}

void JsonRpcClient::adopt(int fd, std::string name) {
    close();
    fd_ = fd;
    peer_ = std::move(name);
    daemon_ = "the peer";
}

Status JsonRpcClient::broken(int error, std::string why) {
    close();
    return Status::failure(error, std::move(why));
}

Status JsonRpcClient::send(const Json& message) {
    if (fd_ < 0) return Status::failure(ENOTCONN, "not connected to " + (peer_.empty() ? daemon_ : peer_));
    const std::string text = message.dump();
    size_t sent = 0;
    while (sent < text.size()) {
        // MSG_NOSIGNAL: a daemon that went away must be an error, not a SIGPIPE
        // that kills snoc.
        const ssize_t n = ::send(fd_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            return broken(e, "cannot send to " + peer_ + ": " + errno_text(e));
        }
        sent += static_cast<size_t>(n);
    }
    return Status::success();
}

Status JsonRpcClient::receive(std::chrono::milliseconds timeout) {
    if (fd_ < 0) return Status::failure(ENOTCONN, "not connected to " + (peer_.empty() ? daemon_ : peer_));
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0) {
        if (errno == EINTR) return Status::success();
        const int e = errno;
        return broken(e, "cannot wait for data from " + peer_ + ": " + errno_text(e));
    }
    if (ready == 0) return Status::success();
    std::array<char, 65536> buf;
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) return Status::success();
        const int e = errno;
        return broken(e, "cannot read from " + peer_ + ": " + errno_text(e));
    }
    if (n == 0) return broken(ECONNRESET, daemon_ + " at " + peer_ + " closed the connection");
    splitter_.feed(std::string_view(buf.data(), static_cast<size_t>(n)));
    while (auto text = splitter_.next()) {
        if (Status s = dispatch(*text); !s.ok()) return s;
        if (fd_ < 0) break;
    }
    if (!splitter_.error().empty()) {
        return broken(EPROTO, "cannot read JSON-RPC from " + peer_ + ": " + splitter_.error());
    }
    return Status::success();
}

Status JsonRpcClient::dispatch(const std::string& text) {
    Json message = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded() || !message.is_object()) {
        return broken(EPROTO, "invalid JSON-RPC message from " + peer_ + ": " +
                                  text.substr(0, 200) + (text.size() > 200 ? "..." : ""));
    }
    const Json id = message.contains("id") ? message["id"] : Json();
    if (message.contains("method")) {
        if (!message["method"].is_string()) {
            return broken(EPROTO, "JSON-RPC message from " + peer_ + " has a non-string method");
        }
        const std::string method = message["method"].get<std::string>();
        const Json params = message.contains("params") ? message["params"] : Json::array();
        if (id.is_null()) {
            if (on_notification_) on_notification_(method, params);
            return Status::success();
        }
        // A request from the server. ovsdb-server sends "echo" as a keepalive
        // and disconnects clients that do not answer it.
        if (method == "echo") return send(Json{{"id", id}, {"result", params}, {"error", nullptr}});
        return send(Json{{"id", id}, {"result", nullptr}, {"error", "unknown method " + method}});
    }
    if (id.is_number_unsigned()) {
        replies_[id.get<uint64_t>()] = std::move(message);
    }
    // Replies with ids we never used (or string ids) are stray: ignore them.
    return Status::success();
}

Status JsonRpcClient::call(const std::string& method, const Json& params, Json& result,
                           std::chrono::milliseconds timeout) {
    const uint64_t id = next_id_++;
    if (Status s = send(Json{{"method", method}, {"params", params}, {"id", id}}); !s.ok()) return s;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto it = replies_.find(id); it != replies_.end()) {
            Json reply = std::move(it->second);
            replies_.erase(it);
            if (reply.contains("error") && !reply["error"].is_null()) {
                return Status::failure(EREMOTEIO, daemon_ + " at " + peer_ + " rejected " + method + ": " +
                                                      describe_rpc_error(reply["error"]));
            }
            result = reply.contains("result") ? std::move(reply["result"]) : Json();
            return Status::success();
        }
        const int left = remaining_ms(deadline);
        if (left == 0) {
            return Status::failure(ETIMEDOUT, "no reply to " + method + " from " + daemon_ + " at " + peer_ +
                                                  " within " + std::to_string(timeout.count()) + " ms");
        }
        if (Status s = receive(std::chrono::milliseconds(left)); !s.ok()) {
            s.reason = "while waiting for the reply to " + method + ": " + s.reason;
            return s;
        }
    }
}

Status JsonRpcClient::notify(const std::string& method, const Json& params) {
    return send(Json{{"method", method}, {"params", params}, {"id", nullptr}});
}

Status JsonRpcClient::poll(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    do {
        if (Status s = receive(std::chrono::milliseconds(remaining_ms(deadline))); !s.ok()) return s;
    } while (remaining_ms(deadline) > 0 && splitter_.buffered() > 0);
    return Status::success();
}

}  // namespace snoc::ovs
