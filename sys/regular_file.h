// Reading an input file whole, bounded: only a regular file (a FIFO would
// block for ever, /dev/zero never ends, a directory is a mistake), at most
// `max_bytes` of it. Specs and NIC profiles come through here, so no input
// can take unbounded memory or time before a parser sees it.
#pragma once

#include <cstddef>
#include <string>

#include "offload/status.h"

namespace snoc::sys {

// On failure the reason says what the path is ("a FIFO, not a regular
// file") or how large it is against the limit, without the path (the caller
// names it where it reports).
offload::Status read_regular_file(const std::string& path, size_t max_bytes, std::string& out);

// "4 MiB", "512 KiB", "100 bytes": a limit as people read it.
std::string format_size(size_t bytes);

}  // namespace snoc::sys
