// csum: recomputes the checksums a pedit run made stale; implied by the
// rewrites, so decoding it adds no canonical action.
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>

#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"

namespace snoc::offload::tc {
namespace {

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext&) {
    tc_csum c = piped<tc_csum>();
    c.update_flags = std::get<CsumParams>(a.params).flags;
    return w.put(TCA_CSUM_PARMS, c);
}

std::string print(const TcAction& a, const TranslateContext&) {
    const uint32_t flags = std::get<CsumParams>(a.params).flags;
    std::string text = "csum";
    if (flags & TCA_CSUM_UPDATE_FLAG_IPV4HDR) text += " ip4h";
    if (flags & TCA_CSUM_UPDATE_FLAG_TCP) text += " tcp";
    if (flags & TCA_CSUM_UPDATE_FLAG_UDP) text += " udp";
    return text + " pipe";
}

Status decode(nlattr* const[], const TranslateContext&, ActionDecodeState&) { return Status::success(); }

}  // namespace

const ActionKind& csum_kind() {
    static const netlink::AttrPolicy options{"csum options",
                                             {netlink::struct_attr<tc_csum>(SNOC_NLA(TCA_CSUM_PARMS)),
                                              netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_CSUM_TM))}};
    static const ActionKind kind{"csum", options, TCA_CSUM_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
