#include "offload/backend.h"

namespace snoc::offload {

std::string_view to_string(Residency r) {
    switch (r) {
        case Residency::Any: return "any";
        case Residency::HardwareOnly: return "hardware-only";
        case Residency::SoftwareOnly: return "software-only";
    }
    return "unknown";
}

}  // namespace snoc::offload
