#include "controller/apply/desired_state.h"

#include "controller/port_directory.h"

namespace snoc::apply {
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

DesiredState desired_state(const spec::Spec& s, const plan::Plan& p) {
    DesiredState d;
    d.ovs = desired_ovs(p.ovs);
    d.meters = p.ovs.meters;
    auto ovs_name = [&](const std::string& n) { return spec::ovs_port_name(s, n); };

    for (const auto& w : s.workloads) {
        d.workload_of_port[ovs_name(w.name)] = w.name;
        if (w.attach == spec::AttachKind::Vf) d.nic_of_port[ovs_name(w.name)] = w.nic;
    }
    for (const auto& n : s.nics) d.nic_of_port[n.pf] = n.name;

    for (size_t i = 0; i < s.policies.size() && i < p.rules.size(); ++i) {
        const plan::RulePlan& rp = p.rules[i];
        flow::Flow of = flow::with_port_names(s.policies[i].flow, ovs_name);
        of.cookie = rp.cookie;
        d.flows.push_back(std::move(of));

        RuleInfo info{rp.name, rp.nic, rp.attach_port, "", rp.placement, rp.reasons};
        if (auto it = d.workload_of_port.find(rp.attach_port); it != d.workload_of_port.end()) info.workload = it->second;
        d.rules[rp.cookie] = info;
    }
    d.tables = p.tables;
    return d;
}

}  // namespace snoc::apply
