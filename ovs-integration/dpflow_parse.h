// Reads `ovs-appctl dpctl/dump-flows [-m]` output (OVS 3.1) into DpFlow values.
//
// One dump line is, in the order lib/dpctl.c prints it:
//   [ufid:<uuid>, ]<key>, packets:N, bytes:N, used:<secs>s|never[, flags:...]
//   [, offloaded:yes|partial][, dp:ovs|tc|dpdk], actions:<actions>[, dp-extra-info:...]
// <key> is the datapath key as lib/odp-util.c formats it (see dpflow_key.h).
// The kernel datapath, the userspace (netdev) datapath and tc-offloaded flows
// all use this grammar; they differ only in which keys and trailing fields
// appear.
//
// The key is mapped onto the canonical flow model (flow/flow.h), so
// monitoring can compare what the datapath runs with what the plan wanted.
// Keys the model has no field for that really constrain the flow are kept
// in DpFlow::unmapped_keys so the translation can report them.
//
// A DpFlow is the full record (~1 KB with its Match). Per-poll accounting
// of a whole datapath reads the compact records of dpflow_view.h instead and
// builds a DpFlow only for the flows it explains; both read lines the same
// way and report the same errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"

namespace snoc::ovs {

struct DpFlow {
    std::optional<std::string> ufid;
    // in_port holds the datapath port as printed: a name ("rep0") or, when
    // OVS has no name for it, the datapath port number ("2").
    flow::Match match;
    uint64_t packets = 0;
    uint64_t bytes = 0;
    std::optional<double> used_seconds;  // "used:never" -> nullopt
    // offloaded:yes -> true, offloaded:no -> false, absent -> nullopt.
    // OVS 3.1 prints the field only for offloaded flows; offloaded:partial
    // (DPDK mark-and-recirculate: the NIC classifies, OVS still runs the
    // actions) sets offloaded = true and partial_offload = true.
    std::optional<bool> offloaded;
    bool partial_offload = false;
    std::string dp;            // "ovs", "tc", "dpdk", ... ("" when not printed)
    std::string actions_text;  // everything after "actions:" (before dp-extra-info)
    std::string dp_extra_info;
    std::string key_text;      // the datapath key as printed: identity when there is no ufid
    // recirc_id(N): 0 is a packet's first pass; N != 0 matches packets that
    // came back after a recirculation (ct(...),recirc(N) or a bond hash), the
    // datapath's equivalent of a later OpenFlow table / tc chain N.
    uint32_t recirc_id = 0;
    // Key items with no canonical field that constrain the flow, as printed
    // ("skb_mark(0x1)", "ipv4(frag=first)", "geneve({class=0x102,...})").
    std::vector<std::string> unmapped_keys;
    // The dump section the line came from, as its header names it ("the main
    // thread", "pmd on cpu core: 3"; "" without a header):
    // the userspace datapath keeps one copy of a flow, with its own counters,
    // per PMD thread, so (source, ufid) is what identifies a counter.
    std::string source;
};

struct DpFlowLineResult {
    std::optional<DpFlow> flow;        // set on success
    std::optional<std::string> error;  // set on failure: what is wrong, quoting the offending text
};

struct DpFlowError {
    size_t line = 0;   // 1-based line number in the dump
    std::string text;  // the whole line
    std::string message;
};

struct DpFlowDump {
    std::vector<DpFlow> flows;
    std::vector<DpFlowError> errors;
};

// Parses a datapath key list ("eth(src=...),ipv4(ttl=63)") into out.match,
// out.recirc_id (left as it was without a recirc_id(...)) and
// out.unmapped_keys; also what set(...) actions carry.
// Returns the error, quoting the offending text. Never throws.
std::optional<std::string> parse_dpflow_key(std::string_view key, DpFlow& out);

// Parses one flow line. Never throws.
DpFlowLineResult parse_dpflow_line(std::string_view line);

// Parses a whole dump: skips blank lines, tracks "flow-dump from ..." section
// headers (stored in DpFlow::source), and collects per-line errors instead of
// stopping at the first one. Never throws.
DpFlowDump parse_dpflow_dump(std::string_view output);

}  // namespace snoc::ovs
