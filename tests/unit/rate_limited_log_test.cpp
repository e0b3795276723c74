// RateLimitedLog: a key logs at most once per interval; the next line after
// the interval says how many were suppressed. Time is injected.
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "controller/daemon/rate_limited_log.h"

namespace snoc::daemon {
namespace {

using namespace std::chrono_literals;

// Sends the default logger's lines to a string for the test's lifetime.
class CapturedLog : public ::testing::Test {
protected:
    void SetUp() override {
        previous_ = spdlog::default_logger();
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
        sink->set_pattern("%l|%v");
        auto logger = std::make_shared<spdlog::logger>("rate-limited-log-test", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    void TearDown() override { spdlog::set_default_logger(previous_); }

    std::vector<std::string> lines() {
        std::vector<std::string> out;
        std::istringstream in(out_.str());
        for (std::string l; std::getline(in, l);) out.push_back(l);
        return out;
    }

    std::ostringstream out_;
    std::shared_ptr<spdlog::logger> previous_;
    const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::time_point{} + 1000s;
};

TEST_F(CapturedLog, FirstLineLogs) {
    RateLimitedLog log;
    EXPECT_TRUE(log.log(spdlog::level::warn, "ovs", "OVS is unreachable", t0_));
    EXPECT_EQ(lines(), (std::vector<std::string>{"warning|OVS is unreachable"}));
    EXPECT_EQ(log.suppressed("ovs"), 0u);
}

TEST_F(CapturedLog, RepeatsWithinTheIntervalAreCountedNotLogged) {
    RateLimitedLog log(30s);
    ASSERT_TRUE(log.log(spdlog::level::warn, "ovs", "down", t0_));
    EXPECT_FALSE(log.log(spdlog::level::warn, "ovs", "down", t0_ + 1s));
    EXPECT_FALSE(log.log(spdlog::level::warn, "ovs", "down", t0_ + 29s));
    EXPECT_EQ(log.suppressed("ovs"), 2u);
    EXPECT_EQ(lines().size(), 1u);
}

TEST_F(CapturedLog, AfterTheIntervalItLogsAgainWithTheSuppressedCount) {
    RateLimitedLog log(30s);
    ASSERT_TRUE(log.log(spdlog::level::warn, "ovs", "down", t0_));
    log.log(spdlog::level::warn, "ovs", "down", t0_ + 10s);
    log.log(spdlog::level::warn, "ovs", "down", t0_ + 20s);
    log.log(spdlog::level::warn, "ovs", "down", t0_ + 29s);
    EXPECT_TRUE(log.log(spdlog::level::warn, "ovs", "still down", t0_ + 30s));
    const auto l = lines();
    ASSERT_EQ(l.size(), 2u);
    EXPECT_NE(l[1].find("still down"), std::string::npos) << l[1];
    EXPECT_NE(l[1].find("3 similar messages suppressed"), std::string::npos) << l[1];
    EXPECT_EQ(log.suppressed("ovs"), 0u);  // the count starts again
    // The interval runs from the last line logged, not from the first.
    EXPECT_FALSE(log.log(spdlog::level::warn, "ovs", "down", t0_ + 59s));
    EXPECT_TRUE(log.log(spdlog::level::warn, "ovs", "down", t0_ + 60s));
    const auto l2 = lines();
    ASSERT_EQ(l2.size(), 3u);
    EXPECT_NE(l2[2].find("1 similar messages suppressed"), std::string::npos) << l2[2];
}

TEST_F(CapturedLog, NothingSuppressedMeansNoCountInTheLine) {
    RateLimitedLog log(5s);
    ASSERT_TRUE(log.log(spdlog::level::info, "k", "one", t0_));
    ASSERT_TRUE(log.log(spdlog::level::info, "k", "two", t0_ + 6s));
    const auto l = lines();
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[1], "info|two");
}

TEST_F(CapturedLog, KeysAreIndependent) {
    RateLimitedLog log(30s);
    EXPECT_TRUE(log.log(spdlog::level::warn, "read:nic0", "cannot read nic0", t0_));
    EXPECT_TRUE(log.log(spdlog::level::warn, "read:nic1", "cannot read nic1", t0_ + 1s));
    EXPECT_FALSE(log.log(spdlog::level::warn, "read:nic0", "cannot read nic0", t0_ + 2s));
    EXPECT_EQ(log.suppressed("read:nic0"), 1u);
    EXPECT_EQ(log.suppressed("read:nic1"), 0u);
    EXPECT_EQ(log.suppressed("never-logged"), 0u);
}

TEST_F(CapturedLog, LevelIsKept) {
    RateLimitedLog log;
    log.log(spdlog::level::err, "e", "boom", t0_);
    log.log(spdlog::level::debug, "d", "detail", t0_);
    EXPECT_EQ(lines(), (std::vector<std::string>{"error|boom", "debug|detail"}));
}

TEST_F(CapturedLog, ATimeBeforeTheFirstLineDoesNotLogAgain) {
    // steady_clock does not go back, but a caller may pass an older time point.
    RateLimitedLog log(30s);
    ASSERT_TRUE(log.log(spdlog::level::warn, "k", "x", t0_));
    EXPECT_FALSE(log.log(spdlog::level::warn, "k", "x", t0_ - 5s));
}

}  // namespace
}  // namespace snoc::daemon
