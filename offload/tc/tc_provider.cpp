#include "offload/tc/tc_provider.h"

#include <cstdio>

#include "offload/tc/action_lowering.h"
#include "offload/tc/action_writer.h"
#include "offload/tc/tc_backend.h"
#include "offload/tc/tc_command.h"

namespace snoc::offload::tc {
namespace {

std::map<uint32_t, tc::MeterRate> tc_meters(const std::map<uint32_t, offload::MeterRate>& in) {
    std::map<uint32_t, tc::MeterRate> out;
    for (const auto& [id, m] : in) out[id] = {m.rate_kbps, m.burst_kb};
    return out;
}

// OVS reads a filter's action cookie as the ufid and prints its first 32-bit
// word in host order: the mark "snoc" (73 6e 6f 63) leads as "636f6e73" on
// little-endian hosts (x86-64, arm64), "736e6f63" on big-endian ones.
std::vector<std::string> cookie_marks() {
    std::string as_stored, host_order;
    char buf[3];
    for (char c : kCookieMagic) {
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(c));
        as_stored += buf;
        host_order.insert(0, buf);
    }
    return {host_order, as_stored};
}

Rendering render(const HwRule& rule, const RenderContext& ctx) {
    TranslateContext t;
    t.meters = tc_meters(ctx.meters);
    const std::string skip = rule.residency == Residency::HardwareOnly   ? " (skip_sw)"
                             : rule.residency == Residency::SoftwareOnly ? " (skip_hw)"
                                                                         : "";
    return {"tc-flower rule on " + rule.port + " ingress" + skip, tc_command(to_tc_rule(rule), t)};
}

// A flower filter holds at most TCA_ACT_MAX_PRIO actions; one canonical
// action may need several (set_field: pedit + csum; an encap: tunnel_key +
// mirred), so count them as the encoder will write them.
std::optional<Reason> check(const HwRule& rule, const RenderContext& ctx) {
    TranslateContext t;
    t.meters = tc_meters(ctx.meters);
    const size_t n = lower_actions(to_tc_rule(rule), t).size();
    if (n <= kMaxActions) return std::nullopt;
    return Reason{ReasonCode::TooManyActions, "actions",
                  "a tc filter holds at most " + std::to_string(kMaxActions) + " actions (TCA_ACT_MAX_PRIO); this rule needs " +
                      std::to_string(n)};
}

Status open(const OpenContext& ctx, std::unique_ptr<OffloadBackend>& out) {
    std::unique_ptr<TcBackend> b;
    const Status st = TcBackend::open(b, tc_meters(ctx.meters));
    if (st.ok()) out = std::move(b);
    return st;
}

}  // namespace

BackendProvider tc_provider() {
    return {.kind = Backend::TcFlower,
            .opening = Opening::Shared,
            .bytes = ByteCounting::FromNetworkHeader,
            .dump_marks = cookie_marks(),
            .open = open,
            .check = check,
            .render = render};
}

}  // namespace snoc::offload::tc
