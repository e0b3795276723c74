// http_get(): the one-request client of `snoc status` / `snoc flows`, against
// the daemon's real HTTP endpoint on 127.0.0.1:0.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "controller/daemon/http_get.h"
#include "controller/monitor/http_endpoint.h"
#include "controller/monitor/metrics_exporter.h"
#include "tests/support/loopback.h"

namespace snoc::daemon {
namespace {

using namespace std::chrono_literals;

class HttpGet : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        exporter_ = new monitor::MetricsExporter();
        offload::Status err;
        endpoint_ = monitor::HttpEndpoint::start("127.0.0.1:0", exporter_->registry(), err).release();
        ASSERT_NE(endpoint_, nullptr) << err.reason;
    }
    static void TearDownTestSuite() {
        delete endpoint_;
        delete exporter_;
        endpoint_ = nullptr;
        exporter_ = nullptr;
    }
    void SetUp() override {
        if (!endpoint_) GTEST_SKIP() << "no endpoint";
    }
    static std::string address() { return "127.0.0.1:" + std::to_string(endpoint_->port()); }

    static monitor::MetricsExporter* exporter_;
    static monitor::HttpEndpoint* endpoint_;
};
monitor::MetricsExporter* HttpGet::exporter_ = nullptr;
monitor::HttpEndpoint* HttpGet::endpoint_ = nullptr;

TEST_F(HttpGet, StatusReturnsTheJsonTheDaemonSet) {
    const std::string json = R"({"version":1,"flows":[{"id":"web-out","packets":42}]})";
    endpoint_->set_status_json(json);
    std::string body;
    const auto st = http_get(address(), "/status", body);
    ASSERT_TRUE(st.ok()) << st.reason;
    EXPECT_EQ(body, json);
    // A later set is what the next request sees.
    endpoint_->set_status_json(R"({"version":1})");
    ASSERT_TRUE(http_get(address(), "/status", body).ok());
    EXPECT_EQ(body, R"({"version":1})");
}

TEST_F(HttpGet, WildcardAndEmptyHostsMeanLoopback) {
    // monitoring.listen may be ":PORT" or "0.0.0.0:PORT"; the client asks 127.0.0.1.
    endpoint_->set_status_json("{}");
    std::string body;
    const std::string port = std::to_string(endpoint_->port());
    EXPECT_TRUE(http_get(":" + port, "/status", body).ok());
    EXPECT_EQ(body, "{}");
    EXPECT_TRUE(http_get("0.0.0.0:" + port, "/status", body).ok());
    EXPECT_TRUE(http_get("localhost:" + port, "/status", body).ok());
}

TEST_F(HttpGet, MissingPathFailsNamingTheStatusLine) {
    std::string body = "untouched";
    const auto st = http_get(address(), "/no-such-page", body);
    EXPECT_EQ(st.error, EPROTO);
    EXPECT_NE(st.reason.find("404"), std::string::npos) << st.reason;
    EXPECT_NE(st.reason.find("HTTP/"), std::string::npos) << st.reason;
    EXPECT_NE(st.reason.find("/no-such-page"), std::string::npos) << st.reason;
    EXPECT_EQ(body, "untouched");
}

TEST(HttpGetNoServer, RefusedConnectionSaysToStartTheDaemon) {
    std::string body;
    const std::string address = "127.0.0.1:" + std::to_string(test::closed_loopback_port());
    const auto st = http_get(address, "/status", body);
    EXPECT_EQ(st.error, ECONNREFUSED) << st.reason;
    EXPECT_NE(st.reason.find("snoc run"), std::string::npos) << st.reason;
    EXPECT_NE(st.reason.find(address), std::string::npos) << st.reason;
}

// A chain of addrinfo entries for 127.0.0.1 on the given ports, in order.
struct AddressChain {
    explicit AddressChain(const std::vector<uint16_t>& ports) : addrs(ports.size()), infos(ports.size()) {
        for (size_t i = 0; i < ports.size(); ++i) {
            addrs[i].sin_family = AF_INET;
            addrs[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            addrs[i].sin_port = htons(ports[i]);
            infos[i].ai_family = AF_INET;
            infos[i].ai_socktype = SOCK_STREAM;
            infos[i].ai_addr = reinterpret_cast<sockaddr*>(&addrs[i]);
            infos[i].ai_addrlen = sizeof addrs[i];
            infos[i].ai_next = i + 1 < ports.size() ? &infos[i + 1] : nullptr;
        }
    }
    const addrinfo* head() const { return infos.empty() ? nullptr : &infos[0]; }
    std::vector<sockaddr_in> addrs;
    std::vector<addrinfo> infos;
};

uint16_t peer_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    EXPECT_EQ(::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    return ntohs(a.sin_port);
}

TEST_F(HttpGet, ConnectsToTheFirstAddressThatAcceptsInOrder) {
    // "localhost" is ::1 then 127.0.0.1 on a stock Debian /etc/hosts: the
    // addresses nobody listens on come first, the daemon's last.
    const uint16_t listening = endpoint_->port();
    const AddressChain chain({test::closed_loopback_port(), test::closed_loopback_port(), listening});
    int err = 0;
    std::string why;
    const int fd = connect_first(chain.head(), err, why);
    ASSERT_GE(fd, 0) << why;
    EXPECT_EQ(peer_port(fd), listening);
    ::close(fd);
    // The first that accepts wins, even when a later one would too.
    const AddressChain first_wins({listening, test::closed_loopback_port()});
    const int fd2 = connect_first(first_wins.head(), err, why);
    ASSERT_GE(fd2, 0) << why;
    EXPECT_EQ(peer_port(fd2), listening);
    ::close(fd2);
}

TEST(HttpGetNoServer, EveryAddressRefusedGivesTheLastError) {
    const AddressChain chain({test::closed_loopback_port(), test::closed_loopback_port(), test::closed_loopback_port()});
    int err = 0;
    std::string why;
    EXPECT_EQ(connect_first(chain.head(), err, why), -1);
    EXPECT_EQ(err, ECONNREFUSED);
    EXPECT_EQ(why, std::strerror(ECONNREFUSED));
    EXPECT_EQ(connect_first(nullptr, err, why), -1);
    EXPECT_EQ(err, EDESTADDRREQ);
    EXPECT_EQ(why, "no address to connect to");
}

TEST(HttpGetNoServer, SilentServerTimesOut) {
    // Listening, so connect and send succeed, but nobody ever answers.
    uint16_t port = 0;
    const int fd = test::listen_on_loopback(port);
    ASSERT_GE(fd, 0);
    std::string body;
    const auto start = std::chrono::steady_clock::now();
    const auto st = http_get("127.0.0.1:" + std::to_string(port), "/status", body, 200ms);
    const auto took_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    ::close(fd);
    EXPECT_EQ(st.error, ETIMEDOUT) << st.reason;
    EXPECT_GE(took_ms, 150);
    EXPECT_LT(took_ms, 5000);
}

TEST(HttpGetNoServer, AddressWithoutPortIsRefused) {
    std::string body;
    const auto st = http_get("localhost", "/status", body);
    EXPECT_EQ(st.error, EINVAL);
    EXPECT_NE(st.reason.find("localhost"), std::string::npos) << st.reason;
}

}  // namespace
}  // namespace snoc::daemon
