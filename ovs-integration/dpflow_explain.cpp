#include "ovs-integration/dpflow_explain.h"

#include <algorithm>

#include "ovs-integration/dpflow_actions.h"
#include "ovs-integration/dpflow_key.h"

namespace snoc::ovs {
namespace {

using offload::Reason;
using offload::ReasonCode;

constexpr uint32_t kOfppLocal = 0xfffe;  // OpenFlow's LOCAL port, as dpif/show numbers the bridge's own port

bool is_tunnel_type(std::string_view type) { return flow::tunnel_type_from_name(type).has_value(); }

void add(std::vector<Reason>& reasons, Reason r) {
    if (std::find(reasons.begin(), reasons.end(), r) == reasons.end()) reasons.push_back(std::move(r));
}

}  // namespace

DpFlowTranslation translate_dpflow(const DpFlow& f, const DpPortMap& ports, std::string_view datapath) {
    DpFlowTranslation t;
    t.flow.table = f.recirc_id != 0 ? 1 : 0;
    t.flow.match = f.match;
    bool from_tunnel = f.match.has(flow::Field::TunId) || f.match.has(flow::Field::TunSrc) ||
                       f.match.has(flow::Field::TunDst);
    // The bridge's own port (OpenFlow LOCAL, named like the bridge) is
    // canonical LOCAL, as in policy rules, so the check says what it is
    // rather than calling it an unknown port.
    auto is_local = [](const DpPort* p) { return p && p->ofport == kOfppLocal; };
    if (f.match.in_port) {
        const DpPort* p = ports.find(*f.match.in_port, datapath);
        t.flow.match.in_port = is_local(p)                 ? std::string(offload::kLocalPort)
                               : p && !p->name.empty() ? p->name
                                                       : *f.match.in_port;
        from_tunnel = from_tunnel || (p && is_tunnel_type(p->type));
    }
    for (const std::string& key : f.unmapped_keys) {
        add(t.untranslatable, {ReasonCode::MatchUnsupported, key, describe_unmapped_key(key, f.match)});
    }
    if (from_tunnel) t.flow.actions.push_back(flow::TunnelDecap{});
    DpActionsTranslation a = translate_dp_actions(f.actions_text, ports, datapath);
    for (flow::Action& action : a.actions) {
        if (auto* o = std::get_if<flow::Output>(&action); o && is_local(ports.find(o->port, datapath))) {
            o->port = std::string(offload::kLocalPort);
        }
        t.flow.actions.push_back(std::move(action));
    }
    for (const auto& u : a.untranslated) {
        const ReasonCode code =
            u.text.starts_with("userspace") ? ReasonCode::SoftwareOnlyAction : ReasonCode::ActionUnsupported;
        add(t.untranslatable, {code, u.text, "datapath action " + u.text + ": " + u.why});
    }
    return t;
}

std::vector<Reason> explain_not_offloaded(const DpFlow& f, const DpPortMap& ports, const OffloadContext& context,
                                          std::string_view datapath) {
    DpFlowTranslation t = translate_dpflow(f, ports, datapath);
    std::vector<Reason> reasons = std::move(t.untranslatable);
    const auto& in_port = t.flow.match.in_port;
    const auto nic = offload::rule_nic(t.flow, context.ports);
    if (!in_port) {
        add(reasons, {ReasonCode::MissingInPort, "in_port", "the datapath flow matches no in_port"});
    } else if (!nic) {
        const offload::PortInfo* p = offload::find_port(context.ports, *in_port);
        if (*in_port == offload::kLocalPort) {
            add(reasons, {ReasonCode::PortNotOnEswitch, *in_port,
                          "in_port LOCAL is the bridge's internal port (the host's own traffic), which has no NIC "
                          "eSwitch behind it"});
        } else if (!p) {
            add(reasons, {ReasonCode::UnknownPort, *in_port,
                          "in_port '" + *in_port + "' is not a port snoc manages, so it has no NIC profile"});
        } else {
            add(reasons, {ReasonCode::PortNotOnEswitch, *in_port,
                          "in_port '" + *in_port + "' is a " + std::string(offload::to_string(p->kind)) +
                              " with no NIC eSwitch behind it"});
        }
    } else if (const auto it = context.nic_profiles.find(*nic); it == context.nic_profiles.end()) {
        add(reasons, {ReasonCode::BackendUnsupported, *nic, "no NIC profile is loaded for NIC " + *nic});
    } else {
        const offload::BackendVerdict v =
            offload::check_rule(t.flow, context.ports, *nic, it->second, context.backend_of(*nic));
        for (const Reason& r : v.reasons) add(reasons, r);
    }
    if (reasons.empty() && nic && context.backend_of(*nic) == offload::Backend::Emulated) {
        add(reasons, {ReasonCode::Quirk, "eswitch-table",
                      "no rule in NIC " + *nic + "'s emulated eSwitch table covers this flow: OVS does not offload its "
                      "datapath flows to the emulated eSwitch, only snoc's policy rules run there (a policy rule for "
                      "this traffic would put it on the fast path)"});
    }
    if (reasons.empty()) {
        add(reasons, {ReasonCode::Quirk, "runtime",
                      "the NIC profile allows this flow in hardware; the driver or OVS declined it at run time "
                      "(ovs-vswitchd.log and `tc -s filter show` name the error), or other_config:hw-offload is off"});
    }
    return reasons;
}

}  // namespace snoc::ovs
