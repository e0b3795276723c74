// NIC profiles: every shipped profile loads cleanly and says what the docs
// say; broken profiles are reported with positions; a directory overrides.
#include <gtest/gtest.h>

#include "controller/profile_loader.h"
#include "test_support.h"

namespace snoc {
namespace {

TEST(ProfileLoader, ShipsEveryProfileTheIssueNames) {
    const auto& p = test::builtin_profiles();
    for (const char* name : {"connectx-5", "connectx-6dx", "bluefield-2", "bluefield-3", "e810", "octeon-cn10k",
                             "agilio-cx", "netdevsim", "sim"}) {
        EXPECT_TRUE(p.count(name)) << name;
    }
}

TEST(ProfileLoader, EveryBuiltinProfileIsSourcedAndConsistent) {
    for (const auto& [name, p] : test::builtin_profiles()) {
        EXPECT_FALSE(p.backends.empty()) << name;
        EXPECT_FALSE(p.sources.empty()) << name << " cites no public source";
        EXPECT_FALSE(p.eswitch_modes.empty()) << name;
        EXPECT_EQ(p.origin, "builtin:nic-profiles/" + name + ".yaml");
        for (const auto& [backend, caps] : p.backends) {
            EXPECT_FALSE(caps.actions.count(flow::ActionKind::Normal)) << name;
        }
    }
}

TEST(ProfileLoader, ReadsCapabilities) {
    const auto& sim = test::builtin_profiles().at("sim");
    EXPECT_EQ(sim.max_vfs, 64u);
    const auto* emu = sim.caps(offload::Backend::Emulated);
    ASSERT_NE(emu, nullptr);
    EXPECT_EQ(emu->max_rules, 4096u);
    EXPECT_TRUE(emu->skip_sw);
    const auto& e810 = test::builtin_profiles().at("e810");
    EXPECT_EQ(e810.mode_change, offload::ModeChangeRule::RequiresNoVfs);
    const auto& cx6 = test::builtin_profiles().at("connectx-6dx");
    EXPECT_EQ(cx6.mode_change, offload::ModeChangeRule::RequiresUnbound);
    EXPECT_FALSE(cx6.max_vfs.has_value()) << "no public figure: must stay unknown";
    EXPECT_TRUE(cx6.caps(offload::Backend::TcFlower)->conntrack);
}

TEST(ProfileLoader, ReportsEveryProblemWithItsPosition) {
    const std::string text = R"(name: other
vendor: x
model: y
max_vfs: lots
eswitch_modes: [legacy, hybrid]
backends:
  tc-flower:
    match: {eth_src: fuzzy, colour: exact}
    actions: [output, teleport, normal]
    max_rules: -1
  dpdk: {}
)";
    Diagnostics diags;
    EXPECT_FALSE(load_profile(text, "nic-profiles/mine.yaml", diags));
    std::vector<std::string> got;
    for (const auto& d : diags.all()) got.push_back(format(d));
    const std::vector<std::string> want = {
        "nic-profiles/mine.yaml:1:7: error: name: profile name 'other' must match its file name 'mine.yaml'",
        "nic-profiles/mine.yaml:4:10: error: max_vfs: expected an integer from 0 to 65535 or 'unknown', got \"lots\"",
        "nic-profiles/mine.yaml:5:25: error: eswitch_modes[1]: unknown eswitch mode 'hybrid'; expected one of: legacy, "
        "switchdev",
        "nic-profiles/mine.yaml:8:22: error: backends.tc-flower.match.eth_src: expected one of exact, prefix, "
        "arbitrary, got \"fuzzy\"",
    };
    ASSERT_GE(got.size(), want.size() + 4);
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]);
    auto has = [&](const std::string& needle) {
        return std::any_of(got.begin(), got.end(), [&](const std::string& g) { return g.find(needle) != std::string::npos; });
    };
    EXPECT_TRUE(has("unknown match field 'colour'"));
    EXPECT_TRUE(has("unknown action 'teleport'"));
    EXPECT_TRUE(has("'normal' is OVS's software switch"));
    EXPECT_TRUE(has("max_rules: expected an integer"));
    EXPECT_TRUE(has("unknown key 'dpdk'"));
}

TEST(ProfileLoader, DirectoryOverridesBuiltinByName) {
    const auto dir = std::filesystem::temp_directory_path() / "snoc-profile-test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream f(dir / "sim.yaml");
        f << "name: sim\nvendor: me\nmodel: mine\nmax_vfs: 2\neswitch_modes: [switchdev]\n"
             "backends:\n  tc-flower: {match: {eth_dst: exact}, actions: [drop]}\n";
        std::ofstream broken(dir / "broken.yaml");
        broken << "name: broken\n";
    }
    Diagnostics diags;
    const ProfileMap p = load_profiles({dir.string()}, diags);
    EXPECT_EQ(p.at("sim").vendor, "me");
    EXPECT_EQ(p.at("sim").max_vfs, 2u);
    EXPECT_FALSE(p.count("broken"));
    EXPECT_TRUE(p.count("connectx-5")) << "other built-ins stay";
    EXPECT_GE(diags.error_count(), 1u) << "the broken file is reported";
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace snoc
