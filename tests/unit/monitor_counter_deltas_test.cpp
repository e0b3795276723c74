// CounterDeltas: monotonic counters to per-poll deltas, resets, forgetting, bounds.
#include <gtest/gtest.h>

#include "controller/monitor/counter_deltas.h"

namespace snoc::monitor {
namespace {

CounterSet set(uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) { return {a, b, c, d}; }

TEST(MonitorCounterDeltas, NewKeyCountsInFullThenDifferences) {
    CounterDeltas d;
    EXPECT_EQ(d.observe("r1", set(10, 1000)), set(10, 1000));
    d.end_poll();
    EXPECT_EQ(d.observe("r1", set(25, 2500)), set(15, 1500));
    d.end_poll();
    EXPECT_EQ(d.observe("r1", set(25, 2500)), set(0, 0));
    EXPECT_EQ(d.resets(), 0u);
}

TEST(MonitorCounterDeltas, PrimedPollIsBaselineOnly) {
    CounterDeltas d;
    d.prime_next_poll();
    EXPECT_EQ(d.observe("old", set(1'000'000, 5)), set(0, 0));
    d.end_poll();
    EXPECT_EQ(d.observe("old", set(1'000'007, 9)), set(7, 4));
    // A key first seen after the priming poll is new traffic again.
    EXPECT_EQ(d.observe("new", set(3, 3)), set(3, 3));
}

TEST(MonitorCounterDeltas, CounterWentDownIsAResetCountedInFull) {
    CounterDeltas d;
    d.observe("r", set(100, 9000, 60, 5000));
    d.end_poll();
    // Only one slot went down: still a re-created source.
    EXPECT_EQ(d.observe("r", set(120, 9500, 4, 300)), set(120, 9500, 4, 300));
    EXPECT_EQ(d.resets(), 1u);
    d.end_poll();
    EXPECT_EQ(d.observe("r", set(130, 9600, 10, 400)), set(10, 100, 6, 100));
}

TEST(MonitorCounterDeltas, MissedPollsKeepBaselineUntilForgotten) {
    CounterDeltas d(CounterDeltas::Limits{.forget_after = 2, .max_keys = 16});
    d.observe("r", set(50));
    d.end_poll();
    d.end_poll();  // missed once: still tracked
    EXPECT_EQ(d.size(), 1u);
    EXPECT_EQ(d.observe("r", set(70)), set(20));  // only the difference, not its history again
    d.end_poll();
    d.end_poll();
    d.end_poll();  // missed twice: forgotten
    EXPECT_EQ(d.size(), 0u);
    EXPECT_EQ(d.observe("r", set(90)), set(90));  // back: new
}

TEST(MonitorCounterDeltas, BoundedKeysOverflowIsCountedNotCredited) {
    CounterDeltas d(CounterDeltas::Limits{.forget_after = 3, .max_keys = 2});
    EXPECT_EQ(d.observe("a", set(1)), set(1));
    EXPECT_EQ(d.observe("b", set(2)), set(2));
    EXPECT_EQ(d.observe("c", set(3)), set(0));
    EXPECT_EQ(d.size(), 2u);
    EXPECT_EQ(d.overflows(), 1u);
    // Tracked keys keep working at the bound.
    d.end_poll();
    EXPECT_EQ(d.observe("a", set(11)), set(10));
}

TEST(MonitorCounterDeltas, SecondSightingInOnePollIsNotDoubleCounted) {
    CounterDeltas d;
    d.observe("r", set(10));
    d.end_poll();
    EXPECT_EQ(d.observe("r", set(15)), set(5));
    EXPECT_EQ(d.observe("r", set(15)), set(0));
}

}  // namespace
}  // namespace snoc::monitor
