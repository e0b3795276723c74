// The tc-flower backend's entry in the provider table (offload/provider.h):
// one shared TcBackend over one rtnetlink socket for every table, byte
// counters from the network header, its filters visible in OVS's tc dump
// through their action cookie, every rule sayable as `tc filter add`.
#pragma once

#include "offload/provider.h"

namespace snoc::offload::tc {

BackendProvider tc_provider();

}  // namespace snoc::offload::tc
