// The rte_flow backend's entry in the provider table (offload/provider.h).
// snoc holds no rte_flow rules itself: they live as long as the DPDK process
// that created them (OVS-DPDK, or an application owning the ports), so the
// entry opens nothing (Opening::Elsewhere). It checks that a rule the
// profile allows is sayable in rte_flow at all, and renders it as the
// testpmd `flow create` command, priorities ranked among its table's rules.
#pragma once

#include "offload/provider.h"

namespace snoc::offload::rte {

BackendProvider rte_flow_provider();

}  // namespace snoc::offload::rte
