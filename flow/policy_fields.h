// Private to flow/policy_*.cpp: the names of match fields and protocol
// shorthands in the policy syntax. One table drives reading and printing, so
// a name the printer emits is always a name the parser accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow.h"
#include "flow/policy_values.h"

namespace snoc::flow::syntax {

// How a name's value is written when that differs from the field's FieldKind.
enum class Form : uint8_t {
    Plain,    // the field's own notation (FieldKind)
    Tos,      // nw_tos: the whole TOS byte (DSCP << 2) with the ECN bits clear
    DlVlan,   // dl_vlan: 0-4095; 0xffff (untagged) is refused
    VlanVid,  // OXM vlan_vid: the VLAN id plus the 0x1000 "tag present" bit
    VlanTci,  // vlan_tci=V[/M]: present bit, VLAN id and PCP in one 16-bit value
};

struct FieldSyntax {
    std::string_view name;
    Field field;
    Form form = Form::Plain;
    bool prints = false;      // the name the printer uses for the field
    bool match_only = false;  // not a set_field target
    uint8_t proto = 0;        // tcp_src & co: the nw_proto the name implies (0: any)
};

std::span<const FieldSyntax> field_syntaxes();
const FieldSyntax* find_field_syntax(std::string_view name);
const FieldSyntax& printed_syntax(Field f);

// OVS lets set_field write a field unless it describes the packet's
// type or the connection tracker's state.
bool is_writable(Field f);

struct FieldValue {
    Field field;
    Masked value;
};
// The value of a match term written with `s`. Usually one field; vlan_tci
// gives VLAN id and/or PCP, or nothing for a zero mask.
Result<std::vector<FieldValue>> parse_match_term(const FieldSyntax& s, std::string_view value);
// The value of set_field:VALUE->NAME or of a mod_* action written with `s`:
// a SetField, SetVlanVid or SetVlanPcp. `name` is the name used in the rule.
Result<Action> parse_set_value(const FieldSyntax& s, std::string_view value, std::string_view name, bool allow_mask);

// The value as `s` writes it (nw_tos: DSCP << 2).
std::string format_term_value(const FieldSyntax& s, const Masked& m);
// One match term, "name=value[/mask]".
std::string format_term(Field f, const Masked& m);
// VLAN id and PCP as one vlan_tci term, for masks dl_vlan cannot express.
std::string format_vlan_tci(const std::optional<Masked>& vid, const std::optional<Masked>& pcp);

// ip, tcp, icmp6, ...: dl_type and, for some, nw_proto in one word.
struct Shorthand {
    std::string_view name;
    uint16_t eth_type;
    std::optional<uint8_t> proto;
};
std::span<const Shorthand> shorthands();
const Shorthand* find_shorthand(std::string_view name);
// The word for exactly this dl_type / nw_proto pair (proto nullopt: dl_type only).
const Shorthand* shorthand_for(uint16_t eth_type, std::optional<uint8_t> proto);

}  // namespace snoc::flow::syntax
