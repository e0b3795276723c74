// Every rule snoc renders in testpmd syntax is fed to a real dpdk-testpmd
// (`flow validate`, on a net_null port, no hugepages). testpmd's parser
// answers "Bad arguments" to anything it cannot parse; a parsed rule reaches
// the PMD, and net_null, which has no rte_flow, answers "Caught PMD error".
// So: every rendered line must reach the PMD, and the planted bad line must
// not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "offload/rte_flow/rte_testpmd.h"
#include "offload/rte_flow/rte_translate.h"
#include "rte_policy.h"

namespace snoc::offload::rte {
namespace {

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

TranslateContext context(Mode mode) {
    TranslateContext c;
    c.mode = mode;
    c.rx_queues = 2;
    c.mark = mode == Mode::Ingress;
    c.port_id_of = [](const std::string& n) -> std::optional<uint16_t> {
        if (n == "p0" || n == "vxlan0") return uint16_t{0};
        return std::nullopt;
    };
    c.tunnel_of = [](const std::string& n) -> std::optional<flow::TunnelType> {
        if (n == "vxlan0") return flow::TunnelType::Vxlan;
        return std::nullopt;
    };
    c.encap_macs = [](const std::array<uint8_t, 4>&) {
        return std::optional<std::pair<std::array<uint8_t, 6>, std::array<uint8_t, 6>>>({{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}});
    };
    return c;
}

TEST(TestpmdSyntax, EveryRenderedRuleParsesInARealTestpmd) {
    if (geteuid() != 0) GTEST_SKIP() << "dpdk-testpmd needs root here";
    if (std::system("command -v dpdk-testpmd >/dev/null 2>&1") != 0) GTEST_SKIP() << "dpdk-testpmd not installed (dpdk-dev)";

    const std::vector<std::pair<Mode, std::string>> policies = {
        {Mode::Transfer, "priority=200,tcp,nw_dst=10.0.0.0/24,tp_dst=80 actions=output:p0"},
        {Mode::Transfer, "udp,nw_src=192.168.1.7,tp_src=5000 actions=drop"},
        {Mode::Transfer, "dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,arp actions=output:p0"},
        {Mode::Transfer, "dl_vlan=100,dl_vlan_pcp=3,ip actions=pop_vlan,output:p0"},
        // testpmd reads at most 512 characters a line: long action lists are split over rules here.
        {Mode::Transfer, "tcp,nw_dst=10.0.0.2,tcp_flags=+syn-ack actions=mod_dl_src:02:00:00:00:00:aa,mod_dl_dst:02:00:00:00:00:bb,"
                         "mod_nw_src:10.0.0.1,mod_nw_dst:10.0.0.9,output:p0"},
        {Mode::Transfer, "tcp actions=mod_tp_src:1000,mod_tp_dst:8080,mod_nw_ttl:9,dec_ttl,output:p0"},
        {Mode::Transfer, "ip actions=push_vlan:0x8100,mod_vlan_vid:7,mod_vlan_pcp:2,meter:4,mod_nw_tos:8,output:p0"},
        {Mode::Transfer, "icmp6,ipv6_dst=fd00::1,icmp_type=128,nw_tos=32 actions=mod_nw_tos:64,output:p0"},
        {Mode::Transfer, "ipv6,ipv6_src=fd00::/64,nw_ttl=2 actions=set_field:fd00::9->ipv6_dst,output:p0"},
        {Mode::Transfer, "icmp,icmp_type=8,icmp_code=0,nw_ecn=1 actions=output:p0"},
        {Mode::Transfer, "table=2,priority=10,ip actions=goto_table:5"},
        {Mode::Ingress, "udp,tp_dst=4791 actions=set_queue:1,output:p0"},
        {Mode::Ingress, "ip actions=output:p0"},
    };
    std::vector<std::string> commands;
    for (const auto& [mode, policy] : policies) {
        HwRule r;
        ASSERT_TRUE(test::policy_rule(commands.size() + 1, "p0", policy, r)) << policy;
        Rule out;
        const Status s = translate(r, 1, context(mode), out);
        ASSERT_TRUE(s.ok()) << policy << ": " << s.reason;
        commands.push_back(render_testpmd(out, "validate"));
    }
    // Tunnels: decap on the tunnel port, encap towards it.
    HwRule decap;
    ASSERT_TRUE(test::policy_rule(90, "vxlan0", "tun_id=100,tun_src=198.51.100.7,ip actions=output:p0", decap));
    decap.flow.actions.insert(decap.flow.actions.begin(), flow::TunnelDecap{});
    HwRule encap;
    ASSERT_TRUE(test::policy_rule(91, "p0", "ip actions=drop", encap));
    flow::TunnelEncap e;
    e.id = 42, e.src = {192, 0, 2, 1}, e.dst = {198, 51, 100, 7}, e.port = "vxlan0";
    encap.flow.actions = {e};
    for (const HwRule* r : {&decap, &encap}) {
        Rule out;
        const Status s = translate(*r, 0, context(Mode::Transfer), out);
        ASSERT_TRUE(s.ok()) << s.reason;
        commands.push_back(render_testpmd(out, "validate"));
    }
    const size_t rules = commands.size();
    commands.push_back("flow validate 0 ingress pattern eth / end actions no_such_action / end");  // must not parse

    const auto dir = std::filesystem::temp_directory_path() / ("snoc-testpmd-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const auto script = dir / "commands";
    {
        std::ofstream f(script);
        for (const auto& c : commands) f << c << "\n";
        f << "quit\n";
    }
    const std::string out = test::command_output(
        "timeout 120 dpdk-testpmd --lcores=0@0,1@0 --no-huge -m 256 --no-pci --vdev net_null0 --file-prefix snoc-tp-" +
        std::to_string(getpid()) + " --log-level=lib.eal:error -- -i --total-num-mbufs=2048 < " + script.string());
    std::filesystem::remove_all(dir);
    ASSERT_NE(out.find("testpmd>"), std::string::npos) << "testpmd did not start:\n" << out;
    EXPECT_EQ(count_of(out, "Bad arguments"), 1u) << "a rendered rule did not parse:\n" << out;
    EXPECT_EQ(count_of(out, "Caught PMD error"), rules) << out;
}

}  // namespace
}  // namespace snoc::offload::rte
