#include "offload/backend.h"
#include "flow/enum_names.h"

namespace snoc::offload {

std::string_view to_string(Residency r) {
    static constexpr std::array<std::string_view, 3> kNames{"any", "hardware-only", "software-only"};
    static_assert(names_cover(kNames, Residency::SoftwareOnly));
    return name_of(r, kNames);
}

}  // namespace snoc::offload
