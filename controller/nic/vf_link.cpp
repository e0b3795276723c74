#include "controller/nic/vf_link.h"

#include "netlink/attr_policy.h"
#include "netlink/attr_struct.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstring>

namespace snoc::nic {
namespace {

using offload::Status;
using netlink::NlMsgPtr;

const netlink::AttrPolicy kLinkPolicy{"RTM_NEWLINK", {netlink::nested_attr(SNOC_NLA(IFLA_VFINFO_LIST))}};

const netlink::AttrPolicy kVfPolicy{"IFLA_VF_INFO",
                                    {
                                        netlink::struct_attr<ifla_vf_mac>(SNOC_NLA(IFLA_VF_MAC)),
                                        netlink::struct_attr<ifla_vf_vlan>(SNOC_NLA(IFLA_VF_VLAN)),
                                        netlink::struct_attr<ifla_vf_rate>(SNOC_NLA(IFLA_VF_RATE)),
                                        netlink::struct_attr<ifla_vf_spoofchk>(SNOC_NLA(IFLA_VF_SPOOFCHK)),
                                        netlink::struct_attr<ifla_vf_trust>(SNOC_NLA(IFLA_VF_TRUST)),
                                    }};

NlMsgPtr link_message(int type, int flags, int ifindex) {
    NlMsgPtr m(nlmsg_alloc_simple(type, flags));
    if (!m) return m;
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    if (nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) m.reset();
    return m;
}

Status parse_vf(nlattr* info, VfLink& v) {
    nlattr* tb[IFLA_VF_MAX + 1] = {};
    if (auto s = netlink::parse_nested(tb, kVfPolicy, info); !s.ok()) return s;
    if (auto mac = netlink::attr_struct<ifla_vf_mac>(tb[IFLA_VF_MAC])) {
        v.vf = mac->vf;
        std::memcpy(v.mac.data(), mac->mac, 6);
    }
    if (auto vlan = netlink::attr_struct<ifla_vf_vlan>(tb[IFLA_VF_VLAN])) {
        v.vlan = static_cast<uint16_t>(vlan->vlan);
        v.qos = static_cast<uint8_t>(vlan->qos);
    }
    if (auto rate = netlink::attr_struct<ifla_vf_rate>(tb[IFLA_VF_RATE])) v.max_tx_rate_mbps = rate->max_tx_rate;
    // Drivers that cannot report a setting say ~0 (-1) for it.
    if (auto sc = netlink::attr_struct<ifla_vf_spoofchk>(tb[IFLA_VF_SPOOFCHK]); sc && sc->setting != ~0u) v.spoofchk = sc->setting != 0;
    if (auto tr = netlink::attr_struct<ifla_vf_trust>(tb[IFLA_VF_TRUST]); tr && tr->setting != ~0u) v.trust = tr->setting != 0;
    return Status::success();
}

}  // namespace

Status read_vf_links(netlink::NetlinkSocket& rtnl, int pf_ifindex, std::vector<VfLink>& out) {
    NlMsgPtr m = link_message(RTM_GETLINK, NLM_F_REQUEST, pf_ifindex);
    if (!m || nla_put_u32(m.get(), IFLA_EXT_MASK, RTEXT_FILTER_VF) < 0) {
        return Status::failure(ENOMEM, "cannot build RTM_GETLINK");
    }
    out.clear();
    Status parsed = Status::success();
    Status s = rtnl.dump(std::move(m), [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWLINK || !parsed.ok()) return;
        nlattr* tb[IFLA_MAX + 1] = {};
        parsed = netlink::parse_message(tb, kLinkPolicy, h, sizeof(ifinfomsg));
        if (!parsed.ok() || !tb[IFLA_VFINFO_LIST]) return;
        nlattr* info;
        int rem;
        nla_for_each_nested(info, tb[IFLA_VFINFO_LIST], rem) {
            if (nla_type(info) != IFLA_VF_INFO) continue;
            VfLink v;
            parsed = parse_vf(info, v);
            if (!parsed.ok()) return;
            out.push_back(v);
        }
    });
    if (s.ok()) s = parsed;
    if (!s.ok()) s.reason = "reading VF settings of ifindex " + std::to_string(pf_ifindex) + ": " + s.reason;
    return s;
}

Status set_vf(netlink::NetlinkSocket& rtnl, int pf_ifindex, const VfSettings& v) {
    NlMsgPtr m = link_message(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, pf_ifindex);
    if (!m) return Status::failure(ENOMEM, "cannot build RTM_SETLINK");
    nlattr* list = nla_nest_start(m.get(), IFLA_VFINFO_LIST);
    nlattr* info = list ? nla_nest_start(m.get(), IFLA_VF_INFO) : nullptr;
    if (!info) return Status::failure(EMSGSIZE, "message full");
    auto put = [&](int attr, const auto& value) { return nla_put(m.get(), attr, sizeof value, &value) >= 0; };
    bool ok = true;
    if (v.mac) {
        ifla_vf_mac x{};
        x.vf = v.vf;
        std::memcpy(x.mac, v.mac->data(), 6);
        ok = ok && put(IFLA_VF_MAC, x);
    }
    if (v.vlan_qos) ok = ok && put(IFLA_VF_VLAN, ifla_vf_vlan{v.vf, v.vlan_qos->first, v.vlan_qos->second});
    if (v.spoofchk) ok = ok && put(IFLA_VF_SPOOFCHK, ifla_vf_spoofchk{v.vf, *v.spoofchk ? 1u : 0u});
    if (v.trust) ok = ok && put(IFLA_VF_TRUST, ifla_vf_trust{v.vf, *v.trust ? 1u : 0u});
    if (v.max_tx_rate_mbps) ok = ok && put(IFLA_VF_RATE, ifla_vf_rate{v.vf, 0, *v.max_tx_rate_mbps});
    if (!ok) return Status::failure(EMSGSIZE, "message full");
    nla_nest_end(m.get(), info);
    nla_nest_end(m.get(), list);
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    return rtnl.transact(batch).front();
}

}  // namespace snoc::nic
