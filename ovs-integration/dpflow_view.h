// A datapath flow dump read for accounting: one compact record per flow,
// with views into the dump text instead of copies, and no canonical Match.
//
// A poll of a busy datapath is up to OVS's flow-limit (200,000 flows, ~90 MB
// of text) every few seconds. Accounting (placement, per-flow deltas, the
// in_port) needs a flow's counters and a few short fields; only flows that
// are explained (software placements, when their reasons are not cached)
// need the canonical flow::Match. So the scan checks every line exactly as
// parse_dpflow_line does (same errors, so a dump reads the same either way)
// but keeps only this record, and to_dpflow() builds the full DpFlow for the
// few that need it. Field names are DpFlow's, so code reading one reads both.
//
// Every view points into the text that was scanned: the text must outlive
// the records (DatapathPoll keeps it alive for its flows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovs-integration/dpflow_parse.h"

namespace snoc::ovs {

struct DpFlowView {
    std::optional<std::string_view> ufid;
    std::string_view key_text;      // the datapath key as printed
    std::string_view in_port;       // in_port(...) as printed ("rep0", "2"); "" without one
    uint64_t packets = 0;
    uint64_t bytes = 0;
    std::optional<double> used_seconds;  // "used:never" -> nullopt
    std::optional<bool> offloaded;       // as DpFlow::offloaded
    bool partial_offload = false;
    uint32_t recirc_id = 0;
    std::string_view dp;            // "ovs", "tc", "dpdk", ... ("" when not printed)
    std::string_view actions_text;  // everything after "actions:" (before dp-extra-info)
    std::string_view dp_extra_info;
    std::string_view source;        // the dump section (DpFlow::source)
};

struct DpFlowScan {
    std::vector<DpFlowView> flows;
    std::vector<DpFlowError> errors;  // as parse_dpflow_dump reports them
};

// One flow line (without its section; source stays ""). Returns the error
// parse_dpflow_line would give, else fills `out`. Never throws.
std::optional<std::string> scan_dpflow_line(std::string_view line, DpFlowView& out);

// A whole dump, as parse_dpflow_dump reads it (blank lines, section
// headers, per-line errors). Never throws (but for allocation failure).
//
// A full datapath is ~90 MB of text each poll: the text is split at line
// boundaries into up to `threads` parts of at least `min_part_bytes` each,
// read in parallel (the calling thread reads the first, one more thread
// each reads the others), then joined in order. The result is the same
// records, in the same order, with the same errors and line numbers as one
// pass over the text (tests/unit/dpflow_view_test.cpp compares them);
// threads = 1, or a dump under 2 * min_part_bytes, is that one pass.
// Without `threads`: default_dpflow_scan_threads(). While the parts are
// joined the records of all but the first exist twice (~16 MB more at
// the peak for a full datapath read by two threads).
inline constexpr size_t kDpflowMinPartBytes = size_t{1} << 20;
DpFlowScan scan_dpflow_dump(std::string_view text);
DpFlowScan scan_dpflow_dump(std::string_view text, unsigned threads, size_t min_part_bytes = kDpflowMinPartBytes);

// min(2, hardware threads): an edge server's poll should not take over
// the cores its datapath and workloads run on.
unsigned default_dpflow_scan_threads();

// The full record, with the canonical Match and unmapped keys, for a record
// scan_dpflow_* produced (its key was already checked, so this cannot fail;
// a hand-made record with a malformed key gets what was read before the error).
DpFlow to_dpflow(const DpFlowView& v);

}  // namespace snoc::ovs
