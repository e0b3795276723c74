// EswTable's tuple-space bookkeeping and update order, against a fake map
// layer that records every map operation (no kernel needed).
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "offload/emulated/esw_table.h"

namespace snoc::offload::emulated {
namespace {

class FakeMaps final : public EswMaps {
public:
    Status set_mask(uint32_t slot, const esw_mask& m) override {
        log.push_back((m.in_use ? "mask+ " : "mask- ") + std::to_string(slot));
        return Status::success();
    }
    Status set_mask_limit(uint32_t limit) override {
        log.push_back("limit " + std::to_string(limit));
        return Status::success();
    }
    Status put_rule(const esw_rule_key& k, const esw_rule& v) override {
        if (full) return Status::failure(E2BIG, "the rule map has no free entry");
        log.push_back("put m" + std::to_string(k.mask_id) + " cookie " + std::to_string(v.cookie));
        entries[k.mask_id]++;
        return Status::success();
    }
    Status delete_rule(const esw_rule_key& k) override {
        log.push_back("del m" + std::to_string(k.mask_id));
        return Status::success();
    }
    Status reset_counter(uint32_t id) override {
        log.push_back("reset " + std::to_string(id));
        return Status::success();
    }
    Status read_counter(uint32_t, EswCounters& out) override {
        out = EswCounters{};
        return Status::success();
    }
    std::vector<std::string> log;
    std::map<uint32_t, int> entries;
    bool full = false;
};

// A rule matching UDP port `port` under a mask of `mask_bits` leading bits of tp_dst.
EswEntry entry(uint64_t cookie, uint32_t prio, uint16_t port, uint16_t mask = 0xffff) {
    EswEntry e;
    e.cookie = cookie;
    e.priority = prio;
    e.mask.tp_dst = mask;
    e.key.tp_dst = static_cast<uint16_t>(port & mask);
    e.action.action = ESW_ACT_DROP;
    return e;
}

TEST(EswTable, InsertWritesTheEntryBeforePublishingItsMask) {
    FakeMaps maps;
    EswTable t(maps, 8);
    ASSERT_TRUE(t.insert(entry(1, 10, 80)).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 0", "put m0 cookie 1", "mask+ 0", "limit 1"}));
    maps.log.clear();
    // A second rule under the same mask: no mask update at all.
    ASSERT_TRUE(t.insert(entry(2, 10, 443)).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 1", "put m0 cookie 2"}));
    EXPECT_EQ(t.masks_in_use(), 1u);
}

TEST(EswTable, DeleteUnpublishesTheMaskBeforeItsLastEntry) {
    FakeMaps maps;
    EswTable t(maps, 8);
    ASSERT_TRUE(t.insert(entry(1, 10, 80)).ok());
    ASSERT_TRUE(t.insert(entry(2, 10, 443)).ok());
    maps.log.clear();
    ASSERT_TRUE(t.remove(1).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"del m0"}));
    maps.log.clear();
    ASSERT_TRUE(t.remove(2).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"limit 0", "mask- 0", "del m0"}));
    EXPECT_EQ(t.masks_in_use(), 0u);
    EXPECT_EQ(t.remove(2).error, ENOENT);
}

TEST(EswTable, ShadowedRuleIsPromotedInOneUpdate) {
    FakeMaps maps;
    EswTable t(maps, 8);
    ASSERT_TRUE(t.insert(entry(1, 200, 80)).ok());
    maps.log.clear();
    ASSERT_TRUE(t.insert(entry(2, 100, 80)).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 1"})) << "a shadowed rule does not touch the map";
    EXPECT_TRUE(t.installed(1));
    EXPECT_FALSE(t.installed(2));
    maps.log.clear();
    ASSERT_TRUE(t.remove(1).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"put m0 cookie 2"}));
    EXPECT_TRUE(t.installed(2));
    // A higher-priority newcomer takes the entry over.
    maps.log.clear();
    ASSERT_TRUE(t.insert(entry(3, 300, 80)).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 0", "put m0 cookie 3"}));
    EXPECT_FALSE(t.installed(2));
}

TEST(EswTable, SameMatchAndPriorityIsRefused) {
    FakeMaps maps;
    EswTable t(maps, 8);
    ASSERT_TRUE(t.insert(entry(1, 100, 80)).ok());
    const Status s = t.insert(entry(2, 100, 80));
    EXPECT_EQ(s.error, EEXIST);
    EXPECT_NE(s.reason.find("same match and priority"), std::string::npos) << s.reason;
    EXPECT_EQ(t.insert(entry(1, 50, 81)).error, EEXIST) << "duplicate cookie";
    EXPECT_EQ(t.size(), 1u);
}

TEST(EswTable, FullTableIsE2bigAndFreedSlotsAreReused) {
    FakeMaps maps;
    EswTable t(maps, 2);
    ASSERT_TRUE(t.insert(entry(1, 10, 1)).ok());
    ASSERT_TRUE(t.insert(entry(2, 10, 2)).ok());
    const Status s = t.insert(entry(3, 10, 3));
    EXPECT_EQ(s.error, E2BIG);
    EXPECT_NE(s.reason.find("NIC table full"), std::string::npos) << s.reason;
    ASSERT_TRUE(t.remove(1).ok());
    maps.log.clear();
    ASSERT_TRUE(t.insert(entry(3, 10, 3)).ok());
    EXPECT_EQ(maps.log.front(), "reset 0") << "the freed counter slot is zeroed before reuse";
}

TEST(EswTable, KernelMapFullIsReportedAsTableFull) {
    FakeMaps maps;
    EswTable t(maps, 8);
    maps.full = true;
    const Status s = t.insert(entry(1, 10, 1));
    EXPECT_EQ(s.error, E2BIG);
    EXPECT_NE(s.reason.find("NIC table full"), std::string::npos) << s.reason;
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.masks_in_use(), 0u) << "nothing half-installed stays behind";
}

TEST(EswTable, SeventeenthMaskIsRefused) {
    FakeMaps maps;
    EswTable t(maps, 64);
    for (uint16_t i = 0; i < ESW_MAX_MASKS; ++i) {
        ASSERT_TRUE(t.insert(entry(i + 1, 10, 0xffff, static_cast<uint16_t>(0xffff << i))).ok()) << i;
    }
    const Status s = t.insert(entry(99, 10, 0xffff, 0x0001));
    EXPECT_EQ(s.error, ENOSPC);
    EXPECT_NE(s.reason.find("16 distinct masks"), std::string::npos) << s.reason;
    // The search limit follows the highest live slot.
    maps.log.clear();
    ASSERT_TRUE(t.remove(ESW_MAX_MASKS).ok());
    EXPECT_EQ(maps.log.front(), "limit 15");
}

}  // namespace
}  // namespace snoc::offload::emulated
