// A JSON-RPC 1.0 client over a unix stream socket, as ovsdb-server (RFC 7047)
// and every OVS daemon's unixctl socket speak it.
//
// Single-threaded by design: nothing arrives unless the caller is inside
// call() or poll(), so notification callbacks run on the caller's thread
// and need no locking. While waiting for a reply, the client answers the
// server's "echo" keepalives (ovsdb-server drops a client that does not) and
// hands notifications (monitor updates) to the handler.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "offload/status.h"
#include "ovs-integration/json_stream.h"

namespace snoc::ovs {

using Json = nlohmann::json;
using offload::Status;

class JsonRpcClient {
public:
    using NotificationHandler = std::function<void(const std::string& method, const Json& params)>;

    JsonRpcClient() = default;
    ~JsonRpcClient();
    JsonRpcClient(const JsonRpcClient&) = delete;
    JsonRpcClient& operator=(const JsonRpcClient&) = delete;

    // Connects to a unix socket. `daemon` names the server that should be
    // listening ("ovsdb-server"), for the hint in error messages.
    Status connect(const std::string& socket_path, std::string_view daemon);
    // Takes over an already connected stream socket (tests use a socketpair).
    void adopt(int fd, std::string name);
    bool connected() const { return fd_ >= 0; }
    void close();
    // Where we are connected, for messages.
    const std::string& peer() const { return peer_; }

    void set_notification_handler(NotificationHandler handler) { on_notification_ = std::move(handler); }

    // Sends a request and waits for the reply with the same id. A reply with
    // a non-null "error" is a failure whose reason quotes the server's error.
    Status call(const std::string& method, const Json& params, Json& result, std::chrono::milliseconds timeout);
    // Sends a notification (id null); no reply is expected.
    Status notify(const std::string& method, const Json& params);
    // Waits up to `timeout` for data and dispatches the complete messages that
    // arrived; returns after the first batch (a partial message keeps it
    // waiting) or at the timeout. Fails only when the connection broke.
    Status poll(std::chrono::milliseconds timeout);

private:
    Status send(const Json& message);
    // Waits up to `timeout` for bytes, reads them and dispatches every
    // complete message.
    Status receive(std::chrono::milliseconds timeout);
    Status dispatch(const std::string& text);
    Status broken(int error, std::string why);

    int fd_ = -1;
    std::string peer_;
    std::string daemon_;
    JsonStreamSplitter splitter_;
    uint64_t next_id_ = 1;
    std::map<uint64_t, Json> replies_;  // id -> full reply object, until call() collects it
    NotificationHandler on_notification_;
};

// Renders a JSON-RPC "error" member for a message: OVSDB's
// {"error": "...", "details": "..."} objects become "error (details)".
std::string describe_rpc_error(const Json& error);

}  // namespace snoc::ovs
