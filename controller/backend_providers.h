// The provider table (offload/provider.h) of this build: the one place the
// controller names concrete backends. Everything else finds a backend's
// entry by kind.
#pragma once

#include <string_view>
#include <vector>

#include "offload/provider.h"

namespace snoc {

// The registered providers, in registration order: tc-flower, rte_flow,
// then emulated when this build has it.
const std::vector<offload::BackendProvider>& backend_providers();
// The entry of a kind; null when this build has none.
const offload::BackendProvider* find_provider(offload::Backend kind);

// True when a datapath flow's ufid carries a registered backend's mark: one
// of snoc's own rules seen through OVS's dump.
bool has_backend_mark(std::string_view ufid);

}  // namespace snoc
