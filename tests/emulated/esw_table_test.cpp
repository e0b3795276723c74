// EswTable's tuple-space bookkeeping and update order, against a fake map
// layer that records every map operation and keeps the maps' contents, so a
// second table can adopt them (no kernel needed).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "offload/emulated/emulated_backend.h"
#include "offload/emulated/esw_table.h"
#include "host_topology.h"

namespace snoc::offload::emulated {
namespace {

using offload::HwRule;
using offload::HwRuleState;

class FakeMaps final : public EswMaps {
public:
    Status set_mask(uint32_t slot, const esw_mask& m) override {
        log.push_back((m.in_use ? "mask+ " : "mask- ") + std::to_string(slot));
        masks[slot] = m;
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
        rules[bytes(k)] = {k, v};
        return Status::success();
    }
    Status delete_rule(const esw_rule_key& k) override {
        log.push_back("del m" + std::to_string(k.mask_id));
        rules.erase(bytes(k));
        return Status::success();
    }
    Status reset_counter(uint32_t id) override {
        log.push_back("reset " + std::to_string(id));
        counters[id] = EswCounters{};
        return Status::success();
    }
    Status read_counter(uint32_t id, EswCounters& out) override {
        out = counters[id];
        return Status::success();
    }
    Status read_all(std::array<esw_mask, ESW_MAX_MASKS>& m, std::vector<std::pair<esw_rule_key, esw_rule>>& r) override {
        m = masks;
        r.clear();
        for (const auto& [k, kv] : rules) r.push_back(kv);
        return Status::success();
    }
    static std::string bytes(const esw_rule_key& k) { return std::string(reinterpret_cast<const char*>(&k), sizeof k); }

    std::vector<std::string> log;
    std::map<uint32_t, int> entries;
    bool full = false;
    // The maps' contents.
    std::array<esw_mask, ESW_MAX_MASKS> masks{};
    std::map<std::string, std::pair<esw_rule_key, esw_rule>> rules;
    std::map<uint32_t, EswCounters> counters;
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

bool same_entry(const EswEntry& a, const EswEntry& b) {
    return a.cookie == b.cookie && a.priority == b.priority && std::memcmp(&a.key, &b.key, sizeof a.key) == 0 &&
           std::memcmp(&a.mask, &b.mask, sizeof a.mask) == 0 && std::memcmp(&a.action, &b.action, sizeof a.action) == 0;
}

EswEntry forward(uint64_t cookie, uint32_t prio, uint16_t port, uint32_t out_ifindex) {
    EswEntry e = entry(cookie, prio, port);
    e.action.action = ESW_ACT_FORWARD;
    e.action.out_ifindex = out_ifindex;
    e.action.vlan_op = ESW_VLAN_PUSH;
    e.action.vlan_proto = 0x0081;
    e.action.vlan_tci = 100;
    return e;
}

TEST(EswTableAdopt, RebuildsMasksRulesAndCountersExactly) {
    FakeMaps maps;
    EswTable first(maps, 16);
    const std::vector<EswEntry> rules = {entry(1, 10, 80), forward(2, 20, 443, 7), entry(3, 30, 0x1200, 0xff00),
                                         entry(4, 30, 0x1300, 0xff00)};
    for (const EswEntry& e : rules) ASSERT_TRUE(first.insert(e).ok()) << e.cookie;
    maps.counters[1].packets = 42;  // rule 2's slot: the packet counts survive adoption

    EswTable second(maps, 16);
    maps.log.clear();
    ASSERT_TRUE(second.adopt().ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"limit 2"})) << "adoption writes only the search limit";
    EXPECT_EQ(second.size(), rules.size());
    EXPECT_EQ(second.masks_in_use(), 2u);
    EXPECT_EQ(second.cookies(), first.cookies());
    for (const EswEntry& e : rules) {
        const EswEntry* got = second.find(e.cookie);
        ASSERT_NE(got, nullptr) << e.cookie;
        EXPECT_TRUE(same_entry(*got, *first.find(e.cookie))) << e.cookie;
        EXPECT_TRUE(second.installed(e.cookie));
    }
    EswCounters c;
    ASSERT_TRUE(second.counters(2, c).ok());
    EXPECT_EQ(c.packets, 42u) << "rule 2 still owns counter slot 1";
}

TEST(EswTableAdopt, InsertAndRemoveWorkOnTheAdoptedTable) {
    FakeMaps maps;
    {
        EswTable first(maps, 8);
        ASSERT_TRUE(first.insert(entry(1, 10, 80)).ok());
        ASSERT_TRUE(first.insert(entry(2, 10, 443)).ok());
    }
    EswTable t(maps, 8);
    ASSERT_TRUE(t.adopt().ok());
    maps.log.clear();
    // Same mask: no mask update; the next free counter slot is 2.
    ASSERT_TRUE(t.insert(entry(3, 10, 8080)).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 2", "put m0 cookie 3"}));
    EXPECT_EQ(t.insert(entry(4, 10, 80)).error, EEXIST) << "same match and priority as adopted rule 1";
    EXPECT_EQ(t.insert(entry(1, 5, 9)).error, EEXIST) << "adopted cookie";
    // A rule sharing an adopted entry's match at a lower priority is shadowed.
    ASSERT_TRUE(t.insert(entry(5, 5, 80)).ok());
    EXPECT_FALSE(t.installed(5));
    maps.log.clear();
    ASSERT_TRUE(t.remove(1).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"put m0 cookie 5"})) << "promoted over the adopted winner";
    ASSERT_TRUE(t.remove(2).ok());
    ASSERT_TRUE(t.remove(3).ok());
    maps.log.clear();
    ASSERT_TRUE(t.remove(5).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"limit 0", "mask- 0", "del m0"}));
    EXPECT_TRUE(maps.rules.empty());
    EXPECT_EQ(t.masks_in_use(), 0u);
}

TEST(EswTableAdopt, FreeCounterSlotsAreTheOnesNoAdoptedRuleOwns) {
    FakeMaps maps;
    {
        EswTable first(maps, 4);
        for (uint64_t c = 1; c <= 3; ++c) ASSERT_TRUE(first.insert(entry(c, 10, static_cast<uint16_t>(c))).ok());
        ASSERT_TRUE(first.remove(2).ok());  // frees slot 1
    }
    EswTable t(maps, 4);
    ASSERT_TRUE(t.adopt().ok());
    maps.log.clear();
    ASSERT_TRUE(t.insert(entry(10, 10, 10)).ok());
    ASSERT_TRUE(t.insert(entry(11, 10, 11)).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 1", "put m0 cookie 10", "reset 3", "put m0 cookie 11"}));
    EXPECT_EQ(t.insert(entry(12, 10, 12)).error, E2BIG);
}

TEST(EswTableAdopt, ShadowedRulesAreLost) {
    FakeMaps maps;
    EswTable first(maps, 8);
    ASSERT_TRUE(first.insert(entry(1, 200, 80)).ok());
    ASSERT_TRUE(first.insert(entry(2, 100, 80)).ok());
    EswTable second(maps, 8);
    ASSERT_TRUE(second.adopt().ok());
    EXPECT_EQ(second.size(), 1u);
    EXPECT_NE(second.find(1), nullptr);
    EXPECT_EQ(second.find(2), nullptr) << "only user space held the shadowed rule";
    // Its counter slot is free again.
    maps.log.clear();
    ASSERT_TRUE(second.insert(entry(2, 100, 80)).ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 1"}));
}

TEST(EswTableAdopt, RepairsWhatAnInterruptedUpdateLeft) {
    FakeMaps maps;
    {
        EswTable first(maps, 8);
        ASSERT_TRUE(first.insert(entry(1, 10, 80)).ok());
        ASSERT_TRUE(first.insert(entry(2, 10, 0x1200, 0xff00)).ok());
    }
    // As if the process died after writing rule 3's entry, before publishing its mask...
    esw_rule_key orphan{};
    orphan.mask_id = 5;
    orphan.key.tp_dst = 99;
    esw_rule v{};
    v.cookie = 3;
    v.rule_id = 2;
    v.action = ESW_ACT_DROP;
    maps.rules[FakeMaps::bytes(orphan)] = {orphan, v};
    // ... and mask 1's last entry was deleted without unpublishing it (not
    // snoc's order, but an empty published mask must not stay for ever).
    for (auto it = maps.rules.begin(); it != maps.rules.end(); ++it) {
        if (it->second.second.cookie == 2) {
            maps.rules.erase(it);
            break;
        }
    }
    EswTable t(maps, 8);
    maps.log.clear();
    ASSERT_TRUE(t.adopt().ok());
    EXPECT_EQ(maps.log, (std::vector<std::string>{"del m5", "mask- 1", "limit 1"}));
    EXPECT_EQ(t.cookies(), (std::vector<uint64_t>{1}));
    EXPECT_EQ(t.masks_in_use(), 1u);
}

TEST(EswTableAdopt, RefusesEntriesItCannotOwn) {
    FakeMaps maps;
    {
        EswTable first(maps, 8);
        ASSERT_TRUE(first.insert(entry(1, 10, 80)).ok());
        ASSERT_TRUE(first.insert(entry(2, 10, 81)).ok());
    }
    EswTable small(maps, 1);
    const Status s = small.adopt();
    EXPECT_EQ(s.error, ERANGE);
    EXPECT_NE(s.reason.find("beyond the table's 1 slots"), std::string::npos) << s.reason;
    EXPECT_EQ(small.size(), 0u);
    // Two entries counting into one slot.
    for (auto& [k, kv] : maps.rules) kv.second.rule_id = 0;
    EswTable t(maps, 8);
    EXPECT_EQ(t.adopt().error, EEXIST);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.masks_in_use(), 0u);
}

HwRule policy_rule(uint64_t cookie, const std::string& port, const std::string& policy) {
    HwRule r;
    EXPECT_TRUE(snoc::test::policy_rule(cookie, port, policy, r)) << policy;
    return r;
}

// The backend of the next process, over a table adopted from the maps.
TEST(EmulatedBackendAdopt, SameRulesAreUnchangedAndStaleOnesAreFoundInTheTable) {
    const EswPortMap ports = {{"rep0", 10}, {"rep1", 11}, {"rep2", 12}};
    const std::vector<std::string> all = {"rep0", "rep1", "rep2"};
    const std::vector<HwRule> rules = {
        policy_rule(1, "rep0", "priority=100,udp,tp_dst=5000 actions=output:rep1"),
        policy_rule(2, "rep1", "priority=10 actions=push_vlan:0x8100,mod_vlan_vid:7,output:rep0"),
        policy_rule(3, "rep2", "priority=50,ip,nw_dst=10.0.0.0/8 actions=NORMAL"),
        policy_rule(4, "rep0", "priority=90,udp,tp_dst=5000 actions=drop"),  // shadowed by rule 1
    };
    FakeMaps maps;
    EswTable first_table(maps, 16);
    EmulatedBackend first(first_table, ports);
    ASSERT_TRUE(first.sync(rules, all).ok());
    maps.counters[0].packets = 5;  // rule 1's slot

    EswTable table(maps, 16);
    ASSERT_TRUE(table.adopt().ok());
    EmulatedBackend next(table, ports);
    std::vector<HwRuleState> states;
    ASSERT_TRUE(next.read({"rep0"}, states).ok());
    ASSERT_EQ(states.size(), 1u) << "rule 4 was shadowed: lost on adoption";
    EXPECT_EQ(states[0].rule.cookie, 1u);
    EXPECT_EQ(states[0].rule.port, "rep0");
    EXPECT_EQ(states[0].rule.priority, 100u);
    EXPECT_EQ(states[0].packets, 5u);

    maps.log.clear();
    auto report = next.sync(rules, all);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.unchanged, 3u);
    EXPECT_EQ(report.added, 1u) << "the shadowed rule comes back";
    EXPECT_EQ(report.replaced + report.deleted, 0u);
    EXPECT_EQ(maps.log, (std::vector<std::string>{"reset 3"})) << "nothing installed is touched";
    ASSERT_TRUE(next.read({"rep0"}, states).ok());
    ASSERT_EQ(states.size(), 2u);
    EXPECT_EQ(states[0].rule, rules[0]) << "the canonical rule is known once synced";
    EXPECT_EQ(states[0].packets, 5u);

    // Stale rules are found in the table, scoped by the entry's port.
    EswTable again(maps, 16);
    ASSERT_TRUE(again.adopt().ok());
    EmulatedBackend third(again, ports);
    report = third.sync({}, {"rep1"});
    EXPECT_EQ(report.deleted, 1u);
    EXPECT_EQ(again.find(2), nullptr);
    EXPECT_NE(again.find(3), nullptr) << "rep2 was not in the sync";
    report = third.sync({rules[0]}, {"rep0", "rep2"});
    EXPECT_EQ(report.unchanged, 1u);
    EXPECT_EQ(report.deleted, 1u);
    EXPECT_EQ(again.cookies(), (std::vector<uint64_t>{1}));
}

// A port's veth pair was re-made: its NIC-side end has a new ifindex, and the
// entries on the old one match no packet and are in no sync's scope. Any sync
// of the NIC removes them, or replaces them when their rule is still wanted.
TEST(EmulatedBackendAdopt, EntriesOnAGoneIfindexAreRemovedByAnySync) {
    const std::vector<HwRule> rules = {
        policy_rule(1, "rep0", "priority=100,udp,tp_dst=5000 actions=drop"),
        policy_rule(2, "rep1", "priority=100,udp,tp_dst=5000 actions=NORMAL"),
        policy_rule(3, "rep2", "priority=100,udp,tp_dst=5000 actions=drop"),
        policy_rule(4, "rep1", "priority=50,ip actions=drop"),
    };
    FakeMaps maps;
    EswTable first_table(maps, 16);
    EmulatedBackend first(first_table, {{"rep0", 10}, {"rep1", 11}, {"rep2", 12}});
    ASSERT_TRUE(first.sync(rules, {"rep0", "rep1", "rep2"}).ok());

    // The next apply: rep1's pair was re-made (11 -> 21), the table adopted.
    EswTable table(maps, 16);
    ASSERT_TRUE(table.adopt().ok());
    EmulatedBackend next(table, {{"rep0", 10}, {"rep1", 21}, {"rep2", 12}});
    std::vector<HwRuleState> states;
    ASSERT_TRUE(next.read({"rep0", "rep1", "rep2"}, states).ok());
    EXPECT_EQ(states.size(), 2u) << "entries on ifindex 11 belong to no port";

    // A sync of rep0 alone: rule 4 (on the gone ifindex, not wanted) goes.
    auto report = next.sync({rules[0]}, {"rep0"});
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.unchanged, 1u);
    EXPECT_EQ(report.deleted, 2u) << "rules 2 and 4 were on the gone ifindex";
    EXPECT_EQ(table.cookies(), (std::vector<uint64_t>{1, 3})) << "rep2 was not in the sync and its rule is kept";

    // Wanted again on the re-made port: installed on its new ifindex.
    EswTable again(maps, 16);
    ASSERT_TRUE(again.adopt().ok());
    EmulatedBackend third(again, {{"rep0", 10}, {"rep1", 21}, {"rep2", 12}});
    report = third.sync({rules[1]}, {"rep1"});
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.added, 1u);
    ASSERT_NE(again.find(2), nullptr);
    EXPECT_EQ(again.find(2)->key.in_ifindex, 21u);
    EXPECT_NE(again.find(1), nullptr);
    EXPECT_NE(again.find(3), nullptr);
}

// A wanted rule whose entry is on the gone ifindex is replaced, not added twice.
TEST(EmulatedBackendAdopt, AWantedEntryOnAGoneIfindexIsReplaced) {
    const HwRule r = policy_rule(2, "rep1", "priority=100,udp,tp_dst=5000 actions=NORMAL");
    FakeMaps maps;
    EswTable first_table(maps, 16);
    EmulatedBackend first(first_table, {{"rep0", 10}, {"rep1", 11}});
    ASSERT_TRUE(first.sync({r}, {"rep1"}).ok());

    EswTable table(maps, 16);
    ASSERT_TRUE(table.adopt().ok());
    EmulatedBackend next(table, {{"rep0", 10}, {"rep1", 21}});
    const auto report = next.sync({r}, {"rep1"});
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.replaced, 1u);
    EXPECT_EQ(report.added + report.deleted + report.unchanged, 0u);
    ASSERT_NE(table.find(2), nullptr);
    EXPECT_EQ(table.find(2)->key.in_ifindex, 21u);
    EXPECT_EQ(table.size(), 1u);
}

}  // namespace
}  // namespace snoc::offload::emulated
