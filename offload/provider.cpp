#include "offload/provider.h"

namespace snoc::offload {

std::string_view to_string(Opening o) {
    switch (o) {
        case Opening::Shared: return "shared";
        case Opening::ByNic: return "by-nic";
        case Opening::Elsewhere: return "elsewhere";
    }
    return "unknown";
}

std::string_view to_string(ByteCounting b) {
    switch (b) {
        case ByteCounting::FromNetworkHeader: return "from-network-header";
        case ByteCounting::WholeFrames: return "whole-frames";
    }
    return "unknown";
}

}  // namespace snoc::offload
