// vlan: push (with the id and priority the lowering folded into it), modify, pop.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_vlan.h>
#include <netlink/attr.h>

#include <cerrno>

#include "netlink/attr_struct.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"
#include "offload/tc/tc_words.h"

namespace snoc::offload::tc {
namespace {

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext&) {
    const auto& v = std::get<VlanParams>(a.params);
    tc_vlan p = piped<tc_vlan>();
    p.v_action = v.v_action;
    if (auto s = w.put(TCA_VLAN_PARMS, p); !s.ok()) return s;
    if (v.vid) {
        if (auto s = w.put<uint16_t>(TCA_VLAN_PUSH_VLAN_ID, *v.vid); !s.ok()) return s;
        if (auto s = w.put<uint16_t>(TCA_VLAN_PUSH_VLAN_PROTOCOL, htons(v.tpid)); !s.ok()) return s;
    }
    if (v.pcp) return w.put<uint8_t>(TCA_VLAN_PUSH_VLAN_PRIORITY, *v.pcp);
    return Status::success();
}

std::string print(const TcAction& a, const TranslateContext&) {
    const auto& v = std::get<VlanParams>(a.params);
    if (v.v_action == TCA_VLAN_ACT_POP) return "vlan pop";
    std::string text = v.v_action == TCA_VLAN_ACT_PUSH ? "vlan push" : "vlan modify";
    if (v.v_action == TCA_VLAN_ACT_PUSH && v.tpid != ETH_P_8021Q) {
        text += " protocol " + (v.tpid == ETH_P_8021AD ? std::string("802.1ad") : tc_hex(v.tpid));
    }
    text += " id " + std::to_string(v.vid.value_or(0));
    if (v.pcp) text += " priority " + std::to_string(*v.pcp);
    return text;
}

Status decode(nlattr* const opt[], const TranslateContext&, ActionDecodeState& st) {
    auto p = netlink::attr_struct<tc_vlan>(opt[TCA_VLAN_PARMS]);
    if (!p) return Status::failure(EINVAL, "vlan without parameters");
    if (p->v_action == TCA_VLAN_ACT_POP) {
        st.actions.push_back(flow::PopVlan{});
        return Status::success();
    }
    if (p->v_action == TCA_VLAN_ACT_PUSH) {
        const uint16_t tpid =
            opt[TCA_VLAN_PUSH_VLAN_PROTOCOL] ? ntohs(nla_get_u16(opt[TCA_VLAN_PUSH_VLAN_PROTOCOL])) : ETH_P_8021Q;
        st.actions.push_back(flow::PushVlan{tpid});
    }
    if (opt[TCA_VLAN_PUSH_VLAN_ID]) st.actions.push_back(flow::SetVlanVid{nla_get_u16(opt[TCA_VLAN_PUSH_VLAN_ID])});
    // The kernel reports priority 0 whether or not it was set (see tc_normal_form).
    if (opt[TCA_VLAN_PUSH_VLAN_PRIORITY] && nla_get_u8(opt[TCA_VLAN_PUSH_VLAN_PRIORITY]) != 0) {
        st.actions.push_back(flow::SetVlanPcp{nla_get_u8(opt[TCA_VLAN_PUSH_VLAN_PRIORITY])});
    }
    return Status::success();
}

}  // namespace

const ActionKind& vlan_kind() {
    static const netlink::AttrPolicy options{
        "vlan options",
        {netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_VLAN_TM)),
         netlink::struct_attr<tc_vlan>(SNOC_NLA(TCA_VLAN_PARMS)),
         netlink::u16_attr(SNOC_NLA(TCA_VLAN_PUSH_VLAN_ID)),
         netlink::u16_attr(SNOC_NLA(TCA_VLAN_PUSH_VLAN_PROTOCOL)),
         netlink::u8_attr(SNOC_NLA(TCA_VLAN_PUSH_VLAN_PRIORITY))}};
    static const ActionKind kind{"vlan", options, TCA_VLAN_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
