// Actions of the policy syntax (see policy_actions.h).
//
// kActions is the one list of action names: each row reads its action and,
// unless it is only an alias, prints it back. The printer asks the rows in
// order and the first that recognises the action prints it, so the mod_*
// rows come before the general set_field row.
#include "flow/policy_actions.h"

#include <cstdio>
#include <optional>
#include <variant>

#include "flow/policy_fields.h"
#include "flow/policy_lexer.h"

namespace snoc::flow::syntax {
namespace {

constexpr uint64_t kMaxTable = 254;
constexpr uint16_t kEthIpv6 = 0x86dd;

// One action as written: "name", "name:ARG" or "name(ARGS)".
struct ActionCall {
    std::string_view item;
    std::string_view name;
    std::optional<std::string_view> colon;
    std::optional<std::string_view> parens;
};

struct ActionSyntax;
using ParseFn = Result<Action> (*)(const ActionSyntax&, const ActionCall&);
using FormatFn = std::optional<std::string> (*)(const ActionSyntax&, const Action&, const Match*);

struct ActionSyntax {
    std::string_view name;
    std::string_view usage;  // for "supported actions"; empty: not written by users
    ParseFn parse;
    FormatFn format;          // nullptr: an alias, never printed
    std::string_view field{};  // mod_* rows: the field-name row whose value notation it takes
    bool any_case = false;     // NORMAL is a reserved port name, which ovs-ofctl reads in any case
};

std::string str(std::string_view s) { return std::string(s); }

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// --- argument shapes ---------------------------------------------------

Fail takes_no_argument(const ActionCall& call) {
    return Fail{str(call.name) + " takes no argument, got " + quoted(call.item), call.item};
}

// The ARG of "name:ARG".
Result<std::string_view> colon_argument(const ActionSyntax& row, const ActionCall& call) {
    if (call.colon && !call.colon->empty()) return *call.colon;
    return Fail{"expected " + str(row.usage) + ", got " + quoted(call.item), call.item};
}

// --- readers -----------------------------------------------------------

template <class T>
Result<Action> parse_word(const ActionSyntax&, const ActionCall& call) {
    if (call.colon || call.parens) return takes_no_argument(call);
    return Action{T{}};
}

Result<Action> parse_output(const ActionSyntax& row, const ActionCall& call) {
    if (call.parens) {
        // output(port=P[,max_len=N]): only port is meaningful to snoc.
        const auto args = split_items(*call.parens);
        if (!args) return args.fail();
        std::optional<Action> out;
        for (auto arg : *args) {
            if (arg.substr(0, 5) == "port=") {
                if (out) return Fail{"output port given twice", arg};
                const auto port = parse_port(arg.substr(5), "output");
                if (!port) return located(port.fail(), arg.substr(5));
                out = Action{Output{*port}};
            } else if (arg.substr(0, 8) == "max_len=") {
                return Fail{"output max_len is not supported by snoc policies", arg};
            } else {
                return Fail{"unknown output argument " + quoted(arg) + "; expected port=PORT", arg};
            }
        }
        if (!out) return Fail{"expected output(port=PORT), got " + quoted(call.item), call.item};
        return *out;
    }
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const auto port = parse_port(*arg, "output");
    if (!port) return located(port.fail(), *arg);
    return Action{Output{*port}};
}

Result<Action> parse_push_vlan(const ActionSyntax& row, const ActionCall& call) {
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const auto tpid = parse_number(*arg, UINT16_MAX, "push_vlan");
    if (!tpid) return located(tpid.fail(), *arg);
    if (*tpid != 0x8100 && *tpid != 0x88a8) {
        return Fail{"push_vlan takes the TPID 0x8100 or 0x88a8, got " + quoted(*arg), *arg};
    }
    return Action{PushVlan{static_cast<uint16_t>(*tpid)}};
}

// mod_dl_src:MAC and friends: set_field without a mask, in the notation of
// the field-name row the action names.
Result<Action> parse_mod(const ActionSyntax& row, const ActionCall& call) {
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const FieldSyntax* field = find_field_syntax(row.field);
    if (field == nullptr) return Fail{"internal error: " + str(row.name) + " names no field"};
    const auto action = parse_set_value(*field, *arg, row.name, false);
    if (!action) return located(action.fail(), *arg);
    return action;
}

Result<Action> parse_set_field(const ActionSyntax& row, const ActionCall& call) {
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const size_t arrow = arg->rfind("->");
    if (arrow == std::string_view::npos) {
        return Fail{"expected set_field:VALUE->FIELD, got " + quoted(call.item), call.item};
    }
    const std::string_view value = arg->substr(0, arrow);
    const std::string_view name = arg->substr(arrow + 2);
    const FieldSyntax* field = find_field_syntax(name);
    if (field == nullptr) return Fail{"unknown field " + quoted(name) + " in set_field", name};
    if (field->match_only) {
        return Fail{str(name) + " can only be matched, not set; use mod_vlan_vid:N or mod_vlan_pcp:N", name};
    }
    if (!is_writable(field->field)) return Fail{str(name) + " is read-only and cannot be set with set_field", name};
    if (value.empty()) return Fail{"expected a value before -> in set_field, got nothing", call.item};
    const auto action = parse_set_value(*field, value, name, true);
    if (!action) return located(action.fail(), value);
    return action;
}

Result<Action> parse_set_tunnel(const ActionSyntax& row, const ActionCall& call) {
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const auto id = parse_number(*arg, UINT64_MAX, row.name);
    if (!id) return located(id.fail(), *arg);
    return Action{SetField{Field::TunId, exact_value(Field::TunId, *id)}};
}

Result<Action> parse_meter(const ActionSyntax& row, const ActionCall& call) {
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const auto id = parse_number(*arg, UINT32_MAX, "meter");
    if (!id) return located(id.fail(), *arg);
    return Action{Meter{static_cast<uint32_t>(*id)}};
}

Result<Action> parse_set_queue(const ActionSyntax& row, const ActionCall& call) {
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const auto queue = parse_number(*arg, UINT32_MAX, "set_queue");
    if (!queue) return located(queue.fail(), *arg);
    return Action{SetQueue{static_cast<uint32_t>(*queue)}};
}

Result<Action> parse_goto_table(const ActionSyntax& row, const ActionCall& call) {
    const auto arg = colon_argument(row, call);
    if (!arg) return arg.fail();
    const auto table = parse_number(*arg, kMaxTable, "goto_table");
    if (!table) return located(table.fail(), *arg);
    return Action{GotoTable{static_cast<uint8_t>(*table)}};
}

// One ct argument into `ct`; `seen` catches repeats.
std::optional<Fail> apply_ct_argument(std::string_view arg, Ct& ct, std::vector<std::string_view>& seen) {
    const std::string_view key = arg.substr(0, arg.find_first_of("=("));
    if (key == "nat") return Fail{"ct nat is not supported yet", arg};
    if (key != "commit" && key != "zone" && key != "table") {
        return Fail{"unknown ct argument " + quoted(arg) + "; expected commit, zone=N or table=N", arg};
    }
    for (auto s : seen) {
        if (s == key) return Fail{"ct " + str(key) + " given twice", arg};
    }
    seen.push_back(key);
    if (key == "commit") {
        if (arg != "commit") return Fail{"ct commit takes no value, got " + quoted(arg), arg};
        ct.commit = true;
        return std::nullopt;
    }
    if (arg.size() <= key.size() || arg[key.size()] != '=') {
        return Fail{"expected ct " + str(key) + "=N, got " + quoted(arg), arg};
    }
    const std::string_view value = arg.substr(key.size() + 1);
    const uint64_t max = key == "zone" ? UINT16_MAX : kMaxTable;
    const auto n = parse_number(value, max, "ct " + str(key));
    if (!n) return located(n.fail(), value);
    if (key == "zone") ct.zone = static_cast<uint16_t>(*n);
    else ct.table = static_cast<uint8_t>(*n);
    return std::nullopt;
}

Result<Action> parse_ct(const ActionSyntax&, const ActionCall& call) {
    if (call.colon) return Fail{"expected ct or ct(commit,zone=N,table=N), got " + quoted(call.item), call.item};
    Ct ct;
    if (!call.parens) return Action{ct};
    const auto args = split_items(*call.parens);
    if (!args) return args.fail();
    std::vector<std::string_view> seen;
    for (auto arg : *args) {
        if (auto failure = apply_ct_argument(arg, ct, seen)) return std::move(*failure);
    }
    return Action{ct};
}

// resubmit(,N) is OVS's spelling of "continue in table N"; resubmitting to a
// port has no equivalent in an eSwitch.
Result<Action> parse_resubmit(const ActionSyntax&, const ActionCall& call) {
    const Fail to_port{"resubmit to a port is not supported; write goto_table:N or resubmit(,N)", call.item};
    if (!call.parens) return to_port;
    const std::string_view args = *call.parens;
    const size_t comma = args.find(',');
    if (comma == std::string_view::npos || !trim(args.substr(0, comma)).empty()) return to_port;
    const std::string_view table_text = trim(args.substr(comma + 1));
    if (table_text.find(',') != std::string_view::npos) {
        return Fail{"resubmit takes only a table here: resubmit(,N), got " + quoted(call.item), call.item};
    }
    const auto table = parse_number(table_text, kMaxTable, "the table of resubmit");
    if (!table) return located(table.fail(), table_text.empty() ? call.item : table_text);
    return Action{GotoTable{static_cast<uint8_t>(*table)}};
}

Result<Action> parse_lowered(const ActionSyntax& row, const ActionCall& call) {
    return Fail{str(row.name) +
                    " is made by snoc when it lowers tunnels, not written in policies; write "
                    "set_field:...->tun_dst,output:TUNNEL_PORT instead",
                call.item};
}

// --- printers ----------------------------------------------------------

template <class T>
std::optional<std::string> format_word(const ActionSyntax& row, const Action& a, const Match*) {
    if (!std::holds_alternative<T>(a)) return std::nullopt;
    return str(row.name);
}

std::optional<std::string> format_output(const ActionSyntax&, const Action& a, const Match*) {
    const auto* out = std::get_if<Output>(&a);
    if (out == nullptr) return std::nullopt;
    return "output:" + out->port;
}

std::optional<std::string> format_push_vlan(const ActionSyntax&, const Action& a, const Match*) {
    const auto* push = std::get_if<PushVlan>(&a);
    if (push == nullptr) return std::nullopt;
    char buf[32];
    std::snprintf(buf, sizeof buf, "push_vlan:0x%04x", static_cast<unsigned>(push->tpid));
    return buf;
}

// The value unmasked, with the field's full mask (so is_exact holds).
Masked raw_exact(Field f, uint64_t value) {
    Masked m = Masked::exact_uint(value, field_info(f).bytes);
    m.mask = full_mask(f).mask;
    return m;
}

// The field and value an action writes, if it writes one.
std::optional<SetField> as_set_field(const Action& a) {
    if (const auto* s = std::get_if<SetField>(&a)) return *s;
    // Not through exact_value: a hand-made SetVlanVid{5000} must print 5000, not 904.
    if (const auto* v = std::get_if<SetVlanVid>(&a)) return SetField{Field::VlanVid, raw_exact(Field::VlanVid, v->vid)};
    if (const auto* p = std::get_if<SetVlanPcp>(&a)) return SetField{Field::VlanPcp, raw_exact(Field::VlanPcp, p->pcp)};
    return std::nullopt;
}

std::optional<std::string> format_mod(const ActionSyntax& row, const Action& a, const Match*) {
    const auto set = as_set_field(a);
    const FieldSyntax* field = find_field_syntax(row.field);
    if (!set || field == nullptr || set->field != field->field || !is_exact(set->field, set->value)) {
        return std::nullopt;
    }
    return str(row.name) + ":" + format_term_value(*field, set->value);
}

bool is_ipv6_match(const Match* m) {
    return m != nullptr && m->has(Field::EthType) && m->get(Field::EthType).value_uint(2) == kEthIpv6;
}

std::optional<std::string> format_set_field(const ActionSyntax&, const Action& a, const Match* context) {
    const auto set = as_set_field(a);
    if (!set) return std::nullopt;
    const FieldSyntax* field = &printed_syntax(set->field);
    // icmp_type names the ICMPv4 field in set_field; IPv6 flows need icmpv6_*.
    if (is_ipv6_match(context) && set->field == Field::IcmpType) field = find_field_syntax("icmpv6_type");
    if (is_ipv6_match(context) && set->field == Field::IcmpCode) field = find_field_syntax("icmpv6_code");
    return "set_field:" + format_term_value(*field, set->value) + "->" + str(field->name);
}

std::optional<std::string> format_meter(const ActionSyntax&, const Action& a, const Match*) {
    const auto* m = std::get_if<Meter>(&a);
    if (m == nullptr) return std::nullopt;
    return "meter:" + std::to_string(m->id);
}

std::optional<std::string> format_set_queue(const ActionSyntax&, const Action& a, const Match*) {
    const auto* q = std::get_if<SetQueue>(&a);
    if (q == nullptr) return std::nullopt;
    return "set_queue:" + std::to_string(q->queue);
}

std::optional<std::string> format_ct(const ActionSyntax&, const Action& a, const Match*) {
    const auto* ct = std::get_if<Ct>(&a);
    if (ct == nullptr) return std::nullopt;
    std::string args;
    auto add = [&](const std::string& s) { args += (args.empty() ? "" : ",") + s; };
    if (ct->commit) add("commit");
    if (ct->zone != 0) add("zone=" + std::to_string(ct->zone));
    if (ct->table) add("table=" + std::to_string(*ct->table));
    return args.empty() ? std::string("ct") : "ct(" + args + ")";
}

std::optional<std::string> format_goto_table(const ActionSyntax&, const Action& a, const Match*) {
    const auto* g = std::get_if<GotoTable>(&a);
    if (g == nullptr) return std::nullopt;
    return "goto_table:" + std::to_string(g->table);
}

std::string ipv4_text(const std::array<uint8_t, 4>& b) {
    return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
           std::to_string(b[3]);
}

std::optional<std::string> format_tunnel_encap(const ActionSyntax&, const Action& a, const Match*) {
    const auto* t = std::get_if<TunnelEncap>(&a);
    if (t == nullptr) return std::nullopt;
    return "tunnel_encap(type=" + str(to_string(t->type)) + ",id=" + std::to_string(t->id) +
           ",src=" + ipv4_text(t->src) + ",dst=" + ipv4_text(t->dst) + ",dst_port=" + std::to_string(t->dst_port) +
           ",port=" + t->port + ")";
}

// The one table of action names. Order matters for printing (see top).
constexpr ActionSyntax kActions[] = {
    {"output", "output:PORT", parse_output, format_output},
    {"drop", "drop", parse_word<Drop>, format_word<Drop>},
    {"NORMAL", "normal", parse_word<Normal>, format_word<Normal>, {}, true},
    {"push_vlan", "push_vlan:0x8100", parse_push_vlan, format_push_vlan},
    {"pop_vlan", "pop_vlan", parse_word<PopVlan>, format_word<PopVlan>},
    {"strip_vlan", "strip_vlan", parse_word<PopVlan>, nullptr},
    {"mod_vlan_vid", "mod_vlan_vid:N", parse_mod, format_mod, "dl_vlan"},
    {"mod_vlan_pcp", "mod_vlan_pcp:N", parse_mod, format_mod, "dl_vlan_pcp"},
    {"mod_dl_src", "mod_dl_src:MAC", parse_mod, format_mod, "dl_src"},
    {"mod_dl_dst", "mod_dl_dst:MAC", parse_mod, format_mod, "dl_dst"},
    {"mod_nw_src", "mod_nw_src:IP", parse_mod, format_mod, "nw_src"},
    {"mod_nw_dst", "mod_nw_dst:IP", parse_mod, format_mod, "nw_dst"},
    {"mod_tp_src", "mod_tp_src:N", parse_mod, format_mod, "tp_src"},
    {"mod_tp_dst", "mod_tp_dst:N", parse_mod, format_mod, "tp_dst"},
    {"mod_nw_tos", "mod_nw_tos:N", parse_mod, format_mod, "nw_tos"},
    {"mod_nw_ecn", "mod_nw_ecn:N", parse_mod, format_mod, "nw_ecn"},
    {"mod_nw_ttl", "mod_nw_ttl:N", parse_mod, format_mod, "nw_ttl"},
    {"set_field", "set_field:VALUE[/MASK]->FIELD", parse_set_field, format_set_field},
    {"set_tunnel", "set_tunnel:ID", parse_set_tunnel, nullptr},
    {"set_tunnel64", "set_tunnel64:ID", parse_set_tunnel, nullptr},
    {"dec_ttl", "dec_ttl", parse_word<DecTtl>, format_word<DecTtl>},
    {"meter", "meter:N", parse_meter, format_meter},
    {"set_queue", "set_queue:N", parse_set_queue, format_set_queue},
    {"ct", "ct(commit,zone=N,table=N)", parse_ct, format_ct},
    {"ct_clear", "ct_clear", parse_word<CtClear>, format_word<CtClear>},
    {"goto_table", "goto_table:N", parse_goto_table, format_goto_table},
    {"resubmit", "resubmit(,N)", parse_resubmit, nullptr},
    {"tunnel_encap", "", parse_lowered, format_tunnel_encap},
    {"tunnel_decap", "", parse_lowered, format_word<TunnelDecap>},
};

const ActionSyntax* find_action(std::string_view name) {
    for (const auto& row : kActions) {
        if (row.any_case ? equals_ignore_case(row.name, name) : row.name == name) return &row;
    }
    return nullptr;
}

std::string supported_actions() {
    std::string out;
    for (const auto& row : kActions) {
        if (!row.usage.empty()) out += (out.empty() ? "" : ", ") + str(row.usage);
    }
    return out;
}

Fail unknown_action(std::string_view name, std::string_view where) {
    return Fail{"unknown action " + quoted(name) + "; supported: " + supported_actions() + ", or a port name",
                where};
}

Result<ActionCall> split_call(std::string_view item) {
    ActionCall call{item, item, std::nullopt, std::nullopt};
    const size_t pos = item.find_first_of(":(");
    if (pos == std::string_view::npos) return call;
    call.name = item.substr(0, pos);
    if (call.name.empty()) return Fail{"expected an action name before " + quoted(item.substr(pos, 1)), item};
    if (item[pos] == ':') {
        call.colon = item.substr(pos + 1);
        return call;
    }
    // The lexer balanced the parentheses; the one opened here must close last.
    size_t depth = 0;
    size_t close = pos;
    for (size_t i = pos; i < item.size(); ++i) {
        if (item[i] == '(') ++depth;
        if (item[i] == ')' && --depth == 0) {
            close = i;
            break;
        }
    }
    if (close + 1 != item.size()) {
        return Fail{"unexpected text after ) in " + quoted(item), item.substr(close + 1)};
    }
    call.parens = item.substr(pos + 1, close - pos - 1);
    return call;
}

// A bare word that names no action is a port to output to, as in ovs-ofctl.
Result<Action> parse_bare_port(std::string_view word) {
    const auto port = parse_port(word, "output");
    if (port) return Action{Output{*port}};
    // Port numbers and reserved ports get parse_port's explanation; anything
    // else was more likely meant as an action.
    const bool number = word.front() >= '0' && word.front() <= '9';
    if (number || is_reserved_port(word)) return located(port.fail(), word);
    return unknown_action(word, word);
}

Result<Action> parse_action(std::string_view item) {
    const auto call = split_call(item);
    if (!call) return call.fail();
    const ActionSyntax* row = find_action(call->name);
    if (row != nullptr) return row->parse(*row, *call);
    if (call->colon || call->parens) return unknown_action(call->name, call->name);
    return parse_bare_port(item);
}

}  // namespace

Result<std::vector<Action>> parse_action_list(std::string_view text) {
    const auto items = split_items(text);
    if (!items) return items.fail();
    if (items->empty()) return Fail{"actions= is empty; write actions=drop to drop"};
    std::vector<Action> actions;
    for (auto item : *items) {
        const auto action = parse_action(item);
        if (!action) return located(action.fail(), item);
        actions.push_back(*action);
    }
    // OVS would ignore the other actions; saying so beats guessing what was meant.
    if (actions.size() > 1) {
        for (size_t i = 0; i < actions.size(); ++i) {
            if (std::holds_alternative<Drop>(actions[i])) {
                return Fail{"drop must be the only action; remove drop or the other actions", (*items)[i]};
            }
        }
    }
    return actions;
}

std::string format_action_in(const Action& a, const Match* context) {
    for (const auto& row : kActions) {
        if (row.format == nullptr) continue;
        if (auto text = row.format(row, a, context)) return *text;
    }
    return "?";  // unreachable: every alternative of Action has a printing row
}

}  // namespace snoc::flow::syntax
