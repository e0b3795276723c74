#include "offload/rte_flow/rte_provider.h"

#include "offload/rte_flow/rte_testpmd.h"
#include "offload/rte_flow/rte_translate.h"

namespace snoc::offload::rte {
namespace {

TranslateContext translate_context(const RenderContext& ctx) {
    TranslateContext t;
    t.transfer_proxy_of = [](uint16_t) -> uint16_t { return 0; };  // the PF manages the eSwitch
    t.port_id_of = [&ctx](const std::string& n) -> std::optional<uint16_t> {
        return ctx.dpdk_port_of ? ctx.dpdk_port_of(n) : std::nullopt;
    };
    t.tunnel_of = [&ctx](const std::string& n) -> std::optional<flow::TunnelType> {
        return ctx.tunnel_of ? ctx.tunnel_of(n) : std::nullopt;
    };
    return t;
}

// The represented_port item says where a transfer rule's traffic comes from.
HwRule without_in_port(HwRule rule) {
    rule.flow.match.in_port.reset();
    return rule;
}

bool uses_conntrack(const flow::Flow& f) {
    for (const auto& a : f.actions) {
        if (std::holds_alternative<flow::Ct>(a) || std::holds_alternative<flow::CtClear>(a)) return true;
    }
    return f.match.has(flow::Field::CtState) || f.match.has(flow::Field::CtZone) || f.match.has(flow::Field::CtMark);
}

std::optional<Reason> check(const HwRule& rule, const RenderContext& ctx) {
    Rule out;
    Part failed = Part::Port;
    const Status st = translate(without_in_port(rule), 0, translate_context(ctx), out, &failed);
    if (st.ok()) return std::nullopt;
    const ReasonCode code = uses_conntrack(rule.flow) ? ReasonCode::ConntrackUnsupported
                            : failed == Part::Match   ? ReasonCode::MatchUnsupported
                            : failed == Part::Action  ? ReasonCode::ActionUnsupported
                                                      : ReasonCode::UnknownPort;
    return Reason{code, "rte_flow", st.reason};
}

Rendering render(const HwRule& rule, const RenderContext& ctx) {
    Rendering r{"rte_flow transfer rule for traffic from " + rule.port, ""};
    Rule out;
    const Status st = translate(without_in_port(rule), PriorityRanks(ctx.table).rank(rule.table, rule.priority),
                                translate_context(ctx), out);
    r.command = st.ok() ? render_testpmd(out) : "# " + st.reason;
    return r;
}

}  // namespace

BackendProvider rte_flow_provider() {
    return {.kind = Backend::RteFlow,
            .opening = Opening::Elsewhere,
            .bytes = ByteCounting::WholeFrames,
            .dump_marks = {},
            .open = {},
            .check = check,
            .render = render};
}

}  // namespace snoc::offload::rte
