#include "offload/tc/flower_actions.h"

#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <netlink/attr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "netlink/attr_policy.h"
#include "netlink/attr_struct.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/action_lowering.h"
#include "offload/tc/action_writer.h"

namespace snoc::offload::tc {
namespace {

constexpr uint32_t kUserHz = 100;  // tcf_t times are clock_t

// Every action of the list is a nest at its position, 1 .. kMaxActions.
const netlink::AttrPolicy& action_list_policy() {
    static const netlink::AttrPolicy policy = [] {
        std::vector<netlink::AttrRule> rules;
        for (size_t i = 1; i <= kMaxActions; ++i) rules.push_back(netlink::nested_attr(static_cast<int>(i), "action"));
        return netlink::AttrPolicy("tc action list", rules);
    }();
    return policy;
}

const netlink::AttrPolicy kActionPolicy{"tc action",
                                        {
                                            netlink::string_attr(SNOC_NLA(TCA_ACT_KIND)),
                                            netlink::nested_attr(SNOC_NLA(TCA_ACT_OPTIONS)),
                                            netlink::bytes_attr(SNOC_NLA(TCA_ACT_COOKIE), 0),
                                            netlink::nested_attr(SNOC_NLA(TCA_ACT_STATS)),
                                        }};

const netlink::AttrPolicy kStatsPolicy{
    "tc action stats",
    {
        netlink::struct_attr<gnet_stats_basic>(SNOC_NLA(TCA_STATS_BASIC)),
        netlink::struct_attr<gnet_stats_basic>(SNOC_NLA(TCA_STATS_BASIC_HW)),
        netlink::u64_attr(SNOC_NLA(TCA_STATS_PKT64)),
    }};

// The options of a kind snoc does not install: read only to say so.
const netlink::AttrPolicy kForeignOptions{"tc action options", {}};

void read_stats(nlattr* stats, DecodedActions& out) {
    nlattr* tb[TCA_STATS_MAX + 1] = {};
    if (!netlink::parse_nested(tb, kStatsPolicy, stats).ok()) return;
    auto basic = [](nlattr* a, Counters& c) {
        if (auto b = netlink::attr_struct<gnet_stats_basic>(a)) {
            c.bytes = b->bytes;
            c.packets = b->packets;
        }
    };
    basic(tb[TCA_STATS_BASIC], out.total);
    basic(tb[TCA_STATS_BASIC_HW], out.hw);
    if (tb[TCA_STATS_PKT64]) out.total.packets = nla_get_u64(tb[TCA_STATS_PKT64]);
}

void read_tm(nlattr* tm_attr, DecodedActions& out) {
    if (auto tm = netlink::attr_struct<tcf_t>(tm_attr)) out.last_used_ms = tm->lastuse * (1000 / kUserHz);
}

// The owner cookie in a TCA_ACT_COOKIE attribute, when it carries snoc's magic.
std::optional<uint64_t> cookie_of(const nlattr* attr) {
    if (!attr || nla_len(attr) != static_cast<int>(kActionCookieSize) ||
        std::memcmp(nla_data(attr), kCookieMagic, 4) != 0) {
        return std::nullopt;
    }
    const auto* b = static_cast<const uint8_t*>(nla_data(attr));
    uint64_t c = 0;
    for (int k = 0; k < 8; ++k) c = (c << 8) | b[4 + k];
    return c;
}

}  // namespace

std::vector<flow::Action> tc_normal_form(const std::vector<flow::Action>& in) {
    std::vector<flow::Action> out;
    if (in.empty()) return {flow::Drop{}};
    for (size_t i = 0; i < in.size(); ++i) {
        const flow::Action& a = in[i];
        if (is_pedit_action(a)) {
            // One pedit: its rewrites come back in field order, dec_ttl last.
            size_t end = i;
            while (end < in.size() && is_pedit_action(in[end])) ++end;
            std::vector<flow::Action> run(in.begin() + static_cast<std::ptrdiff_t>(i), in.begin() + static_cast<std::ptrdiff_t>(end));
            std::stable_sort(run.begin(), run.end(), [](const flow::Action& x, const flow::Action& y) {
                auto rank = [](const flow::Action& act) {
                    const auto* sf = std::get_if<flow::SetField>(&act);
                    return sf ? static_cast<int>(sf->field) : 1000;
                };
                return rank(x) < rank(y);
            });
            out.insert(out.end(), run.begin(), run.end());
            i = end - 1;
            continue;
        }
        if (const auto* g = std::get_if<flow::GotoTable>(&a); g && !out.empty()) {
            if (auto* c = std::get_if<flow::Ct>(&out.back()); c && !c->table) {
                c->table = g->table;
                continue;
            }
        }
        if (const auto* p = std::get_if<flow::SetVlanPcp>(&a); p && p->pcp == 0 && !out.empty() &&
            (std::holds_alternative<flow::SetVlanVid>(out.back()))) {
            continue;
        }
        out.push_back(a);
        if (std::holds_alternative<flow::PushVlan>(a) &&
            (i + 1 >= in.size() || !std::holds_alternative<flow::SetVlanVid>(in[i + 1]))) {
            out.push_back(flow::SetVlanVid{0});
        }
    }
    return out;
}

Status encode_actions(nl_msg* msg, const TcRule& rule, const TranslateContext& ctx) {
    nlattr* nest = nla_nest_start(msg, TCA_FLOWER_ACT);
    if (!nest) return Status::failure(EMSGSIZE, "netlink message full");
    ActionWriter w(msg, rule.cookie);
    for (const TcAction& a : lower_actions(rule, ctx)) {
        if (!a.kind) return std::get<NoTcForm>(a.params).why;
        if (auto s = w.begin(a.kind->kind); !s.ok()) return s;
        if (auto s = a.kind->encode(a, w, ctx); !s.ok()) return s;
        w.end();
    }
    nla_nest_end(msg, nest);
    return Status::success();
}

std::optional<uint64_t> owner_cookie(nlattr* act_nest) {
    nlattr* acts[kMaxActions + 1] = {};
    if (!act_nest || !netlink::parse_nested(acts, action_list_policy(), act_nest).ok()) return std::nullopt;
    for (size_t i = 1; i <= kMaxActions; ++i) {
        if (!acts[i]) continue;
        nlattr* tb[TCA_ACT_MAX + 1] = {};
        if (!netlink::parse_nested(tb, kActionPolicy, acts[i]).ok()) return std::nullopt;
        return cookie_of(tb[TCA_ACT_COOKIE]);  // only the first action carries it
    }
    return std::nullopt;
}

Status decode_actions(nlattr* act_nest, const TranslateContext& ctx, DecodedActions& out) {
    nlattr* acts[kMaxActions + 1] = {};
    if (auto s = netlink::parse_nested(acts, action_list_policy(), act_nest); !s.ok()) return s;
    ActionDecodeState st{out.actions, std::nullopt};
    bool seen_first = false;
    for (size_t i = 1; i <= kMaxActions; ++i) {
        if (!acts[i]) continue;
        nlattr* tb[TCA_ACT_MAX + 1] = {};
        if (auto s = netlink::parse_nested(tb, kActionPolicy, acts[i]); !s.ok()) {
            s.reason = "action " + std::to_string(i) + ": " + s.reason;
            return s;
        }
        if (!tb[TCA_ACT_KIND]) return Status::failure(EINVAL, "malformed action " + std::to_string(i));
        const std::string kind = nla_get_string(tb[TCA_ACT_KIND]);
        const bool first = !seen_first;
        seen_first = true;
        if (first) out.cookie = cookie_of(tb[TCA_ACT_COOKIE]);
        if (first && tb[TCA_ACT_STATS]) read_stats(tb[TCA_ACT_STATS], out);
        const ActionKind* k = find_action_kind(kind);
        nlattr* opt[kMaxOptionAttrs] = {};
        if (tb[TCA_ACT_OPTIONS]) {
            if (auto s = netlink::parse_nested(opt, k ? k->options : kForeignOptions, tb[TCA_ACT_OPTIONS]); !s.ok()) {
                return s;
            }
        }
        if (!k) return Status::failure(EOPNOTSUPP, "tc action '" + kind + "' is not one snoc installs");
        if (first) read_tm(opt[k->tm_attr], out);
        if (auto s = k->decode(opt, ctx, st); !s.ok()) return s;
    }
    if (st.pending_encap) return Status::failure(EINVAL, "tunnel_key set without an output");
    return Status::success();
}

}  // namespace snoc::offload::tc
