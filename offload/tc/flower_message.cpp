#include "offload/tc/flower_message.h"
#include "flow/enum_names.h"

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/netlink.h>

#include <arpa/inet.h>

#include <cerrno>

#include "netlink/attr_policy.h"
#include "offload/tc/flower_actions.h"
#include "offload/tc/flower_keys.h"

namespace snoc::offload::tc {

uint32_t ingress_parent() { return TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS); }

std::string_view to_string(SkipPolicy p) {
    static constexpr std::array<std::string_view, 3> kNames{"none", "skip_sw", "skip_hw"};
    static_assert(names_cover(kNames, SkipPolicy::SkipHw));
    return name_of(p, kNames);
}

uint16_t prio_for(uint16_t openflow_priority) {
    return static_cast<uint16_t>(std::max(1, 65535 - static_cast<int>(openflow_priority)));
}

uint16_t openflow_priority_of(uint16_t tc_prio) { return static_cast<uint16_t>(65535 - tc_prio); }

uint32_t handle_for(uint64_t cookie) {
    const uint32_t h = static_cast<uint32_t>(cookie) ^ static_cast<uint32_t>(cookie >> 32);
    return h ? h : 1;
}

namespace {

// Most filter messages take a few hundred bytes; libnl's default is a zeroed
// page per message, which costs more than building the message when
// 100,000 rules go out. A rule that does not fit is built again, larger.
constexpr size_t kSmallMessage = 1024;
constexpr size_t kLargeMessage = 32768;

Status new_message(int type, int flags, int ifindex, uint32_t handle, uint32_t info, NlMsgPtr& out,
                   size_t size = kSmallMessage) {
    out.reset(nlmsg_alloc_size(size));
    if (!out || !nlmsg_put(out.get(), NL_AUTO_PORT, NL_AUTO_SEQ, type, 0, flags)) {
        return Status::failure(ENOMEM, "cannot allocate a netlink message");
    }
    tcmsg t{};
    t.tcm_family = AF_UNSPEC;
    t.tcm_ifindex = ifindex;
    t.tcm_handle = handle;
    t.tcm_parent = ingress_parent();
    t.tcm_info = info;
    if (nlmsg_append(out.get(), &t, sizeof t, NLMSG_ALIGNTO) < 0) return Status::failure(EMSGSIZE, "message full");
    return Status::success();
}

uint32_t info_for(uint16_t prio, uint16_t protocol) {
    return TC_H_MAKE(static_cast<uint32_t>(prio) << 16, htons(protocol));
}

// snoc's filters use protocol "all" and let flower's eth_type key match, so
// rules with different types can share a preference; VLAN matches need the
// filter's protocol to be 802.1Q, as flower only parses VLAN keys then.
uint16_t protocol_for(const flow::Match& m) {
    return m.has(flow::Field::VlanVid) || m.has(flow::Field::VlanPcp) ? ETH_P_8021Q : ETH_P_ALL;
}

uint32_t flags_for(SkipPolicy s) {
    uint32_t f = TCA_CLS_FLAGS_VERBOSE;
    if (s == SkipPolicy::SkipSw) f |= TCA_CLS_FLAGS_SKIP_SW;
    if (s == SkipPolicy::SkipHw) f |= TCA_CLS_FLAGS_SKIP_HW;
    return f;
}

Status build_new_filter_sized(const TcRule& rule, const TranslateContext& ctx, Install mode, NlMsgPtr& out,
                              size_t size) {
    if (rule.prio == 0 || rule.handle == 0) return Status::failure(EINVAL, "tc rules need a preference and a handle");
    const int flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (mode == Install::Create ? NLM_F_EXCL : NLM_F_REPLACE);
    if (auto s = new_message(RTM_NEWTFILTER, flags, rule.ifindex, rule.handle,
                             info_for(rule.prio, protocol_for(rule.flow.match)), out, size);
        !s.ok()) {
        return s;
    }
    nl_msg* msg = out.get();
    if (nla_put_string(msg, TCA_KIND, "flower") < 0 || nla_put_u32(msg, TCA_CHAIN, rule.chain) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    nlattr* opts = nla_nest_start(msg, TCA_OPTIONS);
    if (!opts || nla_put_u32(msg, TCA_FLOWER_FLAGS, flags_for(rule.skip)) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    if (auto s = encode_match(msg, rule.flow.match); !s.ok()) return s;
    if (auto s = encode_actions(msg, rule, ctx); !s.ok()) return s;
    nla_nest_end(msg, opts);
    return Status::success();
}

const netlink::AttrPolicy kFilterPolicy{"filter message",
                                        {
                                            netlink::string_attr(SNOC_NLA(TCA_KIND)),
                                            netlink::nested_attr(SNOC_NLA(TCA_OPTIONS)),
                                            netlink::u32_attr(SNOC_NLA(TCA_CHAIN)),
                                        }};

// The filter's own attributes and every key decode_match reads.
const netlink::AttrPolicy& flower_options_policy() {
    static const netlink::AttrPolicy policy = [] {
        std::vector<netlink::AttrRule> rules(flower_key_rules().begin(), flower_key_rules().end());
        rules.push_back(netlink::u32_attr(SNOC_NLA(TCA_FLOWER_FLAGS)));
        rules.push_back(netlink::u32_attr(SNOC_NLA(TCA_FLOWER_IN_HW_COUNT)));
        rules.push_back(netlink::nested_attr(SNOC_NLA(TCA_FLOWER_ACT)));
        return netlink::AttrPolicy("flower options", rules);
    }();
    return policy;
}

}  // namespace

Status build_new_filter(const TcRule& rule, const TranslateContext& ctx, Install mode, NlMsgPtr& out) {
    Status s = build_new_filter_sized(rule, ctx, mode, out, kSmallMessage);
    if (s.error == EMSGSIZE) s = build_new_filter_sized(rule, ctx, mode, out, kLargeMessage);
    return s;
}

Status build_del_filter(const TcRule& rule, NlMsgPtr& out) {
    if (auto s = new_message(RTM_DELTFILTER, NLM_F_REQUEST | NLM_F_ACK, rule.ifindex, rule.handle,
                             info_for(rule.prio, protocol_for(rule.flow.match)), out);
        !s.ok()) {
        return s;
    }
    if (nla_put_string(out.get(), TCA_KIND, "flower") < 0 || nla_put_u32(out.get(), TCA_CHAIN, rule.chain) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    return Status::success();
}

Status build_dump_filters(int ifindex, NlMsgPtr& out) {
    return new_message(RTM_GETTFILTER, NLM_F_REQUEST | NLM_F_DUMP, ifindex, 0, 0, out);
}

Status decode_filter(nlmsghdr* hdr, const TranslateContext& ctx, TcRuleState& out) {
    if (hdr->nlmsg_type != RTM_NEWTFILTER) return Status::failure(EINVAL, "not a filter message");
    const auto* t = static_cast<const tcmsg*>(nlmsg_data(hdr));
    nlattr* tb[TCA_MAX + 1] = {};
    if (auto s = netlink::parse_message(tb, kFilterPolicy, hdr, sizeof(tcmsg)); !s.ok()) return s;
    if (!tb[TCA_KIND] || std::string_view(nla_get_string(tb[TCA_KIND])) != "flower") {
        return Status::failure(ENOENT, "not a flower filter");
    }
    if (!tb[TCA_OPTIONS] || t->tcm_handle == 0) return Status::failure(ENOENT, "a chain or preference, not a filter");
    TcRule& r = out.rule;
    r.ifindex = t->tcm_ifindex;
    r.handle = t->tcm_handle;
    r.prio = static_cast<uint16_t>(TC_H_MAJ(t->tcm_info) >> 16);
    r.chain = tb[TCA_CHAIN] ? nla_get_u32(tb[TCA_CHAIN]) : 0;
    if (ctx.name_of) r.dev = ctx.name_of(r.ifindex).value_or("");

    nlattr* fl[TCA_FLOWER_MAX + 1] = {};
    if (auto s = netlink::parse_nested(fl, flower_options_policy(), tb[TCA_OPTIONS]); !s.ok()) return s;
    const uint32_t flags = fl[TCA_FLOWER_FLAGS] ? nla_get_u32(fl[TCA_FLOWER_FLAGS]) : 0;
    r.skip = (flags & TCA_CLS_FLAGS_SKIP_SW) ? SkipPolicy::SkipSw
             : (flags & TCA_CLS_FLAGS_SKIP_HW) ? SkipPolicy::SkipHw
                                               : SkipPolicy::None;
    out.in_hw = flags & TCA_CLS_FLAGS_IN_HW;
    out.not_in_hw = flags & TCA_CLS_FLAGS_NOT_IN_HW;
    out.in_hw_count = fl[TCA_FLOWER_IN_HW_COUNT] ? nla_get_u32(fl[TCA_FLOWER_IN_HW_COUNT]) : 0;

    // Ownership first: a foreign filter snoc cannot read is still known as
    // foreign (cookie 0), so callers can pass it by instead of failing.
    r.cookie = owner_cookie(fl[TCA_FLOWER_ACT]).value_or(0);
    r.flow = flow::Flow{};
    r.flow.table = static_cast<uint8_t>(std::min<uint32_t>(r.chain, 255));
    r.flow.priority = openflow_priority_of(r.prio);
    if (auto s = decode_match(fl, r.flow.match); !s.ok()) return s;
    if (!fl[TCA_FLOWER_ACT]) return Status::failure(EINVAL, "flower filter without actions");
    DecodedActions acts;
    if (auto s = decode_actions(fl[TCA_FLOWER_ACT], ctx, acts); !s.ok()) return s;
    // A lone drop is how an empty OpenFlow action list is installed.
    r.flow.actions = std::move(acts.actions);
    r.cookie = acts.cookie.value_or(0);
    out.total = acts.total;
    out.hw = acts.hw;
    out.last_used_ms = acts.last_used_ms;
    return Status::success();
}

}  // namespace snoc::offload::tc
