// is_snoc_rule_in_dump(): OVS's tc dump can list snoc's own flower filters,
// taking each filter's first action cookie as the flow's ufid; the poller
// skips those so a packet is not counted twice.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "controller/daemon/poller.h"
#include "offload/tc/tc_rule.h"
#include "ovs-integration/dpflow_parse.h"
#include "test_support.h"

namespace snoc::daemon {
namespace {

ovs::DpFlow with_ufid(std::optional<std::string> ufid) {
    ovs::DpFlow f;
    f.ufid = std::move(ufid);
    return f;
}

// The ufid text OVS prints for a tc filter whose first action carries
// snoc's owner mark: netdev-offload-tc copies the action cookie's bytes into
// its ovs_u128 ufid, and odp_format_ufid prints that as a UUID of four
// host-order 32-bit words (UUID_FMT / UUID_ARGS in lib/uuid.h).
std::string ufid_as_ovs_prints(uint64_t cookie) {
    uint8_t bytes[16] = {};
    std::memcpy(bytes, offload::tc::kCookieMagic, 4);
    for (int i = 0; i < 8; ++i) bytes[4 + i] = static_cast<uint8_t>(cookie >> (56 - 8 * i));
    uint32_t parts[4];
    std::memcpy(parts, bytes, sizeof parts);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%04x%08x", parts[0], parts[1] >> 16, parts[1] & 0xffff,
                  parts[2] >> 16, parts[2] & 0xffff, parts[3]);
    return buf;
}

TEST(PollerDump, FlowWithoutUfidIsNotSnocs) { EXPECT_FALSE(is_snoc_rule_in_dump(with_ufid(std::nullopt))); }

TEST(PollerDump, OvsOwnFlowsAreNotSnocs) {
    // Every ufid in real and hand-written dumps of OVS's own flows.
    for (const char* file : {"netdev-normal-m.txt", "netdev-ct-m.txt", "kernel-tc-m.txt", "kernel-skip_hw-m.txt",
                             "kernel-netdevsim-offloaded-m.txt"}) {
        const auto text = test::read_file(test::source_dir() / "tests/data/dpflows" / file);
        const auto dump = ovs::parse_dpflow_dump(text);
        size_t with = 0;
        for (const auto& f : dump.flows) {
            if (!f.ufid) continue;
            ++with;
            EXPECT_FALSE(is_snoc_rule_in_dump(f)) << file << ": " << *f.ufid;
        }
        EXPECT_GT(with, 0u) << file;
    }
}

TEST(PollerDump, CookieMagicAsBigEndianTextIsSnocs) {
    // What the function looks for: "snoc" in hex leading the ufid.
    EXPECT_TRUE(is_snoc_rule_in_dump(with_ufid("736e6f63-5c0c-0000-dead-beef00000000")));
    EXPECT_FALSE(is_snoc_rule_in_dump(with_ufid("836e6f63-5c0c-0000-dead-beef00000000")));
    EXPECT_FALSE(is_snoc_rule_in_dump(with_ufid("736e6f6")));
    EXPECT_FALSE(is_snoc_rule_in_dump(with_ufid("")));
    // Only as a prefix.
    EXPECT_FALSE(is_snoc_rule_in_dump(with_ufid("00000000-736e-6f63-0000-000000000000")));
}

// OVS prints the first ufid word in host order, so snoc's mark "snoc"
// (73 6e 6f 63) shows as "636f6e73-..." on little-endian hosts.
TEST(PollerDump, SnocCookieAsOvsPrintsItOnThisHostIsSnocs) {
    const std::string ufid = ufid_as_ovs_prints(0x5c0c00000000beefULL);
    EXPECT_TRUE(is_snoc_rule_in_dump(with_ufid(ufid))) << ufid;
}

}  // namespace
}  // namespace snoc::daemon
