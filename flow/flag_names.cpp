#include "flow/flag_names.h"

#include <array>

namespace snoc::flow {
namespace {

constexpr std::array<FlagName, 9> kTcpFlags = {{
    {"fin", 0x001}, {"syn", 0x002}, {"rst", 0x004}, {"psh", 0x008}, {"ack", 0x010},
    {"urg", 0x020}, {"ece", 0x040}, {"cwr", 0x080}, {"ns", 0x100},
}};

constexpr std::array<FlagName, 8> kCtStateFlags = {{
    {"new", kCtNew}, {"est", kCtEst}, {"rel", kCtRel}, {"rpl", kCtRpl},
    {"inv", kCtInv}, {"trk", kCtTrk}, {"snat", kCtSnat}, {"dnat", kCtDnat},
}};

}  // namespace

std::span<const FlagName> tcp_flag_names() { return kTcpFlags; }

std::span<const FlagName> ct_state_flag_names() { return kCtStateFlags; }

std::span<const FlagName> flag_names(Field f) { return f == Field::TcpFlags ? tcp_flag_names() : ct_state_flag_names(); }

std::string_view flag_name(Field f, uint32_t bit) {
    for (const FlagName& n : flag_names(f)) {
        if (n.bit == bit) return n.name;
    }
    return {};
}

}  // namespace snoc::flow
