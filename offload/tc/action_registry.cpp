#include <array>

#include "offload/tc/action_kind.h"

namespace snoc::offload::tc {

std::span<const ActionKind* const> action_kinds() {
    static const std::array<const ActionKind*, 8> kinds = {&gact_kind(), &mirred_kind(), &vlan_kind(),
                                                           &pedit_kind(), &csum_kind(), &police_kind(),
                                                           &ct_kind(), &tunnel_key_kind()};
    return kinds;
}

const ActionKind* find_action_kind(std::string_view kind) {
    for (const ActionKind* k : action_kinds()) {
        if (k->kind == kind) return k;
    }
    return nullptr;
}

}  // namespace snoc::offload::tc
