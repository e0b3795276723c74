#include "offload/tc/action_lowering.h"

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_ct.h>
#include <linux/tc_act/tc_vlan.h>

#include <cerrno>
#include <span>

namespace snoc::offload::tc {
namespace {

TcAction gact(int action) { return {&gact_kind(), GactParams{action}}; }

TcAction no_tc_form(const std::string& why, const std::string& comment) {
    return {nullptr, NoTcForm{Status::failure(EOPNOTSUPP, why), comment}};
}

// tc's vlan action carries the id and priority itself, so the set_vlan_vid /
// set_vlan_pcp right after a push (either order, each once) or the
// set_vlan_pcp right after a set_vlan_vid belong to it; `i` moves past them.
VlanParams fold_vlan(const std::vector<flow::Action>& acts, size_t& i) {
    VlanParams v;
    if (const auto* push = std::get_if<flow::PushVlan>(&acts[i])) {
        v.v_action = TCA_VLAN_ACT_PUSH;
        v.tpid = push->tpid;
        while (i + 1 < acts.size()) {
            if (const auto* vid = std::get_if<flow::SetVlanVid>(&acts[i + 1]); vid && !v.vid) v.vid = vid->vid, ++i;
            else if (const auto* p = std::get_if<flow::SetVlanPcp>(&acts[i + 1]); p && !v.pcp) v.pcp = p->pcp, ++i;
            else break;
        }
        v.vid = v.vid.value_or(0);  // a push always names its id
        return v;
    }
    v.v_action = TCA_VLAN_ACT_MODIFY;
    v.vid = std::get<flow::SetVlanVid>(acts[i]).vid;
    if (i + 1 < acts.size()) {
        if (const auto* p = std::get_if<flow::SetVlanPcp>(&acts[i + 1])) v.pcp = p->pcp, ++i;
    }
    return v;
}

// A run of rewrites is one pedit, then csum when they made checksums stale.
void lower_pedit(const TcRule& rule, size_t& i, std::vector<TcAction>& out) {
    const auto& acts = rule.flow.actions;
    size_t end = i;
    while (end < acts.size() && is_pedit_action(acts[end])) ++end;
    PeditParams p;
    p.rewrites.assign(acts.begin() + static_cast<std::ptrdiff_t>(i), acts.begin() + static_cast<std::ptrdiff_t>(end));
    p.match = &rule.flow.match;
    p.planned = plan_pedit(p.rewrites, rule.flow.match, p.plan);
    const bool csum = p.planned.ok() && p.plan.csum_flags;
    const uint32_t flags = p.plan.csum_flags;
    out.push_back({&pedit_kind(), std::move(p)});
    if (csum) out.push_back({&csum_kind(), CsumParams{flags}});
    i = end - 1;
}

}  // namespace

std::vector<TcAction> lower_actions(const TcRule& rule, const TranslateContext& ctx) {
    std::vector<TcAction> out;
    const auto& acts = rule.flow.actions;
    if (acts.empty()) out.push_back(gact(TC_ACT_SHOT));
    for (size_t i = 0; i < acts.size(); ++i) {
        const flow::Action& a = acts[i];
        const bool last = i + 1 == acts.size();
        if (const auto* o = std::get_if<flow::Output>(&a)) {
            out.push_back({&mirred_kind(), MirredParams{o->port, last, "output port"}});
        } else if (const auto* enc = std::get_if<flow::TunnelEncap>(&a)) {
            out.push_back({&tunnel_key_kind(), TunnelKeyParams{*enc}});
            out.push_back({&mirred_kind(), MirredParams{enc->port, last, "tunnel port"}});
        } else if (std::holds_alternative<flow::TunnelDecap>(a)) {
            out.push_back({&tunnel_key_kind(), TunnelKeyParams{}});
        } else if (std::holds_alternative<flow::Drop>(a)) {
            out.push_back(gact(TC_ACT_SHOT));
        } else if (const auto* g = std::get_if<flow::GotoTable>(&a)) {
            out.push_back(gact(TC_ACT_GOTO_CHAIN | g->table));
        } else if (std::holds_alternative<flow::PushVlan>(a) || std::holds_alternative<flow::SetVlanVid>(a)) {
            out.push_back({&vlan_kind(), fold_vlan(acts, i)});
        } else if (std::holds_alternative<flow::SetVlanPcp>(a)) {
            out.push_back(no_tc_form("tc vlan modify needs a VLAN id: set mod_vlan_vid with mod_vlan_pcp",
                                     "# mod_vlan_pcp without mod_vlan_vid has no tc form"));
        } else if (std::holds_alternative<flow::PopVlan>(a)) {
            out.push_back({&vlan_kind(), VlanParams{TCA_VLAN_ACT_POP, std::nullopt, 0, std::nullopt}});
        } else if (is_pedit_action(a)) {
            lower_pedit(rule, i, out);
        } else if (const auto* m = std::get_if<flow::Meter>(&a)) {
            auto it = ctx.meters.find(m->id);
            out.push_back({&police_kind(), MeterParams{m->id, it == ctx.meters.end() ? std::nullopt
                                                                                      : std::optional(it->second)}});
        } else if (const auto* c = std::get_if<flow::Ct>(&a)) {
            out.push_back({&ct_kind(), CtParams{static_cast<uint16_t>(c->commit ? TCA_CT_ACT_COMMIT : 0), c->zone}});
            if (c->table) out.push_back(gact(TC_ACT_GOTO_CHAIN | *c->table));
        } else if (std::holds_alternative<flow::CtClear>(a)) {
            out.push_back({&ct_kind(), CtParams{TCA_CT_ACT_CLEAR, 0}});
        } else if (std::holds_alternative<flow::Normal>(a)) {
            out.push_back(no_tc_form("NORMAL is OVS's learning switch and has no tc form", "# NORMAL has no tc form"));
        }
    }
    return out;
}

}  // namespace snoc::offload::tc
