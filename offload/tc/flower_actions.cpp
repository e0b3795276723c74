#include "offload/tc/flower_actions.h"

#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_ct.h>
#include <linux/tc_act/tc_gact.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_tunnel_key.h>
#include <linux/tc_act/tc_vlan.h>
#include <linux/gen_stats.h>
#include <netlink/attr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "offload/tc/nl_attr.h"
#include "offload/tc/pedit.h"

namespace snoc::offload::tc {
namespace {

constexpr size_t kMaxActions = 32;  // TCA_ACT_MAX_PRIO
constexpr uint32_t kUserHz = 100;   // tcf_t times are clock_t

// Builds the nested action list, one action at a time.
class ActionWriter {
public:
    ActionWriter(nl_msg* msg, uint64_t cookie) : msg_(msg), cookie_(cookie) {}

    // Opens an action of `kind`; returns its TCA_ACT_OPTIONS nest.
    Status begin(const char* kind) {
        if (order_ >= kMaxActions) return Status::failure(E2BIG, "more than 32 tc actions");
        action_ = nla_nest_start(msg_, static_cast<int>(++order_));
        if (!action_ || nla_put_string(msg_, TCA_ACT_KIND, kind) < 0) return full();
        if (order_ == 1) {
            uint8_t mark[kActionCookieSize];
            std::memcpy(mark, kCookieMagic, 4);
            for (int i = 0; i < 8; ++i) mark[4 + i] = static_cast<uint8_t>(cookie_ >> (56 - 8 * i));
            if (nla_put(msg_, TCA_ACT_COOKIE, sizeof mark, mark) < 0) return full();
        }
        options_ = nla_nest_start(msg_, TCA_ACT_OPTIONS);
        return options_ ? Status::success() : full();
    }
    Status end() {
        nla_nest_end(msg_, options_);
        nla_nest_end(msg_, action_);
        return Status::success();
    }
    template <typename T>
    Status put(int attr, const T& v) {
        return nla_put(msg_, attr, sizeof v, &v) < 0 ? full() : Status::success();
    }
    Status put_bytes(int attr, const void* data, size_t n) {
        return nla_put(msg_, attr, static_cast<int>(n), data) < 0 ? full() : Status::success();
    }
    nl_msg* msg() { return msg_; }

private:
    static Status full() { return Status::failure(EMSGSIZE, "netlink message full"); }
    nl_msg* msg_;
    uint64_t cookie_;
    uint32_t order_ = 0;
    nlattr* action_ = nullptr;
    nlattr* options_ = nullptr;
};

#define SNOC_TRY(expr)                  \
    do {                                \
        Status snoc_s_ = (expr);        \
        if (!snoc_s_.ok()) return snoc_s_; \
    } while (0)

Status gact(ActionWriter& w, int action) {
    SNOC_TRY(w.begin("gact"));
    tc_gact p{};
    p.action = action;
    SNOC_TRY(w.put(TCA_GACT_PARMS, p));
    return w.end();
}

Status mirred(ActionWriter& w, int ifindex, bool redirect) {
    SNOC_TRY(w.begin("mirred"));
    tc_mirred p{};
    p.action = redirect ? TC_ACT_STOLEN : TC_ACT_PIPE;
    p.eaction = redirect ? TCA_EGRESS_REDIR : TCA_EGRESS_MIRROR;
    p.ifindex = static_cast<uint32_t>(ifindex);
    SNOC_TRY(w.put(TCA_MIRRED_PARMS, p));
    return w.end();
}

Status vlan(ActionWriter& w, int v_action, std::optional<uint16_t> vid, uint16_t tpid, std::optional<uint8_t> pcp) {
    SNOC_TRY(w.begin("vlan"));
    tc_vlan p{};
    p.action = TC_ACT_PIPE;
    p.v_action = v_action;
    SNOC_TRY(w.put(TCA_VLAN_PARMS, p));
    if (vid) {
        SNOC_TRY(w.put<uint16_t>(TCA_VLAN_PUSH_VLAN_ID, *vid));
        SNOC_TRY(w.put<uint16_t>(TCA_VLAN_PUSH_VLAN_PROTOCOL, htons(tpid)));
    }
    if (pcp) SNOC_TRY(w.put<uint8_t>(TCA_VLAN_PUSH_VLAN_PRIORITY, *pcp));
    return w.end();
}

Status pedit(ActionWriter& w, const PeditPlan& plan) {
    SNOC_TRY(w.begin("pedit"));
    // tc_pedit_sel is followed by its keys in one attribute.
    std::vector<uint8_t> buf(sizeof(tc_pedit_sel) + plan.keys.size() * sizeof(tc_pedit_key));
    auto* sel = reinterpret_cast<tc_pedit_sel*>(buf.data());
    sel->action = TC_ACT_PIPE;
    sel->nkeys = static_cast<unsigned char>(plan.keys.size());
    for (size_t i = 0; i < plan.keys.size(); ++i) {
        tc_pedit_key k{};
        k.mask = plan.keys[i].mask;
        k.val = plan.keys[i].val;
        k.off = plan.keys[i].off;
        std::memcpy(buf.data() + sizeof(tc_pedit_sel) + i * sizeof(tc_pedit_key), &k, sizeof k);
    }
    SNOC_TRY(w.put_bytes(TCA_PEDIT_PARMS_EX, buf.data(), buf.size()));
    nlattr* keys_ex = nla_nest_start(w.msg(), TCA_PEDIT_KEYS_EX);
    for (const PeditKey& k : plan.keys) {
        nlattr* key_ex = nla_nest_start(w.msg(), TCA_PEDIT_KEY_EX);
        SNOC_TRY(w.put<uint16_t>(TCA_PEDIT_KEY_EX_HTYPE, k.htype));
        SNOC_TRY(w.put<uint16_t>(TCA_PEDIT_KEY_EX_CMD, k.cmd));
        nla_nest_end(w.msg(), key_ex);
    }
    nla_nest_end(w.msg(), keys_ex);
    SNOC_TRY(w.end());
    if (!plan.csum_flags) return Status::success();
    SNOC_TRY(w.begin("csum"));
    tc_csum c{};
    c.action = TC_ACT_PIPE;
    c.update_flags = plan.csum_flags;
    SNOC_TRY(w.put(TCA_CSUM_PARMS, c));
    return w.end();
}

Status police(ActionWriter& w, uint32_t meter_id, const MeterRate& rate, double tick_in_usec) {
    SNOC_TRY(w.begin("police"));
    const PoliceParams pp = police_params(rate, tick_in_usec);
    tc_police p{};
    p.index = kPoliceIndexBase + meter_id;
    p.action = TC_ACT_SHOT;  // exceeding packets are dropped
    p.burst = pp.burst_ticks;
    p.rate.rate = pp.rate_bytes_per_s;
    p.rate.cell_log = pp.cell_log;
    p.rate.linklayer = TC_LINKLAYER_ETHERNET;
    p.rate.cell_align = -1;
    SNOC_TRY(w.put(TCA_POLICE_TBF, p));
    SNOC_TRY(w.put_bytes(TCA_POLICE_RATE, pp.rtab.data(), pp.rtab.size() * sizeof(uint32_t)));
    if (pp.rate64_bytes_per_s) SNOC_TRY(w.put<uint64_t>(TCA_POLICE_RATE64, pp.rate64_bytes_per_s));
    SNOC_TRY(w.put<uint32_t>(TCA_POLICE_RESULT, TC_ACT_PIPE));  // conforming packets go on
    return w.end();
}

Status ct(ActionWriter& w, uint16_t flags, uint16_t zone) {
    SNOC_TRY(w.begin("ct"));
    tc_ct p{};
    p.action = TC_ACT_PIPE;
    SNOC_TRY(w.put(TCA_CT_PARMS, p));
    if (flags) SNOC_TRY(w.put<uint16_t>(TCA_CT_ACTION, flags));
    if (zone) SNOC_TRY(w.put<uint16_t>(TCA_CT_ZONE, zone));
    return w.end();
}

Status tunnel_key(ActionWriter& w, const flow::TunnelEncap* enc) {
    SNOC_TRY(w.begin("tunnel_key"));
    tc_tunnel_key p{};
    p.action = TC_ACT_PIPE;
    p.t_action = enc ? TCA_TUNNEL_KEY_ACT_SET : TCA_TUNNEL_KEY_ACT_RELEASE;
    SNOC_TRY(w.put(TCA_TUNNEL_KEY_PARMS, p));
    if (enc) {
        if (enc->src != std::array<uint8_t, 4>{}) SNOC_TRY(w.put_bytes(TCA_TUNNEL_KEY_ENC_IPV4_SRC, enc->src.data(), 4));
        SNOC_TRY(w.put_bytes(TCA_TUNNEL_KEY_ENC_IPV4_DST, enc->dst.data(), 4));
        if (enc->id > 0xffffffffu) return Status::failure(EOPNOTSUPP, "tc tunnel keys are 32 bits");
        SNOC_TRY(w.put<uint32_t>(TCA_TUNNEL_KEY_ENC_KEY_ID, htonl(static_cast<uint32_t>(enc->id))));
        const uint16_t port = enc->dst_port ? enc->dst_port : (enc->type == flow::TunnelType::Geneve ? 6081 : 4789);
        if (enc->type != flow::TunnelType::Gre) SNOC_TRY(w.put<uint16_t>(TCA_TUNNEL_KEY_ENC_DST_PORT, htons(port)));
    }
    return w.end();
}

std::optional<int> ifindex(const TranslateContext& ctx, const std::string& dev) {
    return ctx.ifindex_of ? ctx.ifindex_of(dev) : std::nullopt;
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

PoliceParams police_params(const MeterRate& m, double tick_in_usec) {
    PoliceParams p;
    const uint64_t rate = std::max<uint64_t>(1, m.rate_kbps * 1000 / 8);  // bytes per second
    p.rate_bytes_per_s = static_cast<uint32_t>(std::min<uint64_t>(rate, 0xffffffffu));
    if (rate > 0xffffffffu) p.rate64_bytes_per_s = rate;
    auto xmit_ticks = [&](uint64_t bytes) {
        const double usec = 1e6 * static_cast<double>(bytes) / static_cast<double>(rate);
        return static_cast<uint32_t>(std::min(usec * tick_in_usec, 4294967295.0));
    };
    constexpr uint32_t kMtu = 2047;  // the rate table covers packets up to this size
    while ((kMtu >> p.cell_log) > 255) ++p.cell_log;
    p.rtab.resize(256);
    for (uint32_t i = 0; i < 256; ++i) p.rtab[i] = xmit_ticks(static_cast<uint64_t>(i + 1) << p.cell_log);
    // Burst in bytes: as configured, else 100 ms of traffic; never below a few full frames.
    const uint64_t burst = m.burst_kb ? m.burst_kb * 1000 / 8 : rate / 10;
    p.burst_ticks = xmit_ticks(std::max<uint64_t>(burst, 8 * kMtu));
    return p;
}

Status encode_actions(nl_msg* msg, const TcRule& rule, const TranslateContext& ctx) {
    nlattr* nest = nla_nest_start(msg, TCA_FLOWER_ACT);
    if (!nest) return Status::failure(EMSGSIZE, "netlink message full");
    ActionWriter w(msg, rule.cookie);
    const auto& acts = rule.flow.actions;
    if (acts.empty()) SNOC_TRY(gact(w, TC_ACT_SHOT));

    for (size_t i = 0; i < acts.size(); ++i) {
        const flow::Action& a = acts[i];
        const bool last = i + 1 == acts.size();
        if (const auto* o = std::get_if<flow::Output>(&a)) {
            auto idx = ifindex(ctx, o->port);
            if (!idx) return Status::failure(ENODEV, "output port '" + o->port + "' has no netdev");
            SNOC_TRY(mirred(w, *idx, last));
        } else if (const auto* enc = std::get_if<flow::TunnelEncap>(&a)) {
            auto idx = ifindex(ctx, enc->port);
            if (!idx) return Status::failure(ENODEV, "tunnel port '" + enc->port + "' has no netdev");
            SNOC_TRY(tunnel_key(w, enc));
            SNOC_TRY(mirred(w, *idx, last));
        } else if (std::holds_alternative<flow::TunnelDecap>(a)) {
            SNOC_TRY(tunnel_key(w, nullptr));
        } else if (std::holds_alternative<flow::Drop>(a)) {
            SNOC_TRY(gact(w, TC_ACT_SHOT));
        } else if (const auto* g = std::get_if<flow::GotoTable>(&a)) {
            SNOC_TRY(gact(w, TC_ACT_GOTO_CHAIN | g->table));
        } else if (const auto* push = std::get_if<flow::PushVlan>(&a)) {
            // A push takes the id (and priority) that the next actions set.
            std::optional<uint16_t> vid;
            std::optional<uint8_t> pcp;
            while (i + 1 < acts.size()) {
                if (const auto* v = std::get_if<flow::SetVlanVid>(&acts[i + 1]); v && !vid) vid = v->vid, ++i;
                else if (const auto* p = std::get_if<flow::SetVlanPcp>(&acts[i + 1]); p && !pcp) pcp = p->pcp, ++i;
                else break;
            }
            SNOC_TRY(vlan(w, TCA_VLAN_ACT_PUSH, vid.value_or(0), push->tpid, pcp));
        } else if (const auto* vid = std::get_if<flow::SetVlanVid>(&a)) {
            std::optional<uint8_t> pcp;
            if (i + 1 < acts.size()) {
                if (const auto* p = std::get_if<flow::SetVlanPcp>(&acts[i + 1])) pcp = p->pcp, ++i;
            }
            SNOC_TRY(vlan(w, TCA_VLAN_ACT_MODIFY, vid->vid, 0x8100, pcp));
        } else if (std::holds_alternative<flow::SetVlanPcp>(a)) {
            return Status::failure(EOPNOTSUPP, "tc vlan modify needs a VLAN id: set mod_vlan_vid with mod_vlan_pcp");
        } else if (std::holds_alternative<flow::PopVlan>(a)) {
            SNOC_TRY(vlan(w, TCA_VLAN_ACT_POP, std::nullopt, 0, std::nullopt));
        } else if (is_pedit_action(a)) {
            size_t end = i;
            while (end < acts.size() && is_pedit_action(acts[end])) ++end;
            PeditPlan plan;
            SNOC_TRY(plan_pedit(std::span(acts).subspan(i, end - i), rule.flow.match, plan));
            SNOC_TRY(pedit(w, plan));
            i = end - 1;
        } else if (const auto* m = std::get_if<flow::Meter>(&a)) {
            auto it = ctx.meters.find(m->id);
            if (it == ctx.meters.end()) return Status::failure(ENOENT, "meter " + std::to_string(m->id) + " is not defined");
            SNOC_TRY(police(w, m->id, it->second, ctx.psched_tick_in_usec));
        } else if (const auto* c = std::get_if<flow::Ct>(&a)) {
            SNOC_TRY(ct(w, c->commit ? TCA_CT_ACT_COMMIT : 0, c->zone));
            if (c->table) SNOC_TRY(gact(w, TC_ACT_GOTO_CHAIN | *c->table));
        } else if (std::holds_alternative<flow::CtClear>(a)) {
            SNOC_TRY(ct(w, TCA_CT_ACT_CLEAR, 0));
        } else if (std::holds_alternative<flow::Normal>(a)) {
            return Status::failure(EOPNOTSUPP, "NORMAL is OVS's learning switch and has no tc form");
        }
    }
    nla_nest_end(msg, nest);
    return Status::success();
}

namespace {


void read_stats(nlattr* stats, DecodedActions& out) {
    nlattr* tb[TCA_STATS_MAX + 1] = {};
    if (nla_parse_nested(tb, TCA_STATS_MAX, stats, nullptr) < 0) return;
    auto basic = [](nlattr* a, Counters& c) {
        if (auto b = attr_struct<gnet_stats_basic>(a)) {
            c.bytes = b->bytes;
            c.packets = b->packets;
        }
    };
    basic(tb[TCA_STATS_BASIC], out.total);
    basic(tb[TCA_STATS_BASIC_HW], out.hw);
    if (tb[TCA_STATS_PKT64]) out.total.packets = nla_get_u64(tb[TCA_STATS_PKT64]);
}

void read_tm(nlattr* tm_attr, DecodedActions& out) {
    if (auto tm = attr_struct<tcf_t>(tm_attr)) out.last_used_ms = tm->lastuse * (1000 / kUserHz);
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

std::optional<uint64_t> owner_cookie(nlattr* act_nest) {
    nlattr* acts[kMaxActions + 1] = {};
    if (!act_nest || nla_parse_nested(acts, static_cast<int>(kMaxActions), act_nest, nullptr) < 0) return std::nullopt;
    for (size_t i = 1; i <= kMaxActions; ++i) {
        if (!acts[i]) continue;
        nlattr* tb[TCA_ACT_MAX + 1] = {};
        if (nla_parse_nested(tb, TCA_ACT_MAX, acts[i], nullptr) < 0) return std::nullopt;
        return cookie_of(tb[TCA_ACT_COOKIE]);  // only the first action carries it
    }
    return std::nullopt;
}

Status decode_actions(nlattr* act_nest, const TranslateContext& ctx, DecodedActions& out) {
    nlattr* acts[kMaxActions + 1] = {};
    if (nla_parse_nested(acts, static_cast<int>(kMaxActions), act_nest, nullptr) < 0) {
        return Status::failure(EINVAL, "malformed action list");
    }
    std::optional<flow::TunnelEncap> pending_encap;
    bool seen_first = false;
    for (size_t i = 1; i <= kMaxActions; ++i) {
        if (!acts[i]) continue;
        nlattr* tb[TCA_ACT_MAX + 1] = {};
        if (nla_parse_nested(tb, TCA_ACT_MAX, acts[i], nullptr) < 0 || !tb[TCA_ACT_KIND]) {
            return Status::failure(EINVAL, "malformed action " + std::to_string(i));
        }
        const std::string kind = nla_get_string(tb[TCA_ACT_KIND]);
        const bool first = !seen_first;
        seen_first = true;
        if (first) out.cookie = cookie_of(tb[TCA_ACT_COOKIE]);
        if (first && tb[TCA_ACT_STATS]) read_stats(tb[TCA_ACT_STATS], out);
        nlattr* opt[64] = {};
        if (tb[TCA_ACT_OPTIONS] && nla_parse_nested(opt, 63, tb[TCA_ACT_OPTIONS], nullptr) < 0) {
            return Status::failure(EINVAL, "malformed options of " + kind);
        }
        if (first) read_tm(opt[kind == "ct" ? TCA_CT_TM : 1], out);  // every other kind keeps TM at 1

        if (kind == "mirred") {
            auto p = attr_struct<tc_mirred>(opt[TCA_MIRRED_PARMS]);
            if (!p) return Status::failure(EINVAL, "mirred without parameters");
            auto name = ctx.name_of ? ctx.name_of(static_cast<int>(p->ifindex)) : std::nullopt;
            const std::string dev = name.value_or("ifindex:" + std::to_string(p->ifindex));
            if (pending_encap) {
                pending_encap->port = dev;
                out.actions.push_back(*pending_encap);
                pending_encap.reset();
            } else {
                out.actions.push_back(flow::Output{dev});
            }
        } else if (kind == "gact") {
            auto p = attr_struct<tc_gact>(opt[TCA_GACT_PARMS]);
            if (!p) return Status::failure(EINVAL, "gact without parameters");
            if (p->action == TC_ACT_SHOT) {
                out.actions.push_back(flow::Drop{});
            } else if (TC_ACT_EXT_OPCODE(p->action) == TC_ACT_GOTO_CHAIN) {
                const auto table = static_cast<uint8_t>(p->action & TC_ACT_EXT_VAL_MASK);
                // ct followed by a goto is OpenFlow's ct(table=N).
                auto* prev = out.actions.empty() ? nullptr : std::get_if<flow::Ct>(&out.actions.back());
                if (prev && !prev->table) prev->table = table;
                else out.actions.push_back(flow::GotoTable{table});
            } else {
                return Status::failure(EOPNOTSUPP, "gact action " + std::to_string(p->action));
            }
        } else if (kind == "vlan") {
            auto p = attr_struct<tc_vlan>(opt[TCA_VLAN_PARMS]);
            if (!p) return Status::failure(EINVAL, "vlan without parameters");
            if (p->v_action == TCA_VLAN_ACT_POP) {
                out.actions.push_back(flow::PopVlan{});
                continue;
            }
            if (p->v_action == TCA_VLAN_ACT_PUSH) {
                const uint16_t tpid = opt[TCA_VLAN_PUSH_VLAN_PROTOCOL] ? ntohs(nla_get_u16(opt[TCA_VLAN_PUSH_VLAN_PROTOCOL]))
                                                                        : 0x8100;
                out.actions.push_back(flow::PushVlan{tpid});
            }
            if (opt[TCA_VLAN_PUSH_VLAN_ID]) out.actions.push_back(flow::SetVlanVid{nla_get_u16(opt[TCA_VLAN_PUSH_VLAN_ID])});
            // The kernel reports priority 0 whether or not it was set (see tc_normal_form).
            if (opt[TCA_VLAN_PUSH_VLAN_PRIORITY] && nla_get_u8(opt[TCA_VLAN_PUSH_VLAN_PRIORITY]) != 0) {
                out.actions.push_back(flow::SetVlanPcp{nla_get_u8(opt[TCA_VLAN_PUSH_VLAN_PRIORITY])});
            }
        } else if (kind == "pedit") {
            nlattr* parms_attr = opt[TCA_PEDIT_PARMS_EX] ? opt[TCA_PEDIT_PARMS_EX] : opt[TCA_PEDIT_PARMS];
            if (!parms_attr || static_cast<size_t>(nla_len(parms_attr)) < sizeof(tc_pedit_sel)) {
                return Status::failure(EINVAL, "pedit without parameters");
            }
            const auto* sel = static_cast<const tc_pedit_sel*>(nla_data(parms_attr));
            const size_t nkeys = sel->nkeys;
            if (static_cast<size_t>(nla_len(parms_attr)) < sizeof(tc_pedit_sel) + nkeys * sizeof(tc_pedit_key)) {
                return Status::failure(EINVAL, "pedit keys truncated");
            }
            std::vector<PeditKey> keys(nkeys);
            for (size_t k = 0; k < nkeys; ++k) {
                tc_pedit_key raw;
                std::memcpy(&raw, static_cast<const uint8_t*>(nla_data(parms_attr)) + sizeof(tc_pedit_sel) +
                                      k * sizeof(tc_pedit_key),
                            sizeof raw);
                keys[k].mask = raw.mask;
                keys[k].val = raw.val;
                keys[k].off = raw.off;
            }
            if (opt[TCA_PEDIT_KEYS_EX]) {
                size_t k = 0;
                nlattr* key_ex;
                int rem;
                nla_for_each_nested(key_ex, opt[TCA_PEDIT_KEYS_EX], rem) {
                    if (k >= nkeys) break;
                    nlattr* ex[TCA_PEDIT_KEY_EX_MAX + 1] = {};
                    if (nla_parse_nested(ex, TCA_PEDIT_KEY_EX_MAX, key_ex, nullptr) < 0) break;
                    if (ex[TCA_PEDIT_KEY_EX_HTYPE]) keys[k].htype = nla_get_u16(ex[TCA_PEDIT_KEY_EX_HTYPE]);
                    if (ex[TCA_PEDIT_KEY_EX_CMD]) keys[k].cmd = nla_get_u16(ex[TCA_PEDIT_KEY_EX_CMD]);
                    ++k;
                }
            }
            SNOC_TRY(actions_from_pedit(keys, out.actions));
        } else if (kind == "csum") {
            // Follows pedit; implied by the rewrites it repairs.
        } else if (kind == "police") {
            auto p = attr_struct<tc_police>(opt[TCA_POLICE_TBF]);
            if (!p) return Status::failure(EINVAL, "police without parameters");
            if (p->index < kPoliceIndexBase) return Status::failure(EOPNOTSUPP, "police action not created by snoc");
            out.actions.push_back(flow::Meter{p->index - kPoliceIndexBase});
        } else if (kind == "ct") {
            const uint16_t flags = opt[TCA_CT_ACTION] ? nla_get_u16(opt[TCA_CT_ACTION]) : 0;
            if (flags & TCA_CT_ACT_CLEAR) {
                out.actions.push_back(flow::CtClear{});
            } else {
                flow::Ct c;
                c.commit = flags & TCA_CT_ACT_COMMIT;
                c.zone = opt[TCA_CT_ZONE] ? nla_get_u16(opt[TCA_CT_ZONE]) : 0;
                out.actions.push_back(c);
            }
        } else if (kind == "tunnel_key") {
            auto p = attr_struct<tc_tunnel_key>(opt[TCA_TUNNEL_KEY_PARMS]);
            if (!p) return Status::failure(EINVAL, "tunnel_key without parameters");
            if (p->t_action == TCA_TUNNEL_KEY_ACT_RELEASE) {
                out.actions.push_back(flow::TunnelDecap{});
                continue;
            }
            flow::TunnelEncap enc;
            if (opt[TCA_TUNNEL_KEY_ENC_IPV4_SRC]) std::memcpy(enc.src.data(), nla_data(opt[TCA_TUNNEL_KEY_ENC_IPV4_SRC]), 4);
            if (opt[TCA_TUNNEL_KEY_ENC_IPV4_DST]) std::memcpy(enc.dst.data(), nla_data(opt[TCA_TUNNEL_KEY_ENC_IPV4_DST]), 4);
            if (opt[TCA_TUNNEL_KEY_ENC_KEY_ID]) enc.id = ntohl(nla_get_u32(opt[TCA_TUNNEL_KEY_ENC_KEY_ID]));
            if (opt[TCA_TUNNEL_KEY_ENC_DST_PORT]) enc.dst_port = ntohs(nla_get_u16(opt[TCA_TUNNEL_KEY_ENC_DST_PORT]));
            enc.type = enc.dst_port == 6081 ? flow::TunnelType::Geneve
                       : opt[TCA_TUNNEL_KEY_ENC_DST_PORT] ? flow::TunnelType::Vxlan
                                                          : flow::TunnelType::Gre;
            pending_encap = enc;
        } else {
            return Status::failure(EOPNOTSUPP, "tc action '" + kind + "' is not one snoc installs");
        }
    }
    if (pending_encap) return Status::failure(EINVAL, "tunnel_key set without an output");
    return Status::success();
}

}  // namespace snoc::offload::tc
