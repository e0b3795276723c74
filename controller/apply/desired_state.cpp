#include "controller/apply/desired_state.h"

#include <set>

#include "controller/port_directory.h"
#include "offload/tunnel_lowering.h"
#include "ovs-integration/openflow_render.h"

namespace snoc::apply {
namespace {

using offload::Placement;

}  // namespace

namespace {

ovs::DesiredOvs desired_ovs(const plan::OvsState& o) {
    ovs::DesiredOvs d;
    d.other_config = {o.other_config.begin(), o.other_config.end()};
    d.bridge = o.bridge;
    d.datapath_type = o.datapath_type == "system" ? "" : o.datapath_type;
    for (const auto& p : o.ports) {
        ovs::DesiredPort dp;
        dp.name = p.name;
        dp.type = p.type;
        dp.tag = p.tag;
        dp.options = {p.options.begin(), p.options.end()};
        dp.external_ids = {p.external_ids.begin(), p.external_ids.end()};
        d.ports.push_back(std::move(dp));
    }
    return d;
}

}  // namespace

std::string netdev_of(const spec::Spec& s, const std::string& policy_port) { return spec::netdev_name(s, policy_port); }

DesiredState desired_state(const spec::Spec& s, const plan::Plan& p, const ProfileMap& profiles) {
    DesiredState d;
    d.ovs = desired_ovs(p.ovs);
    d.meters = p.ovs.meters;
    const offload::PortDirectory ports = spec::build_port_directory(s);
    auto ovs_name = [&](const std::string& n) { return spec::ovs_port_name(s, n); };
    auto netdev = [&](const std::string& n) { return netdev_of(s, n); };
    auto profile_of = [&](const std::string& nic_name) -> const offload::NicProfile* {
        const spec::NicSpec* n = s.find_nic(nic_name);
        auto it = n ? profiles.find(n->profile) : profiles.end();
        return it == profiles.end() ? nullptr : &it->second;
    };

    for (const auto& w : s.workloads) {
        d.workload_of_port[ovs_name(w.name)] = w.name;
        if (w.attach == spec::AttachKind::Vf) d.nic_of_port[ovs_name(w.name)] = w.nic;
    }
    for (const auto& n : s.nics) d.nic_of_port[n.pf] = n.name;

    // One table per NIC (its uplink and representors) and one for veths.
    std::map<std::string, RuleTable> tables;
    for (const auto& n : s.nics) {
        RuleTable& t = tables[n.name];
        t.nic = n.name;
        t.backend = n.backend;
        t.ports.push_back(n.pf);
    }
    for (const auto& w : s.workloads) {
        RuleTable& t = tables[w.attach == spec::AttachKind::Vf ? w.nic : ""];
        if (w.attach == spec::AttachKind::Vf) t.nic = w.nic;
        t.ports.push_back(ovs_name(w.name));
    }

    for (size_t i = 0; i < s.policies.size() && i < p.rules.size(); ++i) {
        const spec::PolicySpec& pol = s.policies[i];
        const plan::RulePlan& rp = p.rules[i];
        flow::Flow of = flow::with_port_names(pol.flow, ovs_name);
        of.cookie = rp.cookie;
        d.flows.push_back(std::move(of));

        RuleInfo info{rp.name, rp.nic, rp.attach_port, "", rp.placement, rp.reasons};
        if (auto it = d.workload_of_port.find(rp.attach_port); it != d.workload_of_port.end()) info.workload = it->second;
        d.rules[rp.cookie] = info;

        if (rp.placement != Placement::Hardware && rp.placement != Placement::TcSoftware) continue;
        if (rp.attach_port.empty()) continue;
        auto lowered = offload::lower_tunnels(pol.flow, ports);
        if (!std::holds_alternative<flow::Flow>(lowered)) continue;
        const flow::Flow& low = std::get<flow::Flow>(lowered);
        if (!low.match.in_port) continue;
        offload::HwRule r;
        r.cookie = rp.cookie;
        r.port = netdev(*low.match.in_port);  // a tunnel's rule sits on OVS's tunnel device
        r.table = pol.flow.table;
        r.priority = pol.flow.priority;
        r.flow = flow::with_port_names(low, netdev);
        r.flow.cookie.reset();
        const spec::NicSpec* nic = s.find_nic(rp.nic);
        if (rp.placement == Placement::TcSoftware) {
            r.residency = offload::Residency::SoftwareOnly;
        } else {
            // skip_sw where the profile allows it: a rule the NIC refuses is
            // then reported as failed (OVS still forwards its traffic) instead
            // of running in tc software where nobody expects it.
            const offload::NicProfile* profile = profile_of(rp.nic);
            const offload::BackendCaps* caps = profile && nic ? profile->caps(nic->backend) : nullptr;
            r.residency = caps && caps->skip_sw ? offload::Residency::HardwareOnly : offload::Residency::Any;
        }
        RuleTable& table = tables[nic ? nic->name : ""];
        table.ports.push_back(r.port);
        table.rules.push_back(std::move(r));
    }
    for (auto& [name, t] : tables) {
        std::set<std::string> seen;
        std::vector<std::string> unique;
        for (auto& port : t.ports) {
            if (seen.insert(port).second) unique.push_back(port);
        }
        t.ports = std::move(unique);
        d.tables.push_back(std::move(t));
    }
    return d;
}

}  // namespace snoc::apply
