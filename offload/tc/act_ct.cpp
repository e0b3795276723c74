// ct: conntrack (commit, zone), and ct clear. A ct(table=N) is lowered to ct
// and a gact goto chain.
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_ct.h>
#include <netlink/attr.h>

#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"

namespace snoc::offload::tc {
namespace {

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext&) {
    const auto& c = std::get<CtParams>(a.params);
    if (auto s = w.put(TCA_CT_PARMS, piped<tc_ct>()); !s.ok()) return s;
    if (c.flags) {
        if (auto s = w.put<uint16_t>(TCA_CT_ACTION, c.flags); !s.ok()) return s;
    }
    if (c.zone) return w.put<uint16_t>(TCA_CT_ZONE, c.zone);
    return Status::success();
}

std::string print(const TcAction& a, const TranslateContext&) {
    const auto& c = std::get<CtParams>(a.params);
    if (c.flags & TCA_CT_ACT_CLEAR) return "ct clear";
    return std::string("ct") + ((c.flags & TCA_CT_ACT_COMMIT) ? " commit" : "") +
           (c.zone ? " zone " + std::to_string(c.zone) : "");
}

Status decode(nlattr* const opt[], const TranslateContext&, ActionDecodeState& st) {
    const uint16_t flags = opt[TCA_CT_ACTION] ? nla_get_u16(opt[TCA_CT_ACTION]) : 0;
    if (flags & TCA_CT_ACT_CLEAR) {
        st.actions.push_back(flow::CtClear{});
        return Status::success();
    }
    flow::Ct c;
    c.commit = flags & TCA_CT_ACT_COMMIT;
    c.zone = opt[TCA_CT_ZONE] ? nla_get_u16(opt[TCA_CT_ZONE]) : 0;
    st.actions.push_back(c);
    return Status::success();
}

}  // namespace

const ActionKind& ct_kind() {
    static const netlink::AttrPolicy options{"ct options",
                                             {netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_CT_TM)),
                                              netlink::u16_attr(SNOC_NLA(TCA_CT_ACTION)),
                                              netlink::u16_attr(SNOC_NLA(TCA_CT_ZONE))}};
    static const ActionKind kind{"ct", options, TCA_CT_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
