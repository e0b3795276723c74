// Small spellings the printed tc command shares between its key and action printers.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace snoc::offload::tc {

// "0x1f": how tc reads (and prints) masks, ethertypes and flag words.
inline std::string tc_hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace snoc::offload::tc
