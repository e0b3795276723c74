// The canonical flow: one match + one action list, independent of any backend.
//
// Every front end (the ovs-ofctl policy syntax) parses into it and every
// backend (tc-flower, rte_flow, the emulated eSwitch) translates from it, so a
// field or action is defined exactly once, here and in field_table.cpp.
//
// Values are stored in network byte order, the order both netlink (flower
// keys) and rte_flow item specs want, so backends copy bytes instead of
// converting numbers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace snoc::flow {

// Match fields. The order is the printing order of the policy syntax.
enum class Field : uint8_t {
    EthSrc,
    EthDst,
    EthType,
    VlanVid,   // 12-bit VLAN id; matching it implies a VLAN tag is present
    VlanPcp,   // 3-bit priority code point
    Ipv4Src,
    Ipv4Dst,
    Ipv6Src,
    Ipv6Dst,
    IpProto,
    IpDscp,    // 6-bit DSCP (the upper six bits of the TOS byte)
    IpEcn,     // 2-bit ECN
    IpTtl,     // TTL / hop limit
    TpSrc,     // TCP / UDP / SCTP source port
    TpDst,
    TcpFlags,  // 12 bits, OVS layout (fin=0x001 ... ns=0x100)
    IcmpType,
    IcmpCode,
    TunId,     // 64-bit tunnel key (VXLAN VNI / Geneve VNI / GRE key)
    TunSrc,    // outer IPv4 source of a received tunnel packet
    TunDst,
    CtState,   // OVS ct_state bits, see CtStateBit
    CtZone,
    CtMark,
};
inline constexpr size_t kFieldCount = static_cast<size_t>(Field::CtMark) + 1;

// How a field's value is written and read in the policy syntax.
enum class FieldKind : uint8_t { Mac, Ipv4, Ipv6, Uint, TcpFlags, CtState };

// Static facts about one field; see field_table.cpp for the table itself.
struct FieldInfo {
    Field id;
    std::string_view name;        // canonical name used in NIC profiles, reasons, docs ("ipv4_src")
    std::string_view ofctl_name;  // name ovs-ofctl prints ("nw_src")
    FieldKind kind;
    uint8_t bytes;                // storage width in network byte order
    uint8_t bits;                 // significant bits (VLAN id: 12 of 16)
    bool ofctl_maskable;          // ovs-ofctl accepts value/mask for it
};

const FieldInfo& field_info(Field f);
std::string_view to_string(Field f);  // canonical name
std::optional<Field> field_from_name(std::string_view canonical_name);
// All fields, in enum order (for tables, docs and profile validation).
const std::array<FieldInfo, kFieldCount>& all_fields();

// ct_state bits as OVS numbers them.
enum CtStateBit : uint32_t {
    kCtNew = 0x01,
    kCtEst = 0x02,
    kCtRel = 0x04,
    kCtRpl = 0x08,
    kCtInv = 0x10,
    kCtTrk = 0x20,
    kCtSnat = 0x40,
    kCtDnat = 0x80,
};

// A value and its mask in network byte order; only the first
// field_info(f).bytes bytes are meaningful. value is always pre-masked.
struct Masked {
    std::array<uint8_t, 16> value{};
    std::array<uint8_t, 16> mask{};

    static Masked from_uint(uint64_t value, uint64_t mask, size_t bytes);
    // All `bytes` bytes masked; Match::set trims the mask to the field's bits.
    static Masked exact_uint(uint64_t value, size_t bytes);
    uint64_t value_uint(size_t bytes) const;
    uint64_t mask_uint(size_t bytes) const;
    bool operator==(const Masked&) const = default;
};

// The all-ones mask of a field (VLAN id: 0x0fff).
Masked full_mask(Field f);
// True when the mask covers every significant bit of the field (bits beyond
// the field's width are ignored).
bool is_exact(Field f, const Masked& m);
// For address fields: the prefix length when the mask is a CIDR prefix.
std::optional<unsigned> prefix_length(Field f, const Masked& m);

class Match {
public:
    // in_port is a port name (workload, NIC uplink or tunnel port), never a number.
    std::optional<std::string> in_port;

    bool has(Field f) const { return fields_[index(f)].has_value(); }
    const Masked& get(Field f) const { return *fields_[index(f)]; }
    const std::optional<Masked>& find(Field f) const { return fields_[index(f)]; }
    // Stores value & mask. A zero mask removes the field (it matches anything).
    void set(Field f, Masked m);
    void set_exact_uint(Field f, uint64_t value);
    void clear(Field f) { fields_[index(f)].reset(); }
    // Fields present, in enum order.
    std::vector<Field> present() const;
    bool empty() const;

    bool operator==(const Match&) const = default;

private:
    static size_t index(Field f) { return static_cast<size_t>(f); }
    std::array<std::optional<Masked>, kFieldCount> fields_{};
};

// --- Actions -------------------------------------------------------------

struct Output { std::string port; bool operator==(const Output&) const = default; };
struct Drop { bool operator==(const Drop&) const = default; };
// OVS's NORMAL (MAC learning switch): software only by nature.
struct Normal { bool operator==(const Normal&) const = default; };
struct PushVlan { uint16_t tpid = 0x8100; bool operator==(const PushVlan&) const = default; };
struct PopVlan { bool operator==(const PopVlan&) const = default; };
struct SetVlanVid { uint16_t vid = 0; bool operator==(const SetVlanVid&) const = default; };
struct SetVlanPcp { uint8_t pcp = 0; bool operator==(const SetVlanPcp&) const = default; };
// Rewrite of a header field (mod_dl_src, mod_nw_dst, set_field:...->tun_id, ...).
struct SetField {
    Field field{};
    Masked value;  // mask is full_mask(field) unless the policy gave one
    bool operator==(const SetField&) const = default;
};
struct DecTtl { bool operator==(const DecTtl&) const = default; };
// Rate limit by a meter declared in the deployment spec.
struct Meter { uint32_t id = 0; bool operator==(const Meter&) const = default; };
// Send through connection tracking (ovs-ofctl ct(...)).
struct Ct {
    bool commit = false;
    uint16_t zone = 0;
    std::optional<uint8_t> table;  // recirculate into this table afterwards
    bool operator==(const Ct&) const = default;
};
struct CtClear { bool operator==(const CtClear&) const = default; };
struct GotoTable { uint8_t table = 0; bool operator==(const GotoTable&) const = default; };

// Produced by lowering (lower_tunnels), never by the parser: the policy syntax
// says set_field:...->tun_dst,output:vxlan0 and the port table knows that
// vxlan0 is a VXLAN port.
enum class TunnelType : uint8_t { Vxlan, Geneve, Gre };
std::string_view to_string(TunnelType t);
std::optional<TunnelType> tunnel_type_from_name(std::string_view name);

struct TunnelEncap {
    TunnelType type = TunnelType::Vxlan;
    uint64_t id = 0;                       // VNI / key
    std::array<uint8_t, 4> src{};          // outer IPv4 source (network order)
    std::array<uint8_t, 4> dst{};          // outer IPv4 destination
    uint16_t dst_port = 0;                 // UDP destination port (0 = type default)
    std::string port;                      // the tunnel port it leaves through
    bool operator==(const TunnelEncap&) const = default;
};
struct TunnelDecap { bool operator==(const TunnelDecap&) const = default; };
// OpenFlow set_queue:N: the queue a following output uses. For a DPDK port
// the rule's own port receives on (rte_flow ingress), set_queue + output to
// that port is the QUEUE fate; output alone spreads over its queues (RSS).
struct SetQueue { uint32_t queue = 0; bool operator==(const SetQueue&) const = default; };

using Action = std::variant<Output, Drop, Normal, PushVlan, PopVlan, SetVlanVid, SetVlanPcp, SetField,
                            DecTtl, Meter, Ct, CtClear, GotoTable, TunnelEncap, TunnelDecap, SetQueue>;

// The kind of an action as a stable name ("output", "set_field", ...), used by
// NIC profiles and in reasons.
enum class ActionKind : uint8_t {
    Output,
    Drop,
    Normal,
    PushVlan,
    PopVlan,
    SetVlanVid,
    SetVlanPcp,
    SetField,
    DecTtl,
    Meter,
    Ct,
    CtClear,
    GotoTable,
    TunnelEncap,
    TunnelDecap,
    SetQueue,
};
inline constexpr size_t kActionKindCount = static_cast<size_t>(ActionKind::SetQueue) + 1;
ActionKind kind_of(const Action& a);
std::string_view to_string(ActionKind k);
std::optional<ActionKind> action_kind_from_name(std::string_view name);

// --- Flow ----------------------------------------------------------------

inline constexpr uint16_t kDefaultPriority = 32768;  // as OVS

struct Flow {
    uint8_t table = 0;
    uint16_t priority = kDefaultPriority;
    std::optional<uint64_t> cookie;
    uint16_t idle_timeout = 0;
    uint16_t hard_timeout = 0;
    Match match;
    std::vector<Action> actions;  // empty means drop, as in OVS

    bool operator==(const Flow&) const = default;
};

// Checks OpenFlow prerequisites (nw_src needs ip, tp_dst needs tcp/udp/sctp,
// ...). Returns a message naming the field and what it needs, or nullopt.
std::optional<std::string> check_prerequisites(const Match& m);

// The flow with every port name (in_port, output, tunnel encap port) mapped
// through `map`: policy names -> OVS port names -> netdevs.
Flow with_port_names(Flow f, const std::function<std::string(const std::string&)>& map);

}  // namespace snoc::flow
