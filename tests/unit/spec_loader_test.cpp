// The loader turns a valid spec into the model with the right values and
// defaults, and reports problems with their exact positions.
#include <gtest/gtest.h>

#include "controller/spec_loader.h"
#include "test_support.h"

namespace snoc {
namespace {

std::optional<spec::Spec> load(const std::string& text, Diagnostics& diags) {
    return spec::load_spec(text, "t.yaml", test::builtin_profiles(), diags);
}

TEST(SpecLoader, ReadsEverySection) {
    const std::string text = R"(nics:
  - name: nic0
    pci: "03:00.0"
    pf: enp3s0f0np0
    profile: connectx-6dx
    num_vfs: 4
    backend: rte_flow
    vfs:
      - {index: 1, mac: "02:AA:00:00:00:01", vlan: 100, qos: 5, trust: true, spoofchk: false, max_tx_rate_mbps: 1000}
ovs:
  bridge: br-x
  datapath_type: netdev
  hw_offload: false
  tc_policy: skip_hw
  other_config: {max-idle: "5000"}
  tunnels:
    - {name: vx0, type: geneve, remote_ip: flow, key: 7, dst_port: 6081}
workloads:
  - {name: web, attach: {vf: 2}, ip: [10.0.0.5/24, "2001:db8::5/64"], gateway: 10.0.0.1, mac: "02:00:00:00:00:05", vlan: 30, mtu: 9000, ifname: net0}
  - {name: side, attach: veth, netns: pod1}
meters:
  - {id: 3, rate_kbps: 5000, burst_kb: 64}
policies:
  - "priority=7,in_port=web actions=meter:3,output:nic0"
  - {name: named, rule: "in_port=side actions=drop"}
monitoring: {listen: "[::1]:9100", poll_interval: 1m}
)";
    Diagnostics diags;
    auto s = load(text, diags);
    ASSERT_TRUE(s) << (diags.all().empty() ? "" : format(diags.all()[0]));

    ASSERT_EQ(s->nics.size(), 1u);
    const auto& nic = s->nics[0];
    EXPECT_EQ(nic.pci, "0000:03:00.0");  // short form gets domain 0000
    EXPECT_EQ(nic.pf, "enp3s0f0np0");
    EXPECT_EQ(nic.num_vfs, 4);
    EXPECT_EQ(nic.backend, offload::Backend::RteFlow);
    EXPECT_EQ(nic.eswitch_mode, offload::EswitchMode::Switchdev);  // default
    EXPECT_EQ(nic.representor_prefix, "nic0");                     // default
    ASSERT_EQ(nic.vfs.size(), 1u);
    EXPECT_EQ(nic.vfs[0].index, 1);
    EXPECT_EQ(net::format_mac(*nic.vfs[0].mac), "02:aa:00:00:00:01");
    EXPECT_EQ(*nic.vfs[0].vlan, 100);
    EXPECT_EQ(*nic.vfs[0].qos, 5);
    EXPECT_TRUE(*nic.vfs[0].trust);
    EXPECT_FALSE(*nic.vfs[0].spoofchk);
    EXPECT_EQ(*nic.vfs[0].max_tx_rate_mbps, 1000u);

    EXPECT_EQ(s->ovs.bridge, "br-x");
    EXPECT_EQ(s->ovs.datapath_type, "netdev");
    EXPECT_FALSE(s->ovs.hw_offload);
    EXPECT_EQ(s->ovs.tc_policy, spec::TcPolicy::SkipHw);
    EXPECT_EQ(s->ovs.other_config.at("max-idle"), "5000");
    ASSERT_EQ(s->ovs.tunnels.size(), 1u);
    EXPECT_EQ(s->ovs.tunnels[0].type, flow::TunnelType::Geneve);
    EXPECT_FALSE(s->ovs.tunnels[0].remote_ip);
    EXPECT_EQ(*s->ovs.tunnels[0].key, 7u);
    EXPECT_EQ(s->ovs.tunnels[0].nic, "nic0");  // the only NIC

    ASSERT_EQ(s->workloads.size(), 2u);
    const auto& web = s->workloads[0];
    EXPECT_EQ(web.attach, spec::AttachKind::Vf);
    EXPECT_EQ(web.nic, "nic0");
    EXPECT_EQ(web.vf, 2);
    EXPECT_EQ(web.netns, "web");  // defaults to the name
    EXPECT_EQ(web.ifname, "net0");
    ASSERT_EQ(web.addresses.size(), 2u);
    EXPECT_EQ(net::format_prefix(web.addresses[1]), "2001:db8::5/64");
    EXPECT_EQ(*web.vlan, 30);
    EXPECT_EQ(web.mtu, 9000);
    const auto& side = s->workloads[1];
    EXPECT_EQ(side.attach, spec::AttachKind::Veth);
    EXPECT_EQ(side.netns, "pod1");
    EXPECT_EQ(side.host_ifname, "v-side");

    ASSERT_EQ(s->meters.size(), 1u);
    EXPECT_EQ(s->meters[0].burst_kb, 64u);

    ASSERT_EQ(s->policies.size(), 2u);
    EXPECT_EQ(s->policies[0].name, "rule-0");
    EXPECT_EQ(s->policies[0].flow.priority, 7);
    EXPECT_EQ(s->policies[1].name, "named");
    EXPECT_EQ(s->policies[1].flow.priority, flow::kDefaultPriority);

    EXPECT_EQ(s->monitoring.listen, "[::1]:9100");
    EXPECT_EQ(s->monitoring.poll_interval, std::chrono::minutes(1));
}

TEST(SpecLoader, PointsIntoPlainAndQuotedRules) {
    // The error column is the offending token inside the rule, for both scalar styles.
    const std::string text = "workloads: [{name: w, attach: veth}]\n"
                             "policies:\n"
                             "  - in_port=w,nw_dst=1.2.3.4 actions=drop\n"
                             "  - \"in_port=w,nw_dst=1.2.3.4 actions=drop\"\n";
    Diagnostics diags;
    EXPECT_FALSE(load(text, diags));
    ASSERT_EQ(diags.error_count(), 2u);
    EXPECT_EQ(diags.all()[0].location.line, 3);
    EXPECT_EQ(diags.all()[0].location.column, 15);  // "nw_dst" after "  - in_port=w,"
    EXPECT_EQ(diags.all()[1].location.line, 4);
    EXPECT_EQ(diags.all()[1].location.column, 16);  // one more for the quote
}

TEST(SpecLoader, ReportsEveryErrorNotJustTheFirst) {
    const std::string text = "ovs: {bridge: [x], tc_policy: sometimes, hw_offload: 3}\n"
                             "monitoring: {listen: nowhere, poll_interval: forever}\n";
    Diagnostics diags;
    EXPECT_FALSE(load(text, diags));
    EXPECT_EQ(diags.error_count(), 5u);
}

TEST(SpecLoader, WarningsDoNotRejectTheSpec) {
    const std::string text = "nics: [{name: n, pf: eth9, profile: sim, num_vfs: 2, vfs: [{index: 0, vlan: 5}]}]\n";
    Diagnostics diags;
    auto s = load(text, diags);
    ASSERT_TRUE(s);
    EXPECT_EQ(diags.error_count(), 0u);
    EXPECT_EQ(diags.warning_count(), 1u);
}

TEST(SpecLoader, MissingFileIsAnErrorNamingIt) {
    Diagnostics diags;
    EXPECT_FALSE(spec::load_spec_file("/nonexistent/snoc.yaml", test::builtin_profiles(), diags));
    ASSERT_EQ(diags.error_count(), 1u);
    EXPECT_EQ(diags.all()[0].location.file, "/nonexistent/snoc.yaml");
}

}  // namespace
}  // namespace snoc
