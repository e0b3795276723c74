// Interface drop counters: /proc/net/dev parsing and totals that survive a
// device being re-made.
#include <gtest/gtest.h>

#include "controller/monitor/port_drops.h"

namespace snoc::monitor {
namespace {

constexpr char kProcNetDev[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:  666655    6728    0    0    0     0          0         0   666655    6728    0    0    0     0       0          0\n"
    "esw0r1: 9000  100    0   17    0     0          0         0   5000     50    0    4    0     0       0          0\n"
    "esw0r2:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";

TEST(PortDrops, ReadsRxAndTxDropColumnsOfTheWantedPorts) {
    std::vector<PortDropReading> r;
    ASSERT_TRUE(parse_proc_net_dev(kProcNetDev, {"esw0r1", "esw0r2", "gone"}, r).ok());
    ASSERT_EQ(r.size(), 2u);  // "gone" is not there: left out
    EXPECT_EQ(r[0].port, "esw0r1");
    EXPECT_EQ(r[0].rx_dropped, 17u);
    EXPECT_EQ(r[0].tx_dropped, 4u);
    EXPECT_EQ(r[1].port, "esw0r2");  // no space after the colon
    EXPECT_EQ(r[1].rx_dropped, 4u);
    EXPECT_EQ(r[1].tx_dropped, 12u);
}

TEST(PortDrops, MalformedLineOfAWantedPortIsAnErrorNamingIt) {
    std::vector<PortDropReading> r;
    const auto st = parse_proc_net_dev("h1\nh2\n  rep0: 1 2 x 4\n  other: broken\n", {"rep0"}, r);
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.reason.find("line 3 for rep0"), std::string::npos) << st.reason;
    // A broken line of a port nobody asked for does not matter.
    EXPECT_TRUE(parse_proc_net_dev("h1\nh2\n  other: broken\n", {"rep0"}, r).ok());
}

TEST(PortDrops, ThisNamespacesLoopbackIsReadable) {
    std::vector<PortDropReading> r;
    ASSERT_TRUE(read_port_drops({"lo"}, r).ok());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].port, "lo");
}

TEST(PortDropTotals, OnlyGoUpAcrossCounterRestarts) {
    PortDropTotals t;
    t.add({"rep0", 10, 2}, {"nic0", "web"});
    EXPECT_EQ(t.totals().at("rep0").rx, 10u);  // drops since the device was made count
    t.add({"rep0", 25, 2}, {"nic0", "web"});
    EXPECT_EQ(t.totals().at("rep0").rx, 25u);
    t.add({"rep0", 4, 0}, {"nic0", "web"});  // re-made: counters restarted
    EXPECT_EQ(t.totals().at("rep0").rx, 29u);
    EXPECT_EQ(t.totals().at("rep0").tx, 2u);
    EXPECT_EQ(t.totals().at("rep0").labels.workload, "web");
}

}  // namespace
}  // namespace snoc::monitor
