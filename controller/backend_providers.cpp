#include "controller/backend_providers.h"

#include <algorithm>

#include "offload/rte_flow/rte_provider.h"
#include "offload/tc/tc_provider.h"
#ifdef SNOC_HAVE_EMULATED
#include "offload/emulated/emulated_provider.h"
#endif

namespace snoc {

const std::vector<offload::BackendProvider>& backend_providers() {
    static const std::vector<offload::BackendProvider> providers = [] {
        std::vector<offload::BackendProvider> v{offload::tc::tc_provider(), offload::rte::rte_flow_provider()};
#ifdef SNOC_HAVE_EMULATED
        v.push_back(offload::emulated::emulated_provider());
#endif
        return v;
    }();
    return providers;
}

const offload::BackendProvider* find_provider(offload::Backend kind) {
    const auto& all = backend_providers();
    auto it = std::find_if(all.begin(), all.end(), [kind](const offload::BackendProvider& p) { return p.kind == kind; });
    return it == all.end() ? nullptr : &*it;
}

bool has_backend_mark(std::string_view ufid) {
    for (const auto& p : backend_providers()) {
        for (const auto& mark : p.dump_marks) {
            if (ufid.starts_with(mark)) return true;
        }
    }
    return false;
}

}  // namespace snoc
