#include "offload/provider.h"
#include "flow/enum_names.h"

namespace snoc::offload {

std::string_view to_string(Opening o) {
    static constexpr std::array<std::string_view, 3> kNames{"shared", "by-nic", "elsewhere"};
    static_assert(names_cover(kNames, Opening::Elsewhere));
    return name_of(o, kNames);
}

std::string_view to_string(ByteCounting b) {
    static constexpr std::array<std::string_view, 2> kNames{"from-network-header", "whole-frames"};
    static_assert(names_cover(kNames, ByteCounting::WholeFrames));
    return name_of(b, kNames);
}

}  // namespace snoc::offload
