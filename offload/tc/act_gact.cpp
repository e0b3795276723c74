// gact: drop, and goto chain (OpenFlow's goto_table; after ct, ct(table=N)).
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_gact.h>

#include <cerrno>

#include "netlink/attr_struct.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"

namespace snoc::offload::tc {
namespace {

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext&) {
    tc_gact p{};
    p.action = std::get<GactParams>(a.params).action;
    return w.put(TCA_GACT_PARMS, p);
}

std::string print(const TcAction& a, const TranslateContext&) {
    const int action = std::get<GactParams>(a.params).action;
    if (action == TC_ACT_SHOT) return "drop";
    return "goto chain " + std::to_string(action & TC_ACT_EXT_VAL_MASK);
}

Status decode(nlattr* const opt[], const TranslateContext&, ActionDecodeState& st) {
    auto p = netlink::attr_struct<tc_gact>(opt[TCA_GACT_PARMS]);
    if (!p) return Status::failure(EINVAL, "gact without parameters");
    if (p->action == TC_ACT_SHOT) {
        st.actions.push_back(flow::Drop{});
    } else if (TC_ACT_EXT_OPCODE(p->action) == TC_ACT_GOTO_CHAIN) {
        const auto table = static_cast<uint8_t>(p->action & TC_ACT_EXT_VAL_MASK);
        // ct followed by a goto is OpenFlow's ct(table=N).
        auto* prev = st.actions.empty() ? nullptr : std::get_if<flow::Ct>(&st.actions.back());
        if (prev && !prev->table) prev->table = table;
        else st.actions.push_back(flow::GotoTable{table});
    } else {
        return Status::failure(EOPNOTSUPP, "gact action " + std::to_string(p->action));
    }
    return Status::success();
}

}  // namespace

const ActionKind& gact_kind() {
    static const netlink::AttrPolicy options{"gact options",
                                             {netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_GACT_TM)),
                                              netlink::struct_attr<tc_gact>(SNOC_NLA(TCA_GACT_PARMS))}};
    static const ActionKind kind{"gact", options, TCA_GACT_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
