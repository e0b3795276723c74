// The emulated eSwitch's entry in the provider table (offload/provider.h).
// Its backend exists only with its NIC: the emulated NIC's bring-up loads
// or adopts the eSwitch and makes the backend over its table
// (Opening::ByNic). Its counters count whole frames; OVS never sees its
// rules (they run before any packet reaches OVS's ports).
#pragma once

#include "offload/provider.h"

namespace snoc::offload::emulated {

BackendProvider emulated_provider();

}  // namespace snoc::offload::emulated
