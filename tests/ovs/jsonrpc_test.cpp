// JSON-RPC framing and client behaviour against a scripted peer on a
// socketpair: no daemons needed.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "ovs-integration/json_stream.h"
#include "ovs-integration/jsonrpc.h"

namespace snoc::ovs {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> split_all(JsonStreamSplitter& s) {
    std::vector<std::string> out;
    while (auto m = s.next()) out.push_back(*m);
    return out;
}

TEST(JsonStreamSplitter, ConcatenatedMessagesWithoutNewlines) {
    JsonStreamSplitter s;
    s.feed(R"({"id":1,"result":[]}{"id":2,"result":{"a":[1,{"b":2}]}}  {"id":3})");
    EXPECT_EQ(split_all(s), (std::vector<std::string>{R"({"id":1,"result":[]})",
                                                     R"({"id":2,"result":{"a":[1,{"b":2}]}})", R"({"id":3})"}));
    EXPECT_TRUE(s.error().empty());
    EXPECT_EQ(s.buffered(), 0u);
}

TEST(JsonStreamSplitter, MessageSplitAtEveryByte) {
    const std::string text = R"({"method":"update2","params":["m",{"x}":"\"{[","y":"\\"}],"id":null})";
    JsonStreamSplitter s;
    std::vector<std::string> got;
    for (char c : text + "\n" + text) {
        s.feed(std::string_view(&c, 1));
        for (auto m : split_all(s)) got.push_back(m);
    }
    EXPECT_EQ(got, (std::vector<std::string>{text, text}));
}

TEST(JsonStreamSplitter, BracesInsideStringsDoNotCount) {
    JsonStreamSplitter s;
    s.feed(R"({"error":"unbalanced } and { \" inside"})");
    const auto m = s.next();
    ASSERT_TRUE(m);
    EXPECT_EQ(nlohmann::json::parse(*m)["error"], "unbalanced } and { \" inside");
}

TEST(JsonStreamSplitter, GarbageIsAnError) {
    JsonStreamSplitter s;
    s.feed("hello");
    EXPECT_FALSE(s.next());
    EXPECT_NE(s.error().find("expected '{'"), std::string::npos) << s.error();
}

TEST(JsonStreamSplitter, OversizedMessageIsAnError) {
    JsonStreamSplitter s(16);
    s.feed(R"({"result":"0123456789abcdef0123")");
    EXPECT_FALSE(s.next());
    EXPECT_NE(s.error().find("larger than 16"), std::string::npos) << s.error();
}

// A client on one end of a socketpair, the test playing the server on the other.
class JsonRpcPair : public ::testing::Test {
protected:
    void SetUp() override {
        int fds[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        client.adopt(fds[0], "socketpair");
        server = fds[1];
    }
    void TearDown() override {
        if (server >= 0) ::close(server);
    }
    void server_send(const std::string& bytes) const {
        ASSERT_EQ(::send(server, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
    }
    // Reads what the client sent, as complete JSON messages.
    std::vector<Json> server_receive(size_t count) const {
        std::vector<Json> out;
        JsonStreamSplitter s;
        char buf[4096];
        while (out.size() < count) {
            const ssize_t n = ::recv(server, buf, sizeof buf, 0);
            if (n <= 0) break;
            s.feed(std::string_view(buf, static_cast<size_t>(n)));
            while (auto m = s.next()) out.push_back(Json::parse(*m));
        }
        return out;
    }

    JsonRpcClient client;
    int server = -1;
};

TEST_F(JsonRpcPair, CallGetsReplyByIdAcrossSplitsNotificationsAndEcho) {
    std::vector<std::string> notified;
    client.set_notification_handler([&](const std::string& method, const Json&) { notified.push_back(method); });
    std::vector<Json> seen_by_server;
    std::thread peer([&] {
        const auto request = server_receive(1);
        ASSERT_EQ(request.size(), 1u);
        seen_by_server.push_back(request[0]);
        const auto id = request[0]["id"];
        // A stray reply, a notification, an echo request, then our reply cut in two.
        const std::string reply = Json{{"id", id}, {"result", {"Open_vSwitch"}}, {"error", nullptr}}.dump();
        server_send(R"({"id":999,"result":0,"error":null}{"method":"update2","params":["m",{}],"id":null})");
        server_send(R"({"method":"echo","params":["ka"],"id":"echo"})" + reply.substr(0, 7));
        std::this_thread::sleep_for(20ms);
        server_send(reply.substr(7));
        const auto echo_reply = server_receive(1);
        ASSERT_EQ(echo_reply.size(), 1u);
        seen_by_server.push_back(echo_reply[0]);
    });
    Json result;
    const Status s = client.call("list_dbs", Json::array(), result, 5s);
    peer.join();
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_EQ(result, Json::array({"Open_vSwitch"}));
    EXPECT_EQ(notified, std::vector<std::string>{"update2"});
    ASSERT_EQ(seen_by_server.size(), 2u);
    EXPECT_EQ(seen_by_server[0]["method"], "list_dbs");
    EXPECT_EQ(seen_by_server[1], (Json{{"id", "echo"}, {"result", {"ka"}}, {"error", nullptr}}));
}

TEST_F(JsonRpcPair, ErrorReplyCarriesTheServersReason) {
    std::thread peer([&] {
        const auto request = server_receive(1);
        ASSERT_EQ(request.size(), 1u);
        server_send(Json{{"id", request[0]["id"]},
                         {"result", nullptr},
                         {"error", {{"error", "unknown database"}, {"details", "get_schema asked for Nope"}}}}
                        .dump());
    });
    Json result;
    const Status s = client.call("get_schema", Json::array({"Nope"}), result, 5s);
    peer.join();
    EXPECT_EQ(s.error, EREMOTEIO);
    EXPECT_NE(s.reason.find("rejected get_schema: unknown database (get_schema asked for Nope)"), std::string::npos)
        << s.reason;
}

TEST_F(JsonRpcPair, TimeoutNamesMethodAndPeer) {
    Json result;
    const Status s = client.call("transact", Json::array(), result, 100ms);
    EXPECT_EQ(s.error, ETIMEDOUT);
    EXPECT_NE(s.reason.find("no reply to transact"), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find("within 100 ms"), std::string::npos) << s.reason;
}

TEST_F(JsonRpcPair, PeerClosingIsAnError) {
    ::close(server);
    server = -1;
    Json result;
    const Status s = client.call("list_dbs", Json::array(), result, 1s);
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(client.connected());
}

TEST_F(JsonRpcPair, InvalidJsonIsAProtocolError) {
    server_send(R"({"id":1,"result":[1,2,}])");
    const Status s = client.poll(1s);
    EXPECT_EQ(s.error, EPROTO);
    EXPECT_NE(s.reason.find("invalid JSON-RPC message"), std::string::npos) << s.reason;
}

TEST(JsonRpcConnect, MissingSocketSaysWhatToCheck) {
    JsonRpcClient client;
    const Status s = client.connect("/nonexistent/snoc/db.sock", "ovsdb-server");
    EXPECT_EQ(s.error, ENOENT);
    EXPECT_EQ(s.reason, "cannot connect to /nonexistent/snoc/db.sock: No such file or directory — is ovsdb-server running?");
}

TEST(JsonRpcConnect, TooLongPathIsRefused) {
    JsonRpcClient client;
    const Status s = client.connect("/" + std::string(200, 'x'), "ovsdb-server");
    EXPECT_EQ(s.error, ENAMETOOLONG);
}

}  // namespace
}  // namespace snoc::ovs
