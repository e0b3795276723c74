// tunnel_key: set (tunnel_encap; a mirred to the tunnel device follows) and
// unset (tunnel_decap).
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_tunnel_key.h>
#include <netlink/attr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "netlink/attr_struct.h"
#include "flow/net_address.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"

namespace snoc::offload::tc {
namespace {

constexpr uint16_t kVxlanPort = 4789, kGenevePort = 6081;

// The encoder always sends a UDP port for VXLAN and Geneve: the type's own
// unless the flow sets one.
uint16_t udp_port(const flow::TunnelEncap& enc) {
    return enc.dst_port ? enc.dst_port : enc.type == flow::TunnelType::Geneve ? kGenevePort : kVxlanPort;
}

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext&) {
    const auto& enc = std::get<TunnelKeyParams>(a.params).encap;
    tc_tunnel_key p = piped<tc_tunnel_key>();
    p.t_action = enc ? TCA_TUNNEL_KEY_ACT_SET : TCA_TUNNEL_KEY_ACT_RELEASE;
    if (auto s = w.put(TCA_TUNNEL_KEY_PARMS, p); !s.ok() || !enc) return s;
    if (enc->src != std::array<uint8_t, 4>{}) {
        if (auto s = w.put_bytes(TCA_TUNNEL_KEY_ENC_IPV4_SRC, enc->src.data(), 4); !s.ok()) return s;
    }
    if (auto s = w.put_bytes(TCA_TUNNEL_KEY_ENC_IPV4_DST, enc->dst.data(), 4); !s.ok()) return s;
    if (enc->id > 0xffffffffu) return Status::failure(EOPNOTSUPP, "tc tunnel keys are 32 bits");
    if (auto s = w.put<uint32_t>(TCA_TUNNEL_KEY_ENC_KEY_ID, htonl(static_cast<uint32_t>(enc->id))); !s.ok()) return s;
    if (enc->type != flow::TunnelType::Gre) return w.put<uint16_t>(TCA_TUNNEL_KEY_ENC_DST_PORT, htons(udp_port(*enc)));
    return Status::success();
}

std::string print(const TcAction& a, const TranslateContext&) {
    const auto& enc = std::get<TunnelKeyParams>(a.params).encap;
    if (!enc) return "tunnel_key unset";
    net::IpAddress src, dst;
    std::copy(enc->src.begin(), enc->src.end(), src.bytes.begin());
    std::copy(enc->dst.begin(), enc->dst.end(), dst.bytes.begin());
    return "tunnel_key set src_ip " + net::format_ip(src) + " dst_ip " + net::format_ip(dst) + " id " +
           std::to_string(enc->id) +
           (enc->type != flow::TunnelType::Gre ? " dst_port " + std::to_string(udp_port(*enc)) : "");
}

Status decode(nlattr* const opt[], const TranslateContext&, ActionDecodeState& st) {
    auto p = netlink::attr_struct<tc_tunnel_key>(opt[TCA_TUNNEL_KEY_PARMS]);
    if (!p) return Status::failure(EINVAL, "tunnel_key without parameters");
    if (p->t_action == TCA_TUNNEL_KEY_ACT_RELEASE) {
        st.actions.push_back(flow::TunnelDecap{});
        return Status::success();
    }
    flow::TunnelEncap enc;
    if (opt[TCA_TUNNEL_KEY_ENC_IPV4_SRC]) std::memcpy(enc.src.data(), nla_data(opt[TCA_TUNNEL_KEY_ENC_IPV4_SRC]), 4);
    if (opt[TCA_TUNNEL_KEY_ENC_IPV4_DST]) std::memcpy(enc.dst.data(), nla_data(opt[TCA_TUNNEL_KEY_ENC_IPV4_DST]), 4);
    if (opt[TCA_TUNNEL_KEY_ENC_KEY_ID]) enc.id = ntohl(nla_get_u32(opt[TCA_TUNNEL_KEY_ENC_KEY_ID]));
    if (opt[TCA_TUNNEL_KEY_ENC_DST_PORT]) enc.dst_port = ntohs(nla_get_u16(opt[TCA_TUNNEL_KEY_ENC_DST_PORT]));
    enc.type = enc.dst_port == kGenevePort           ? flow::TunnelType::Geneve
               : opt[TCA_TUNNEL_KEY_ENC_DST_PORT] ? flow::TunnelType::Vxlan
                                                  : flow::TunnelType::Gre;
    st.pending_encap = enc;
    return Status::success();
}

}  // namespace

const ActionKind& tunnel_key_kind() {
    static const netlink::AttrPolicy options{
        "tunnel_key options",
        {netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_TUNNEL_KEY_TM)),
         netlink::struct_attr<tc_tunnel_key>(SNOC_NLA(TCA_TUNNEL_KEY_PARMS)),
         netlink::bytes_attr(SNOC_NLA(TCA_TUNNEL_KEY_ENC_IPV4_SRC), 4),
         netlink::bytes_attr(SNOC_NLA(TCA_TUNNEL_KEY_ENC_IPV4_DST), 4),
         netlink::u32_attr(SNOC_NLA(TCA_TUNNEL_KEY_ENC_KEY_ID)),
         netlink::u16_attr(SNOC_NLA(TCA_TUNNEL_KEY_ENC_DST_PORT))}};
    static const ActionKind kind{"tunnel_key", options, TCA_TUNNEL_KEY_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
