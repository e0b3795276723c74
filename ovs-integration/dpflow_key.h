// The datapath key grammar of `dpctl/dump-flows` (lib/odp-util.c), read
// either into a canonical flow::Match or only checked.
//
// <key> is comma-separated `name(body)` items, where body is a scalar
// (`eth_type(0x0800)`), an attribute list (`ipv4(src=10.0.0.1/0.0.0.0,proto=6)`)
// or, for `encap(...)`, a nested key. `value/mask` is masked, a bare value is
// exact, and a zero mask is a wildcard, so it is left out of the Match. Keys
// the model has no field for (skb_mark, nd, arp, ...) must still be well
// formed; when they really constrain the flow (not wildcarded, not the zero
// every unmarked packet carries) they are reported as unmapped, as printed
// ("skb_mark(0x1)"), so the translation can say so instead of silently
// widening the match. So are the parts of a key the model cannot say: the
// inner tag of a QinQ packet (the outer one maps to vlan_vid / vlan_pcp),
// an outer 802.1ad TPID, flag bits past the canonical field.
//
// Checking and building are one parser so they cannot disagree: a per-poll
// scan checks every flow's key (same errors as a full parse) without
// building anything, and the Match is built later only for the flows that
// need it (see dpflow_view.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"

namespace snoc::ovs {

// What accounting needs from a key; views into the key text.
struct DpKeyFacts {
    std::string_view in_port;  // as printed ("rep0", "2"); "" without in_port(...) (never empty with one)
    // recirc_id(N): 0 is a packet's first pass (see DpFlow::recirc_id).
    uint32_t recirc_id = 0;
};

// Reads `key` ("eth(src=...),ipv4(ttl=63)"). `match` and `unmapped` are
// filled when given; with both null the key is only checked, allocating
// nothing unless it is malformed. Returns the error, quoting the offending
// text. Never throws.
std::optional<std::string> read_dpflow_key(std::string_view key, DpKeyFacts& facts, flow::Match* match,
                                           std::vector<std::string>* unmapped);

// The fast path of a dump scan: when `text` (a dump line after its ufid)
// starts with a key spelled as OVS prints it (no blanks, nothing nested but
// encap(...)) that reads cleanly and is followed by ", ", checks it in one
// pass and returns its length; read_dpflow_key on that prefix would accept
// it with the same facts. nullopt for anything else, including any error:
// the caller then finds the key's end and calls read_dpflow_key, whose
// verdict and message stand. `facts` is only meaningful on success.
std::optional<size_t> check_canonical_dpflow_key(std::string_view text, DpKeyFacts& facts);

// One sentence on why an entry of `unmapped` (as read_dpflow_key wrote it)
// has no canonical form, for its match-unsupported reason: the outer tag's
// 802.1ad TPID (eth_type(0x88a8)), the inner tag of a QinQ packet
// (encap(vlan(...))), an ARP attribute (naming the canonical field it needs),
// flag bits past the canonical field, an attribute OVS has no name for
// (key32(...)), or any other key. `match` is the flow's canonical match.
std::string describe_unmapped_key(std::string_view printed, const flow::Match& match);

}  // namespace snoc::ovs
