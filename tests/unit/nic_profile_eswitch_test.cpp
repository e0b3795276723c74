// The `eswitch` key of NIC profiles: inline / encap mode and optional, what
// the shipped profiles say, and errors with their positions.
#include <gtest/gtest.h>

#include "controller/profile_loader.h"
#include "test_support.h"

namespace snoc {
namespace {

std::string profile_with(const std::string& eswitch) {
    return "name: mine\nvendor: me\nmodel: m\nmax_vfs: 2\neswitch_modes: [switchdev]\n" + eswitch +
           "backends:\n  tc-flower: {match: {eth_dst: exact}, actions: [drop]}\n";
}

TEST(ProfileEswitch, ReadsInlineEncapAndOptional) {
    Diagnostics diags;
    auto p = load_profile(profile_with("eswitch: {inline_mode: network, encap_mode: none, optional: true}\n"),
                          "nic-profiles/mine.yaml", diags);
    ASSERT_TRUE(p) << diags.error_count();
    EXPECT_EQ(p->eswitch.inline_mode, offload::InlineMode::Network);
    EXPECT_EQ(p->eswitch.encap_mode, offload::EncapMode::None);
    EXPECT_TRUE(p->eswitch.optional);
    auto bare = load_profile(profile_with(""), "nic-profiles/mine.yaml", diags);
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->eswitch.inline_mode) << "absent: the driver's value is left alone";
    EXPECT_FALSE(bare->eswitch.encap_mode);
    EXPECT_FALSE(bare->eswitch.optional);
}

TEST(ProfileEswitch, BadValuesAreReportedWhereTheyAre) {
    Diagnostics diags;
    EXPECT_FALSE(load_profile(profile_with("eswitch: {inline_mode: deep, encap: basic}\n"), "nic-profiles/mine.yaml", diags));
    std::vector<std::string> got;
    for (const auto& d : diags.all()) got.push_back(format(d));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], "nic-profiles/mine.yaml:6:24: error: eswitch.inline_mode: expected one of none, link, network, "
                      "transport, got \"deep\"");
    EXPECT_NE(got[1].find("unknown key 'encap'"), std::string::npos) << got[1];
}

TEST(ProfileEswitch, ShippedProfiles) {
    Diagnostics diags;
    const ProfileMap p = load_profiles({}, diags);
    ASSERT_EQ(diags.error_count(), 0u);
    for (const char* mlx5 : {"connectx-5", "connectx-6dx", "bluefield-2", "bluefield-3"}) {
        const auto& e = p.at(mlx5).eswitch;
        EXPECT_EQ(e.encap_mode, offload::EncapMode::Basic) << mlx5;
        EXPECT_FALSE(e.inline_mode) << mlx5 << ": ConnectX-5 and later refuse any inline mode but none";
        EXPECT_FALSE(e.optional) << mlx5;
        EXPECT_TRUE(p.at(mlx5).sources.count("eswitch")) << mlx5 << " cites its source";
    }
    const auto& nsim = p.at("netdevsim").eswitch;
    EXPECT_EQ(nsim.inline_mode, offload::InlineMode::Transport);
    EXPECT_TRUE(nsim.optional);
}

}  // namespace
}  // namespace snoc
