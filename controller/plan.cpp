#include "controller/plan.h"
#include "flow/enum_names.h"

#include <algorithm>
#include <set>

#include "controller/backend_providers.h"
#include "controller/port_directory.h"
#include "flow/policy_syntax.h"
#include "ovs-integration/openflow_render.h"
#include "sys/shell_word.h"

namespace snoc::plan {
namespace {

using offload::Placement;
using offload::Reason;
using offload::ReasonCode;

// Names in the commands steps print come from the spec (or the system):
// each is one shell word, so a pasted command never runs part of a name.
std::string q(const std::string& word) { return sys::shell_word(word); }

std::string devlink_handle(const spec::NicSpec& nic) {
    return nic.pci.empty() ? "<devlink handle of " + q(nic.pf) + ">" : q("pci/" + nic.pci);
}

std::string pf_name(const spec::NicSpec& nic) { return nic.pf.empty() ? "<pf of " + nic.pci + ">" : nic.pf; }
// The PF as a command names it.
std::string pf_word(const spec::NicSpec& nic) { return nic.pf.empty() ? pf_name(nic) : q(nic.pf); }

std::string sriov_path(const spec::NicSpec& nic) {
    return q(nic.pci.empty() ? "/sys/class/net/" + nic.pf + "/device/sriov_numvfs"
                             : "/sys/bus/pci/devices/" + nic.pci + "/sriov_numvfs");
}

class Builder {
public:
    Builder(const spec::Spec& s, const ProfileMap& profiles)
        : s_(s), profiles_(profiles), ports_(spec::build_port_directory(s)) {}

    Plan build() {
        plan_.file = s_.file;
        for (const auto& nic : s_.nics) nic_steps(nic);
        for (const auto& w : s_.workloads) workload_steps(w);
        ovs_state();
        rules();
        enforce_capacity();
        tables();
        hardware_rule_steps();
        summarize();
        return std::move(plan_);
    }

private:
    void step(Phase phase, std::string subject, std::string description, std::string command = {}) {
        plan_.steps.push_back({phase, std::move(subject), std::move(description), std::move(command)});
    }

    const offload::NicProfile* profile_of(const spec::NicSpec& nic) const {
        auto it = profiles_.find(nic.profile);
        return it == profiles_.end() ? nullptr : &it->second;
    }

    void nic_steps(const spec::NicSpec& nic) {
        const offload::NicProfile* p = profile_of(nic);
        const std::string dev = devlink_handle(nic);
        const std::string vfs = std::to_string(nic.num_vfs);
        const std::string mode(to_string(nic.eswitch_mode));
        auto set_mode = [&] {
            step(Phase::Nic, nic.name, "eswitch mode is " + mode, "devlink dev eswitch set " + dev + " mode " + mode);
        };
        auto set_vfs = [&](const std::string& count) {
            step(Phase::Nic, nic.name, count + " VFs exist", "echo " + count + " > " + sriov_path(nic));
        };
        // Drivers differ in when the eswitch mode may change; the profile says which order works.
        const auto rule = p ? p->mode_change : offload::ModeChangeRule::Any;
        if (rule == offload::ModeChangeRule::RequiresNoVfs) {
            step(Phase::Nic, nic.name, "no VFs exist while the eswitch mode changes (profile: requires_no_vfs)",
                 "echo 0 > " + sriov_path(nic));
            set_mode();
            set_vfs(vfs);
        } else if (rule == offload::ModeChangeRule::RequiresUnbound && nic.num_vfs > 0) {
            set_vfs(vfs);
            step(Phase::Nic, nic.name, "VFs are unbound from their driver while the mode changes (profile: requires_unbound)",
                 "echo <vf pci> > /sys/bus/pci/drivers/<vf driver>/unbind   # for each VF");
            set_mode();
            step(Phase::Nic, nic.name, "VFs are bound to their driver again",
                 "echo <vf pci> > /sys/bus/pci/drivers/<vf driver>/bind   # for each VF");
        } else {
            set_mode();
            set_vfs(vfs);
        }
        if (nic.hw_tc_offload) {
            step(Phase::Nic, nic.name, "hw-tc-offload is on for the PF and its representors",
                 "ethtool -K " + pf_word(nic) + " hw-tc-offload on");
        }
        if (nic.irq_affinity) {
            step(Phase::Nic, nic.name, "PF and VF queue IRQs are pinned to CPUs of the NIC's NUMA node",
                 "cat /sys/bus/pci/devices/" + (nic.pci.empty() ? std::string("<pci>") : nic.pci) +
                     "/numa_node; echo <cpus> > /proc/irq/<irq>/smp_affinity_list");
        }
        if (nic.eswitch_mode == offload::EswitchMode::Switchdev) {
            for (uint16_t i = 0; i < nic.num_vfs; ++i) {
                step(Phase::Nic, nic.name + " vf " + std::to_string(i),
                     "the representor of VF " + std::to_string(i) + " is named " + spec::representor_name(nic, i),
                     "ip link set <netdev with phys_port_name pf0vf" + std::to_string(i) + "> name " +
                         q(spec::representor_name(nic, i)));
            }
        }
        for (const spec::VfSpec& vf : nic.vfs) vf_steps(nic, vf);
    }

    void vf_steps(const spec::NicSpec& nic, const spec::VfSpec& vf) {
        const std::string subject = nic.name + " vf " + std::to_string(vf.index);
        const std::string ip_vf = "ip link set " + pf_word(nic) + " vf " + std::to_string(vf.index);
        if (vf.mac) {
            step(Phase::Nic, subject, "MAC is " + net::format_mac(*vf.mac),
                 "devlink port function set " + devlink_handle(nic) + "/<port of vf " + std::to_string(vf.index) +
                     "> hw_addr " + net::format_mac(*vf.mac));
        }
        if (vf.vlan) {
            const std::string qos = vf.qos ? " qos " + std::to_string(*vf.qos) : "";
            step(Phase::Nic, subject, "port VLAN is " + std::to_string(*vf.vlan) + qos,
                 ip_vf + " vlan " + std::to_string(*vf.vlan) + qos);
        }
        if (vf.trust) step(Phase::Nic, subject, std::string("trust is ") + (*vf.trust ? "on" : "off"),
                           ip_vf + " trust " + (*vf.trust ? "on" : "off"));
        if (vf.spoofchk) step(Phase::Nic, subject, std::string("spoof checking is ") + (*vf.spoofchk ? "on" : "off"),
                              ip_vf + " spoofchk " + (*vf.spoofchk ? "on" : "off"));
        if (vf.max_tx_rate_mbps) {
            step(Phase::Nic, subject, "TX rate is at most " + std::to_string(*vf.max_tx_rate_mbps) + " Mbit/s",
                 ip_vf + " max_tx_rate " + std::to_string(*vf.max_tx_rate_mbps));
        }
    }

    void workload_steps(const spec::WorkloadSpec& w) {
        const std::string subject = "workload " + w.name;
        const std::string ns = "ip -n " + q(w.netns) + " ";
        const std::string ifname = q(w.ifname);
        step(Phase::Workload, subject, "network namespace " + w.netns + " exists", "ip netns add " + q(w.netns));
        if (w.attach == spec::AttachKind::Vf) {
            step(Phase::Workload, subject,
                 "VF " + std::to_string(w.vf) + " of " + w.nic + " is " + w.ifname + " in namespace " + w.netns,
                 "ip link set <vf " + std::to_string(w.vf) + " netdev> netns " + q(w.netns) + " && " + ns +
                     "link set <vf netdev> name " + ifname);
        } else {
            step(Phase::Workload, subject, "veth " + w.host_ifname + " <-> " + w.ifname + " in namespace " + w.netns,
                 "ip link add " + q(w.host_ifname) + " type veth peer name " + ifname + " netns " + q(w.netns));
        }
        if (w.mac) {
            step(Phase::Workload, subject, "MAC of " + w.ifname + " is " + net::format_mac(*w.mac),
                 ns + "link set " + ifname + " address " + net::format_mac(*w.mac));
        }
        if (w.mtu != 1500) {
            step(Phase::Workload, subject, "MTU of " + w.ifname + " is " + std::to_string(w.mtu),
                 ns + "link set " + ifname + " mtu " + std::to_string(w.mtu));
        }
        for (const auto& a : w.addresses) {
            step(Phase::Workload, subject, w.ifname + " has address " + net::format_prefix(a),
                 ns + "addr add " + net::format_prefix(a) + " dev " + ifname);
        }
        step(Phase::Workload, subject, w.ifname + " is up", ns + "link set " + ifname + " up");
        if (w.gateway) {
            step(Phase::Workload, subject, "default route via " + net::format_ip(*w.gateway),
                 ns + "route add default via " + net::format_ip(*w.gateway));
        }
    }

    void ovs_state() {
        OvsState& o = plan_.ovs;
        const spec::OvsSpec& in = s_.ovs;
        o.bridge = in.bridge;
        o.datapath_type = in.datapath_type;
        o.other_config = in.other_config;
        o.other_config["hw-offload"] = in.hw_offload ? "true" : "false";
        o.other_config["tc-policy"] = std::string(to_string(in.tc_policy));
        // OVS-DPDK: a userspace bridge with rte_flow NICs attaches their
        // ports as DPDK ports, which needs DPDK initialised in ovs-vswitchd
        // (read at start-up, like hw-offload). An operator's own value wins.
        const bool ovs_dpdk = in.datapath_type == "netdev" &&
                              std::any_of(s_.nics.begin(), s_.nics.end(), [](const spec::NicSpec& n) {
                                  return n.backend == offload::Backend::RteFlow;
                              });
        if (ovs_dpdk) o.other_config.try_emplace("dpdk-init", "true");

        for (const auto& [k, v] : o.other_config) {
            step(Phase::Ovs, "Open_vSwitch", "other_config:" + k + "=" + v,
                 "ovs-vsctl set Open_vSwitch . " + q("other_config:" + k + "=" + v));
        }
        step(Phase::Ovs, "Open_vSwitch",
             "ovs-vswitchd runs with the hw-offload setting above (a change takes full effect only after a restart of "
             "ovs-vswitchd; apply reports it as pending)");
        step(Phase::Ovs, "bridge " + in.bridge, "bridge exists with datapath_type " + in.datapath_type,
             "ovs-vsctl --may-exist add-br " + q(in.bridge) + " -- set Bridge " + q(in.bridge) + " " +
                 q("datapath_type=" + in.datapath_type) + " external_ids:snoc-owner=snoc");

        // On OVS-DPDK an rte_flow NIC's uplink and representors are DPDK
        // ports (type dpdk, by PCI devargs), not kernel netdevs: OVS offloads
        // only what it receives through DPDK.
        auto as_dpdk = [&](OvsPort& p, const spec::NicSpec* nic, std::optional<uint16_t> vf) {
            if (!ovs_dpdk || !nic || nic->backend != offload::Backend::RteFlow) return;
            p.type = "dpdk";
            p.options["dpdk-devargs"] = spec::dpdk_devargs(*nic, vf);
            p.role += ", a DPDK port";
        };
        for (const auto& nic : s_.nics) {
            OvsPort p{pf_name(nic), "", "uplink of " + nic.name, std::nullopt, {}, {{"snoc-nic", nic.name}}};
            as_dpdk(p, &nic, std::nullopt);
            add_port(std::move(p));
        }
        for (const auto& w : s_.workloads) {
            OvsPort p;
            p.name = spec::ovs_port_name(s_, w.name);
            p.tag = w.vlan;
            p.external_ids["snoc-workload"] = w.name;
            if (w.attach == spec::AttachKind::Vf) {
                p.role = "representor of " + w.nic + " VF " + std::to_string(w.vf) + " (workload " + w.name + ")";
                p.external_ids["snoc-nic"] = w.nic;
                p.external_ids["snoc-vf"] = std::to_string(w.vf);
                as_dpdk(p, s_.find_nic(w.nic), w.vf);
            } else {
                p.role = "veth of workload " + w.name;
            }
            add_port(std::move(p));
        }
        for (const auto& t : in.tunnels) {
            OvsPort p;
            p.name = t.name;
            p.type = std::string(to_string(t.type));
            p.role = std::string(to_string(t.type)) + " tunnel" + (t.nic.empty() ? "" : " over " + t.nic);
            p.options["remote_ip"] = t.remote_ip ? net::format_ip(*t.remote_ip) : "flow";
            if (t.local_ip) p.options["local_ip"] = net::format_ip(*t.local_ip);
            p.options["key"] = t.key ? std::to_string(*t.key) : "flow";
            if (t.dst_port) p.options["dst_port"] = std::to_string(t.dst_port);
            add_port(std::move(p));
        }
        for (const auto& m : s_.meters) {
            std::string meter = "meter=" + std::to_string(m.id) + ",kbps" + (m.burst_kb ? ",burst" : "") +
                                ",bands=type=drop,rate=" + std::to_string(m.rate_kbps) +
                                (m.burst_kb ? ",burst_size=" + std::to_string(m.burst_kb) : "");
            step(Phase::Ovs, "meter " + std::to_string(m.id), "meter " + std::to_string(m.id) + " limits to " +
                                                                  std::to_string(m.rate_kbps) + " kbit/s",
                 "ovs-ofctl -O OpenFlow13 add-meter " + q(in.bridge) + " " + q(meter));
            o.meters.push_back(meter);
        }
    }

    void add_port(OvsPort p) {
        p.external_ids["snoc-owner"] = "snoc";
        std::string cmd = "ovs-vsctl --may-exist add-port " + q(s_.ovs.bridge) + " " + q(p.name);
        if (p.tag) cmd += " tag=" + std::to_string(*p.tag);
        cmd += " -- set Interface " + q(p.name);
        if (!p.type.empty()) cmd += " " + q("type=" + p.type);
        for (const auto& [k, v] : p.options) cmd += " " + q("options:" + k + "=" + v);
        for (const auto& [k, v] : p.external_ids) cmd += " " + q("external_ids:" + k + "=" + v);
        step(Phase::Ovs, "port " + p.name, "port " + p.name + " (" + p.role + ") is on " + s_.ovs.bridge, cmd);
        plan_.ovs.ports.push_back(std::move(p));
    }

    void rules() {
        auto ovs_port = [&](const std::string& name) { return spec::ovs_port_name(s_, name); };
        for (const spec::PolicySpec& p : s_.policies) {
            RulePlan r;
            r.name = p.name;
            r.text = p.text;
            r.canonical = flow::format_flow(p.flow);
            r.priority = p.flow.priority;
            r.cookie = ovs::policy_cookie(p.name);
            r.openflow = ovs::render_openflow(p.flow, r.cookie, ovs_port);
            plan_.ovs.flows.push_back(r.openflow);

            if (!p.lowered) {
                // Validation reports why; keep a reason if a caller skipped it.
                r.placement = Placement::Ovs;
                r.reasons.push_back({ReasonCode::UnknownPort, "tunnel",
                                     "the rule's tunnel actions could not be lowered (see snoc validate)"});
                plan_.rules.push_back(std::move(r));
                continue;
            }
            decide(r, *p.lowered);
            backend_check(r);
            plan_.rules.push_back(std::move(r));
        }
    }

    void decide(RulePlan& r, const flow::Flow& lowered) {
        const auto nic_name = offload::rule_nic(lowered, ports_);
        const spec::NicSpec* nic = nic_name ? s_.find_nic(*nic_name) : nullptr;
        const offload::NicProfile* profile = nic ? profile_of(*nic) : nullptr;
        if (lowered.match.in_port) r.attach_port = spec::ovs_port_name(s_, *lowered.match.in_port);

        if (!nic || !profile) {
            // No eSwitch behind the in_port: say why, then, when OVS uses tc,
            // whether tc software can still run it.
            const bool ovs_uses_tc = s_.ovs.hw_offload && s_.ovs.datapath_type == "system" &&
                                     s_.ovs.tc_policy != spec::TcPolicy::SkipSw;
            const auto sw = offload::check_tc_software(lowered, ports_);
            if (lowered.match.in_port) {
                const offload::PortInfo* in = offload::find_port(ports_, *lowered.match.in_port);
                if (!in || in->kind == offload::PortKind::Veth || in->kind == offload::PortKind::Local ||
                    *lowered.match.in_port == offload::kLocalPort) {
                    r.reasons.push_back({ReasonCode::PortNotOnEswitch, *lowered.match.in_port,
                                         "in_port '" + *lowered.match.in_port + "' has no NIC eSwitch behind it"});
                } else {
                    r.reasons.push_back({ReasonCode::PortNotOnEswitch, *lowered.match.in_port,
                                         "in_port '" + *lowered.match.in_port + "' has no NIC with a known profile"});
                }
            }
            const auto own = ovs_uses_tc ? sw.reasons : offload::reasons_without_eswitch(lowered);
            r.reasons.insert(r.reasons.end(), own.begin(), own.end());
            r.placement = sw.offloadable && ovs_uses_tc ? Placement::TcSoftware : Placement::Ovs;
            if (r.placement == Placement::TcSoftware) hw_rule(r, lowered, nullptr);
            return;
        }
        r.nic = nic->name;
        for (const auto& [backend, caps] : profile->backends) {
            r.verdicts.push_back(offload::check_rule(lowered, ports_, nic->name, *profile, backend));
        }
        auto chosen = std::find_if(r.verdicts.begin(), r.verdicts.end(),
                                   [&](const offload::BackendVerdict& v) { return v.backend == nic->backend; });
        if (chosen == r.verdicts.end()) {
            r.reasons.push_back({ReasonCode::BackendUnsupported, std::string(to_string(nic->backend)),
                                 "NIC profile " + profile->name + " lists no " + std::string(to_string(nic->backend)) +
                                     " offload"});
            r.placement = Placement::Ovs;
            return;
        }
        if (!chosen->offloadable) {
            r.reasons = chosen->reasons;
            r.placement = Placement::Ovs;
            return;
        }
        if (nic->backend == offload::Backend::TcFlower && s_.ovs.tc_policy == spec::TcPolicy::SkipHw) {
            r.reasons.push_back({ReasonCode::BackendUnsupported, "tc_policy",
                                 "ovs.tc_policy is skip_hw: tc rules stay in software"});
            r.placement = Placement::TcSoftware;
            hw_rule(r, lowered, caps_of(*nic));
            return;
        }
        r.placement = Placement::Hardware;
        hw_rule(r, lowered, caps_of(*nic));
    }

    // The profile (or tc software's own rules) say the rule can run; its
    // table's backend must also be able to say it (rte_flow's items, tc's
    // 32 actions). When it cannot, the rule stays in OVS with the reason.
    void backend_check(RulePlan& r) const {
        if (!r.hw) return;
        const spec::NicSpec* nic = s_.find_nic(r.nic);
        const offload::BackendProvider* provider = find_provider(nic ? nic->backend : offload::Backend::TcFlower);
        if (!provider || !provider->check) return;
        if (auto why = provider->check(*r.hw, render_context(nic))) {
            r.reasons.push_back(std::move(*why));
            r.placement = Placement::Ovs;
            r.hw.reset();
        }
    }

    const offload::BackendCaps* caps_of(const spec::NicSpec& nic) const {
        const offload::NicProfile* profile = profile_of(nic);
        return profile ? profile->caps(nic.backend) : nullptr;
    }

    // The rule as its table will hold it: on its in_port's netdev (a
    // tunnel's rule sits on OVS's tunnel device), ports in netdev names.
    // Residency: tc software when that is where the plan puts it; else
    // hardware only where the profile allows skip_sw, so a rule the NIC
    // refuses is reported as failed (OVS still forwards its traffic) instead
    // of running in tc software where nobody expects it.
    void hw_rule(RulePlan& r, const flow::Flow& lowered, const offload::BackendCaps* caps) const {
        if (!lowered.match.in_port) return;
        auto netdev = [&](const std::string& n) { return spec::netdev_name(s_, n); };
        offload::HwRule h;
        h.cookie = r.cookie;
        h.port = netdev(*lowered.match.in_port);
        h.table = lowered.table;
        h.priority = lowered.priority;
        h.flow = flow::with_port_names(lowered, netdev);
        h.flow.cookie.reset();
        h.residency = r.placement == Placement::TcSoftware ? offload::Residency::SoftwareOnly
                      : caps && caps->skip_sw               ? offload::Residency::HardwareOnly
                                                            : offload::Residency::Any;
        r.hw = std::move(h);
    }

    // A NIC's table holds max_rules rules: the highest priorities get them,
    // in spec order among equals, and the rest stay with OVS.
    void enforce_capacity() {
        std::map<std::string, std::vector<RulePlan*>> by_nic;
        for (auto& r : plan_.rules) {
            if (r.placement == Placement::Hardware) by_nic[r.nic].push_back(&r);
        }
        for (auto& [nic_name, rules] : by_nic) {
            const spec::NicSpec* nic = s_.find_nic(nic_name);
            const offload::NicProfile* profile = nic ? profile_of(*nic) : nullptr;
            const offload::BackendCaps* caps = profile ? profile->caps(nic->backend) : nullptr;
            if (!caps || !caps->max_rules) continue;
            std::stable_sort(rules.begin(), rules.end(), [](const RulePlan* a, const RulePlan* b) {
                return a->priority > b->priority;
            });
            for (size_t i = *caps->max_rules; i < rules.size(); ++i) {
                rules[i]->placement = Placement::Ovs;
                rules[i]->hw.reset();
                rules[i]->reasons.push_back(
                    {ReasonCode::TableFull, nic_name,
                     "NIC " + nic_name + " holds " + std::to_string(*caps->max_rules) + " rules (profile " +
                         profile->name + "); this is rule " + std::to_string(i + 1) + " by priority"});
            }
        }
    }

    // One table per NIC (its uplink and representors) and one for veths,
    // holding the hw form of every rule the plan puts there.
    void tables() {
        std::map<std::string, RuleTable> by_nic;
        for (const auto& n : s_.nics) {
            RuleTable& t = by_nic[n.name];
            t.nic = n.name;
            t.backend = n.backend;
            t.ports.push_back(n.pf);
        }
        for (const auto& w : s_.workloads) {
            RuleTable& t = by_nic[w.attach == spec::AttachKind::Vf ? w.nic : ""];
            if (w.attach == spec::AttachKind::Vf) t.nic = w.nic;
            t.ports.push_back(spec::ovs_port_name(s_, w.name));
        }
        for (const RulePlan& r : plan_.rules) {
            if (!r.hw) continue;
            RuleTable& t = by_nic[r.nic];
            t.ports.push_back(r.hw->port);
            t.rules.push_back(*r.hw);
        }
        for (auto& [name, t] : by_nic) {
            std::set<std::string> seen;
            std::erase_if(t.ports, [&](const std::string& port) { return !seen.insert(port).second; });
            plan_.tables.push_back(std::move(t));
        }
    }

    const RuleTable* table_of(const std::string& nic) const {
        for (const auto& t : plan_.tables) {
            if (t.nic == nic) return &t;
        }
        return nullptr;
    }

    // What a backend needs to know of this deployment to check or render a
    // rule of `nic`'s table (null: the veth table).
    offload::RenderContext render_context(const spec::NicSpec* nic) const {
        offload::RenderContext ctx;
        for (const auto& m : s_.meters) ctx.meters[m.id] = {m.rate_kbps, m.burst_kb};
        if (nic) {
            ctx.dpdk_port_of = [ids = spec::dpdk_port_ids(s_, *nic)](const std::string& n) -> std::optional<uint16_t> {
                auto it = ids.find(n);
                if (it == ids.end()) return std::nullopt;
                return it->second;
            };
        }
        ctx.tunnel_of = [this](const std::string& n) -> std::optional<flow::TunnelType> {
            for (const auto& t : s_.ovs.tunnels) {
                if (spec::netdev_name(s_, t.name) == n) return t.type;
            }
            return std::nullopt;
        };
        if (const RuleTable* t = table_of(nic ? nic->name : "")) ctx.table = t->rules;
        return ctx;
    }

    void hardware_rule_steps() {
        if (!plan_.ovs.flows.empty()) {
            step(Phase::Flows, "bridge " + s_.ovs.bridge,
                 std::to_string(plan_.ovs.flows.size()) + " policy flows with snoc's owner cookie are installed",
                 "ovs-ofctl -O OpenFlow14 --bundle add-flows " + q(s_.ovs.bridge) + " -   # flows below, on stdin");
        }
        for (const RulePlan& r : plan_.rules) {
            if (!r.hw) continue;
            const spec::NicSpec* nic = s_.find_nic(r.nic);
            const offload::Backend kind = nic ? nic->backend : offload::Backend::TcFlower;
            const offload::BackendProvider* provider = find_provider(kind);
            offload::Rendering shown{std::string(to_string(kind)) + " rule for traffic from " + r.hw->port, ""};
            if (provider && provider->render) shown = provider->render(*r.hw, render_context(nic));
            step(Phase::HardwareRules, "rule " + r.name,
                 shown.summary + (nic ? " in NIC " + r.nic : " (tc software)"), shown.command);
        }
    }

    void summarize() {
        plan_.summary.rules = plan_.rules.size();
        for (const auto& r : plan_.rules) ++plan_.summary.by_placement[r.placement];
    }

    const spec::Spec& s_;
    const ProfileMap& profiles_;
    offload::PortDirectory ports_;
    Plan plan_;
};

}  // namespace

std::string_view to_string(Phase p) {
    static constexpr std::array<std::string_view, 5> kNames{"nic", "workload", "ovs", "flows", "hardware-rules"};
    static_assert(names_cover(kNames, Phase::HardwareRules));
    return name_of(p, kNames);
}

Plan build_plan(const spec::Spec& s, const ProfileMap& profiles) { return Builder(s, profiles).build(); }

}  // namespace snoc::plan
