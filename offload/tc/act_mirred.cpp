// mirred: output (egress redirect as the rule's last action, mirror before).
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>

#include <cerrno>

#include "netlink/attr_struct.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"

namespace snoc::offload::tc {
namespace {

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext& ctx) {
    const auto& m = std::get<MirredParams>(a.params);
    auto idx = ctx.ifindex_of ? ctx.ifindex_of(m.dev) : std::nullopt;
    if (!idx) return Status::failure(ENODEV, std::string(m.port_role) + " '" + m.dev + "' has no netdev");
    tc_mirred p{};
    p.action = m.redirect ? TC_ACT_STOLEN : TC_ACT_PIPE;
    p.eaction = m.redirect ? TCA_EGRESS_REDIR : TCA_EGRESS_MIRROR;
    p.ifindex = static_cast<uint32_t>(*idx);
    return w.put(TCA_MIRRED_PARMS, p);
}

std::string print(const TcAction& a, const TranslateContext&) {
    const auto& m = std::get<MirredParams>(a.params);
    return std::string("mirred egress ") + (m.redirect ? "redirect" : "mirror") + " dev " + m.dev;
}

Status decode(nlattr* const opt[], const TranslateContext& ctx, ActionDecodeState& st) {
    auto p = netlink::attr_struct<tc_mirred>(opt[TCA_MIRRED_PARMS]);
    if (!p) return Status::failure(EINVAL, "mirred without parameters");
    auto name = ctx.name_of ? ctx.name_of(static_cast<int>(p->ifindex)) : std::nullopt;
    const std::string dev = name.value_or("ifindex:" + std::to_string(p->ifindex));
    if (st.pending_encap) {
        st.pending_encap->port = dev;
        st.actions.push_back(*st.pending_encap);
        st.pending_encap.reset();
    } else {
        st.actions.push_back(flow::Output{dev});
    }
    return Status::success();
}

}  // namespace

const ActionKind& mirred_kind() {
    static const netlink::AttrPolicy options{"mirred options",
                                             {netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_MIRRED_TM)),
                                              netlink::struct_attr<tc_mirred>(SNOC_NLA(TCA_MIRRED_PARMS))}};
    static const ActionKind kind{"mirred", options, TCA_MIRRED_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
