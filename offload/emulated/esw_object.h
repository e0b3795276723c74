// The compiled eSwitch BPF object (esw.bpf.c), embedded at build time by
// cmake/EmbedBinary.cmake so the library needs no file at run time.
#pragma once

#include <cstddef>
#include <span>

namespace snoc::offload::emulated {

std::span<const unsigned char> esw_bpf_object();

}  // namespace snoc::offload::emulated
