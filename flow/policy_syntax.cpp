// One rule of the policy syntax: flow attributes, match terms, then
// "actions=" and the action list (see policy_syntax.h). Field names live in
// policy_fields.cpp, values in policy_values.cpp, actions in policy_actions.cpp.
#include "flow/policy_syntax.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "flow/policy_actions.h"
#include "flow/policy_fields.h"
#include "flow/policy_lexer.h"
#include "flow/policy_values.h"

namespace snoc::flow {
namespace {

using syntax::Fail;
using syntax::FieldSyntax;
using syntax::Result;
using syntax::Shorthand;

constexpr std::string_view kActionsKey = "actions";
constexpr std::string_view kActionsPrefix = "actions=";

std::string str(std::string_view s) { return std::string(s); }

// Flow attributes: the key=number terms that are not match fields.
struct Attribute {
    std::string_view name;
    uint64_t max;
    void (*store)(Flow&, uint64_t);
};

constexpr Attribute kAttributes[] = {
    {"table", 254, [](Flow& f, uint64_t v) { f.table = static_cast<uint8_t>(v); }},
    {"priority", UINT16_MAX, [](Flow& f, uint64_t v) { f.priority = static_cast<uint16_t>(v); }},
    {"cookie", UINT64_MAX, [](Flow& f, uint64_t v) { f.cookie = v; }},
    {"idle_timeout", UINT16_MAX, [](Flow& f, uint64_t v) { f.idle_timeout = static_cast<uint16_t>(v); }},
    {"hard_timeout", UINT16_MAX, [](Flow& f, uint64_t v) { f.hard_timeout = static_cast<uint16_t>(v); }},
};

const Attribute* find_attribute(std::string_view name) {
    for (const auto& a : kAttributes) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

std::string known_names() {
    std::string out;
    for (const auto& a : kAttributes) out += str(a.name) + ", ";
    out += "in_port, ";
    for (const auto& s : syntax::field_syntaxes()) {
        if (s.prints) out += str(s.name) + ", ";
    }
    return out + "actions";
}

// The nw_proto a name implies, in words ("udp"), for messages.
std::string proto_word(uint8_t proto) {
    const Shorthand* s = syntax::shorthand_for(0x0800, proto);
    if (s == nullptr) s = syntax::shorthand_for(0x86dd, proto);
    return s != nullptr ? str(s->name) : "nw_proto=" + std::to_string(proto);
}

// Reads one rule. Every failure carries the part of the text it is about.
class RuleParser {
public:
    explicit RuleParser(std::string_view text) : text_(text) {}

    Result<Flow> parse() {
        size_t pos = 0;
        std::string_view last;
        for (;;) {
            const auto token = syntax::next_item(text_, pos, false);
            if (!token) return token.fail();
            if (token->empty()) break;
            last = *token;
            if (token->substr(0, kActionsPrefix.size()) == kActionsPrefix) return finish(*token);
            if (auto failure = term(*token)) return std::move(*failure);
        }
        return Fail{"missing actions=; every rule needs an action list, e.g. actions=drop",
                    last.empty() ? text_ : last};
    }

private:
    // The match is complete at "actions=": check it, then read the rest of
    // the rule (separators and all) as the action list.
    Result<Flow> finish(std::string_view actions_token) {
        if (auto failure = prerequisites()) return std::move(*failure);
        const size_t start = static_cast<size_t>(actions_token.data() - text_.data()) + kActionsPrefix.size();
        const auto actions = syntax::parse_action_list(text_.substr(start));
        if (!actions) return syntax::located(actions.fail(), actions_token);
        flow_.actions = *actions;
        return flow_;
    }

    std::optional<Fail> term(std::string_view token) {
        const size_t eq = token.find('=');
        if (eq == std::string_view::npos) return word(token);
        const std::string_view key = token.substr(0, eq);
        const std::string_view value = token.substr(eq + 1);
        if (key.empty()) return Fail{"expected a field name before =, got " + syntax::quoted(token), token};
        if (value.empty()) return Fail{"expected a value after " + str(key) + "=, got nothing", token};
        if (const Attribute* a = find_attribute(key)) return attribute(*a, token, value);
        if (key == "in_port") return in_port(token, value);
        if (const FieldSyntax* s = syntax::find_field_syntax(key)) return field(*s, token, value);
        return Fail{"unknown field " + syntax::quoted(key) + "; expected one of " + known_names(), key};
    }

    // A term without '=': a protocol shorthand, or a forgotten value.
    std::optional<Fail> word(std::string_view token) {
        if (const Shorthand* s = syntax::find_shorthand(token)) return shorthand(*s, token);
        if (token == kActionsKey || find_attribute(token) != nullptr || token == "in_port" ||
            syntax::find_field_syntax(token) != nullptr) {
            return Fail{"expected " + str(token) + "=VALUE, got " + syntax::quoted(token) + " without a value", token};
        }
        std::string words;
        for (const auto& s : syntax::shorthands()) words += (words.empty() ? "" : ", ") + str(s.name);
        return Fail{"unknown keyword " + syntax::quoted(token) + "; expected key=value or one of " + words, token};
    }

    std::optional<Fail> attribute(const Attribute& a, std::string_view token, std::string_view value) {
        if (once(a.name)) return Fail{str(a.name) + " given twice", token};
        if (a.name == "cookie" && value.find('/') != std::string_view::npos) {
            return Fail{"cookie does not take a mask in a policy, got " + syntax::quoted(value), value};
        }
        const auto n = syntax::parse_number(value, a.max, a.name);
        if (!n) return syntax::located(n.fail(), value);
        a.store(flow_, *n);
        return std::nullopt;
    }

    std::optional<Fail> in_port(std::string_view token, std::string_view value) {
        if (once("in_port")) return Fail{"in_port given twice", token};
        const auto port = syntax::parse_port(value, "in_port");
        if (!port) return syntax::located(port.fail(), value);
        flow_.match.in_port = *port;
        return std::nullopt;
    }

    std::optional<Fail> shorthand(const Shorthand& s, std::string_view token) {
        if (auto failure = store(Field::EthType, syntax::exact_value(Field::EthType, s.eth_type), token, nullptr)) {
            return failure;
        }
        if (s.proto) return store(Field::IpProto, syntax::exact_value(Field::IpProto, *s.proto), token, nullptr);
        return std::nullopt;
    }

    std::optional<Fail> field(const FieldSyntax& s, std::string_view token, std::string_view value) {
        const auto values = syntax::parse_match_term(s, value);
        if (!values) return syntax::located(values.fail(), value);
        for (const auto& v : *values) {
            if (auto failure = store(v.field, v.value, token, &s)) return failure;
        }
        return std::nullopt;
    }

    // `s` is the name used, null for a shorthand. A field is set once, except
    // that shorthands may repeat what is already set (ip,tcp or tcp,nw_proto=6)
    // as long as they do not contradict it.
    std::optional<Fail> store(Field f, const Masked& m, std::string_view token, const FieldSyntax* s) {
        const size_t i = index(f);
        if (origin_[i].data() != nullptr) {
            const std::string name = str(field_info(f).ofctl_name);
            if (s != nullptr && syntax_[i] != nullptr) {
                return Fail{name + " already set by " + syntax::quoted(origin_[i]), token};
            }
            Match wanted;
            wanted.set(f, m);
            const auto& have = flow_.match.find(f);
            if (wanted.find(f) == have) return std::nullopt;
            return Fail{str(token) + " conflicts with " + syntax::quoted(origin_[i]) + ": " + name + " already set to " +
                            (have ? syntax::format_value(f, *have) : std::string("any")),
                        token};
        }
        origin_[i] = token;
        syntax_[i] = s;
        flow_.match.set(f, m);
        return std::nullopt;
    }

    // OpenFlow prerequisites, blamed on the term that set the field and worded
    // with the name that term used (nw_tos, not ip_dscp).
    std::optional<Fail> prerequisites() const {
        if (const auto message = check_prerequisites(flow_.match)) {
            for (size_t i = 0; i < kFieldCount; ++i) {
                const auto ofctl = field_info(static_cast<Field>(i)).ofctl_name;
                if (message->compare(0, ofctl.size() + 1, str(ofctl) + " ") != 0) continue;
                if (origin_[i].data() == nullptr) break;
                const std::string_view used = syntax_[i] != nullptr ? syntax_[i]->name : ofctl;
                return Fail{str(used) + message->substr(ofctl.size()), origin_[i]};
            }
            return Fail{*message, text_};
        }
        // tcp_src and friends name their protocol; tp_src works with any.
        for (size_t i = 0; i < kFieldCount; ++i) {
            const FieldSyntax* s = syntax_[i];
            if (s == nullptr || s->proto == 0 || !flow_.match.has(static_cast<Field>(i))) continue;
            const auto& proto = flow_.match.find(Field::IpProto);
            if (proto && is_exact(Field::IpProto, *proto) && proto->value_uint(1) == s->proto) continue;
            return Fail{str(s->name) + " requires " + proto_word(s->proto) + " (nw_proto=" + std::to_string(s->proto) +
                            ")",
                        origin_[i]};
        }
        return std::nullopt;
    }

    // True when `name` was seen before; records it otherwise.
    bool once(std::string_view name) {
        for (auto seen : seen_) {
            if (seen == name) return true;
        }
        seen_.push_back(name);
        return false;
    }

    static size_t index(Field f) { return static_cast<size_t>(f); }

    std::string_view text_;
    Flow flow_;
    std::array<std::string_view, kFieldCount> origin_{};        // the term that set each field
    std::array<const FieldSyntax*, kFieldCount> syntax_{};      // and the name it used (null: a shorthand)
    std::vector<std::string_view> seen_;                        // attributes and in_port given so far
};

// Turns a failure into a SyntaxError whose span lies inside the text.
SyntaxError to_syntax_error(std::string_view text, const std::string& message, std::string_view where) {
    SyntaxError e;
    e.message = message;
    const auto base = reinterpret_cast<uintptr_t>(text.data());
    const auto at = reinterpret_cast<uintptr_t>(where.data());
    const bool inside = where.data() != nullptr && at >= base && at + where.size() <= base + text.size();
    e.offset = inside ? at - base : 0;
    e.length = inside ? where.size() : text.size();
    if (!text.empty()) {
        if (e.offset >= text.size()) e.offset = text.size() - 1;
        e.length = std::max<size_t>(1, std::min(e.length, text.size() - e.offset));
    }
    return e;
}

std::vector<std::string> match_terms(const Match& m) {
    std::vector<std::string> terms;
    if (m.in_port) terms.push_back("in_port=" + *m.in_port);

    // dl_type and nw_proto first, as one shorthand word where there is one.
    bool proto_done = false;
    if (const auto& eth = m.find(Field::EthType)) {
        const Shorthand* s = nullptr;
        if (is_exact(Field::EthType, *eth)) {
            const auto eth_type = static_cast<uint16_t>(eth->value_uint(2));
            const auto& proto = m.find(Field::IpProto);
            if (proto && is_exact(Field::IpProto, *proto)) {
                s = syntax::shorthand_for(eth_type, static_cast<uint8_t>(proto->value_uint(1)));
                proto_done = s != nullptr;
            }
            if (s == nullptr) s = syntax::shorthand_for(eth_type, std::nullopt);
        }
        terms.push_back(s != nullptr ? str(s->name) : syntax::format_term(Field::EthType, *eth));
    }
    if (m.has(Field::IpProto) && !proto_done) terms.push_back(syntax::format_term(Field::IpProto, m.get(Field::IpProto)));

    // A partial VLAN id or PCP mask needs vlan_tci, which carries both.
    const auto& vid = m.find(Field::VlanVid);
    const auto& pcp = m.find(Field::VlanPcp);
    const bool tci = (vid && !is_exact(Field::VlanVid, *vid)) || (pcp && !is_exact(Field::VlanPcp, *pcp));
    bool tci_done = false;
    for (Field f : m.present()) {
        if (f == Field::EthType || f == Field::IpProto) continue;
        if (tci && (f == Field::VlanVid || f == Field::VlanPcp)) {
            if (!tci_done) terms.push_back(syntax::format_vlan_tci(vid, pcp));
            tci_done = true;
            continue;
        }
        terms.push_back(syntax::format_term(f, m.get(f)));
    }
    return terms;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

std::string format_actions_in(const std::vector<Action>& actions, const Match* context) {
    if (actions.empty()) return "drop";
    std::vector<std::string> parts;
    for (const auto& a : actions) parts.push_back(syntax::format_action_in(a, context));
    return join(parts);
}

}  // namespace

ParsedFlow parse_policy_flow(std::string_view text) {
    RuleParser parser(text);
    const auto flow = parser.parse();
    if (flow) return ParsedFlow{*flow, std::nullopt};
    return ParsedFlow{std::nullopt, to_syntax_error(text, flow.error(), flow.where())};
}

std::string format_flow(const Flow& f) {
    std::string out;
    if (f.table != 0) out += "table=" + std::to_string(f.table) + ",";
    if (f.cookie) out += "cookie=" + syntax::hex(*f.cookie) + ",";
    if (f.idle_timeout != 0) out += "idle_timeout=" + std::to_string(f.idle_timeout) + ",";
    if (f.hard_timeout != 0) out += "hard_timeout=" + std::to_string(f.hard_timeout) + ",";
    out += "priority=" + std::to_string(f.priority);
    const std::string match = format_match(f.match);
    if (!match.empty()) out += "," + match;
    return out + " actions=" + format_actions_in(f.actions, &f.match);
}

std::string format_match(const Match& m) { return join(match_terms(m)); }

std::string format_actions(const std::vector<Action>& actions) { return format_actions_in(actions, nullptr); }

std::string format_action(const Action& a) { return syntax::format_action_in(a, nullptr); }

std::string format_field(Field f, const Masked& m) { return syntax::format_term(f, m); }

}  // namespace snoc::flow
