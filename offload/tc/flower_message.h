// Whole tc filter messages: a TcRule as RTM_NEWTFILTER / RTM_DELTFILTER, and
// a dumped filter back into a TcRuleState.
#pragma once

#include <netlink/msg.h>

#include <memory>

#include "netlink/message_ptr.h"
#include "offload/status.h"
#include "offload/tc/tc_rule.h"

namespace snoc::offload::tc {

using netlink::NlMsgPtr;

// The ingress hook of clsact / ingress qdiscs.
uint32_t ingress_parent();

enum class Install : uint8_t { Create, Replace };

// RTM_NEWTFILTER for the rule, with TCA_CLS_FLAGS_VERBOSE so offload failures
// come back as extended-ack text even when software still takes the rule.
Status build_new_filter(const TcRule& rule, const TranslateContext& ctx, Install mode, NlMsgPtr& out);
// RTM_DELTFILTER for (dev, chain, prio, handle).
Status build_del_filter(const TcRule& rule, NlMsgPtr& out);
// RTM_GETTFILTER dump of every chain's ingress filters on ifindex.
Status build_dump_filters(int ifindex, NlMsgPtr& out);

// A filter message from a dump (or an echo). Non-flower filters return ENOENT.
Status decode_filter(nlmsghdr* hdr, const TranslateContext& ctx, TcRuleState& out);

}  // namespace snoc::offload::tc
