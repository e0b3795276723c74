// parse_meters(): an ovs-ofctl meter spec and the same meter as a real
// `ovs-ofctl -O OpenFlow13 dump-meters` prints it compare equal, so apply
// leaves an unchanged meter alone; a changed rate or burst compares unequal.
#include <gtest/gtest.h>

#include "controller/apply/applier.h"
#include "controller/apply/meters.h"
#include "test_support.h"

namespace snoc::apply {
namespace {

const std::string kSpec1 = "meter=1,kbps,burst,bands=type=drop,rate=100000,burst_size=1000";
const std::string kSpec2 = "meter=2,kbps,bands=type=drop,rate=5000";

std::string real_dump() { return test::read_file(test::source_dir() / "tests/data/ovs/dump-meters.txt"); }

std::vector<std::string> only(const std::string& spec) {
    const auto m = parse_meters(spec);
    EXPECT_EQ(m.size(), 1u) << spec;
    return m.empty() ? std::vector<std::string>{} : m.begin()->second;
}

TEST(Meters, RealDumpHasBothMeters) {
    const auto dump = parse_meters(real_dump());
    ASSERT_EQ(dump.size(), 2u);
    EXPECT_TRUE(dump.count(1));
    EXPECT_TRUE(dump.count(2));
}

TEST(Meters, SpecAndRealDumpCompareEqual) {
    const auto dump = parse_meters(real_dump());
    ASSERT_TRUE(dump.count(1));
    ASSERT_TRUE(dump.count(2));
    EXPECT_EQ(dump.at(1), only(kSpec1));
    EXPECT_EQ(dump.at(2), only(kSpec2));
    // The spec's id is the map key.
    EXPECT_EQ(parse_meters(kSpec1).begin()->first, 1u);
}

TEST(Meters, ADifferentRateOrBurstDiffers) {
    const auto dump = parse_meters(real_dump());
    ASSERT_TRUE(dump.count(1));
    EXPECT_NE(dump.at(1), only("meter=1,kbps,burst,bands=type=drop,rate=200000,burst_size=1000"));
    EXPECT_NE(dump.at(1), only("meter=1,kbps,burst,bands=type=drop,rate=100000,burst_size=2000"));
    EXPECT_NE(dump.at(1), only("meter=1,kbps,bands=type=drop,rate=100000"));            // no burst
    EXPECT_NE(dump.at(1), only("meter=1,pktps,burst,bands=type=drop,rate=100000,burst_size=1000"));
    EXPECT_NE(dump.at(2), only("meter=2,kbps,bands=type=drop,rate=50000"));
    // Rates that share digits are still different numbers.
    EXPECT_NE(only("meter=3,kbps,bands=type=drop,rate=10"), only("meter=3,kbps,bands=type=drop,rate=100"));
}

TEST(Meters, TokenOrderDoesNotMatter) {
    EXPECT_EQ(only(kSpec1), only("meter=1,burst,kbps,bands=type=drop,burst_size=1000,rate=100000"));
}

TEST(Meters, DumpOnlyWordsAreIgnored) {
    // ovs-ofctl adds "stats" when the meter counts; a spec does not say it.
    const std::string dump = "OFPST_METER_CONFIG reply (OF1.3) (xid=0x2):\n"
                             "meter=1 kbps burst stats bands=\ntype=drop rate=100000 burst_size=1000\n";
    const auto m = parse_meters(dump);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m.at(1), only(kSpec1));
}

TEST(Meters, EmptyDumpHasNoMeters) {
    EXPECT_TRUE(parse_meters("").empty());
    EXPECT_TRUE(parse_meters("OFPST_METER_CONFIG reply (OF1.3) (xid=0x2):\n").empty());
}

TEST(Meters, MultiDigitIds) {
    const auto m = parse_meters("meter=42,kbps,bands=type=drop,rate=1");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m.begin()->first, 42u);
}

TEST(Meters, SyncFailsWithoutASwitch) {
    std::vector<Change> changes;
    const auto st = sync_meters("unix:/nonexistent/snoc-test.mgmt", {kSpec1}, true, changes);
    EXPECT_FALSE(st.ok());
    EXPECT_FALSE(st.reason.empty());
    EXPECT_TRUE(changes.empty());
}

}  // namespace
}  // namespace snoc::apply
