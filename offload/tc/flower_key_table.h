// Every flower key snoc speaks, described once: its TCA_FLOWER_KEY_* key and
// mask attributes, the canonical field it carries, how the attribute's bytes
// hold the field's, and the word `tc filter add ... flower` uses for it. The
// one table drives encoding (flower_keys.cpp: flow -> netlink), decoding
// (netlink -> flow), the attribute policy decoding checks against, and the
// printed command (tc_command.cpp). Rows are in the order tc_command prints.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "flow/flow.h"

namespace snoc::offload::tc {

// How the attribute holds the field.
enum class KeyCodec : uint8_t {
    Bytes,        // the field's network-order bytes, as wide as the field
    Host16,       // a host-order u16 (VLAN id, conntrack zone)
    Host32,       // a host-order u32 (conntrack mark)
    TunnelId,     // the 64-bit tunnel id as a network-order u32
    CtFlags,      // ct_state bits as TCA_FLOWER_KEY_CT_FLAGS_* (snat / dnat have none)
    Tos,          // DSCP (ip_dscp) and ECN (ip_ecn) share the TOS byte
    EthType,      // the ethertype, or the VLAN TPID when the match has VLAN keys
    VlanEthType,  // the ethertype inside a VLAN tag
};
std::string_view to_string(KeyCodec c);

// Which mask goes with the key.
enum class KeyMask : uint8_t {
    Masked,  // the match's mask, in the mask attribute
    Exact,   // flower has no mask: only exact matches translate
    Full,    // an all-ones mask attribute; the key is read back exact
};
std::string_view to_string(KeyMask m);

// How tc_command spells the value after the word.
enum class KeyPrint : uint8_t {
    Syntax,       // the policy syntax's notation (MACs, addresses, prefixes)
    Number,       // "N", or "N/0xMASK" when masked
    Decimal,      // "N"
    HexMasked,    // "0xV/0xMASK"
    IpProtoWord,  // tcp, udp, ... (tc reads a bare number as hex)
    EthTypeWord,  // ip, ipv6 or 0x...
    CtFlags,      // +trk-new...
    Header,       // not a key word: the command's `protocol` says it
};
std::string_view to_string(KeyPrint p);

struct FlowerKey {
    flow::Field field;
    int key;                     // TCA_FLOWER_KEY_*
    std::string_view key_name;   // its name, for errors
    int mask;                    // TCA_FLOWER_KEY_*_MASK, 0 when none
    std::string_view mask_name;
    std::string_view word;       // tc's word: "dst_mac", "ip_proto", "enc_key_id"
    KeyCodec codec;
    KeyMask mask_kind;
    KeyPrint print;
    uint8_t ip_proto = 0;        // only for this IP protocol (ports, ICMP); 0: any
    bool fallback = false;       // taken when no row of the field matches the protocol
    std::string_view exact_why;  // when a masked match cannot translate: why
};

std::span<const FlowerKey> flower_keys();

// tc's name of an IP protocol ("tcp"), empty for one it has no name for.
std::string_view ip_proto_name(uint8_t proto);

// Payload bytes of the key's attribute (and its mask's).
size_t key_bytes(const FlowerKey& k);

// Whether the row has something to say about the match: its field is set,
// or (TOS, ethertype behind a VLAN tag) the fields its codec combines are.
bool key_present(const FlowerKey& k, const flow::Match& m);

// True when the match has VLAN keys (the frame is tagged).
bool has_vlan(const flow::Match& m);

// The TOS byte of the DSCP and ECN matches, and its mask.
struct TosByte {
    uint8_t value = 0;
    uint8_t mask = 0;
};
TosByte tos_byte(const flow::Match& m);

// OVS ct_state bit <-> flower ct flag, in the order tc prints them.
struct CtFlag {
    uint32_t ovs_bit;    // flow::kCt*
    uint16_t flower_bit; // TCA_FLOWER_KEY_CT_FLAGS_*
};
std::span<const CtFlag> flower_ct_flags();

}  // namespace snoc::offload::tc
