#include "offload/status.h"

#include <cstring>

namespace snoc::offload {

std::string to_string(const Status& s) {
    if (s.ok()) return "ok";
    return std::string(std::strerror(s.error)) + ": " + s.reason;
}

}  // namespace snoc::offload
