#include "testpmd_flow.h"

#include <cctype>
#include <charconv>

#include "flow/number_text.h"

namespace snoc::testpmd {
namespace {

std::vector<std::string_view> tokens_of(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        const size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

bool read_u32(std::string_view t, uint32_t& v) {
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    return r.ec == std::errc() && r.ptr == t.data() + t.size();
}

bool fail(std::string* error, std::string why) {
    if (error) *error = std::move(why);
    return false;
}

}  // namespace

std::string normalise_value(std::string_view v) {
    if (const auto n = parse_uint_dec_or_hex(v)) return std::to_string(*n);
    std::string out(v);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<FlowLine> parse_flow_line(std::string_view line, std::string* error) {
    const size_t at = line.find("flow create ");
    if (at == std::string_view::npos) {
        fail(error, "no \"flow create\" in the line");
        return std::nullopt;
    }
    const auto t = tokens_of(line.substr(at + 12));
    FlowLine f;
    size_t i = 0;
    auto need = [&](size_t n) { return i + n <= t.size(); };
    auto bad = [&](std::string what) -> std::optional<FlowLine> {
        fail(error, what + (i < t.size() ? " at token " + std::to_string(i) + " \"" + std::string(t[i]) + "\""
                                         : " at the end of the line"));
        return std::nullopt;
    };
    if (!need(1) || !read_u32(t[i], f.port)) return bad("a port number expected");
    ++i;
    while (need(1) && t[i] != "pattern") {
        if (t[i] == "ingress") {
            f.ingress = true;
        } else if (t[i] == "egress") {
            f.egress = true;
        } else if (t[i] == "transfer") {
            f.transfer = true;
        } else if ((t[i] == "priority" || t[i] == "group") && need(2)) {
            if (!read_u32(t[i + 1], t[i] == "priority" ? f.priority : f.group)) return bad("a number expected");
            ++i;
        } else {
            return bad("an attribute (ingress, egress, transfer, priority N, group N) expected");
        }
        ++i;
    }
    if (!need(1)) return bad("\"pattern\" expected");
    ++i;
    // Items: NAME then FIELD is V | FIELD spec V FIELD mask M, up to "/".
    while (need(1) && t[i] != "end") {
        Item item{std::string(t[i++]), {}};
        while (need(1) && t[i] != "/") {
            if (!need(3)) return bad("FIELD is|spec VALUE expected");
            const std::string field(t[i]);
            if (t[i + 1] == "is") {
                item.fields[field] = {normalise_value(t[i + 2]), ""};
                i += 3;
            } else if (t[i + 1] == "spec") {
                FieldMatch m{normalise_value(t[i + 2]), ""};
                i += 3;
                if (need(3) && t[i] == field && t[i + 1] == "mask") {
                    m.mask = normalise_value(t[i + 2]);
                    i += 3;
                }
                item.fields[field] = m;
            } else {
                return bad("\"is\" or \"spec\" expected after field " + field);
            }
        }
        if (!need(1)) return bad("\"/\" expected after item " + item.name);
        ++i;
        f.pattern.push_back(std::move(item));
    }
    if (!need(2) || t[i + 1] != "actions") return bad("\"end actions\" expected");
    i += 2;
    while (need(1) && t[i] != "end") {
        Action a{std::string(t[i++]), {}};
        while (need(1) && t[i] != "/") {
            const std::string key(t[i++]);
            if (need(1) && t[i] == "/") {  // a bare flag
                a.args[key] = "";
                continue;
            }
            if (key == "queues" || key == "types") {  // lists: "queues 0 1 end"
                std::string list;
                while (need(1) && t[i] != "end") list += (list.empty() ? "" : " ") + normalise_value(t[i++]);
                if (!need(1)) return bad("\"end\" expected after the list of " + key);
                ++i;
                a.args[key] = list;
                continue;
            }
            if (!need(1)) return bad("a value expected after " + key + " in action " + a.name);
            a.args[key] = normalise_value(t[i++]);
        }
        if (!need(1)) return bad("\"/\" expected after action " + a.name);
        ++i;
        f.actions.push_back(std::move(a));
    }
    if (!need(1)) return bad("\"end\" expected after the actions");
    return f;
}

std::string to_text(const FlowLine& f) {
    std::string out = "flow create " + std::to_string(f.port);
    if (f.ingress) out += " ingress";
    if (f.egress) out += " egress";
    if (f.transfer) out += " transfer";
    out += " priority " + std::to_string(f.priority) + " group " + std::to_string(f.group) + " pattern";
    for (const auto& item : f.pattern) {
        out += " " + item.name;
        for (const auto& [name, m] : item.fields) {
            if (m.mask.empty()) {
                out += " " + name + " is " + m.spec;
            } else {
                out += " " + name + " spec " + m.spec + " " + name + " mask " + m.mask;
            }
        }
        out += " /";
    }
    out += " end actions";
    for (const auto& a : f.actions) {
        out += " " + a.name;
        for (const auto& [k, v] : a.args) out += " " + k + " " + v;
        out += " /";
    }
    return out + " end";
}

}  // namespace snoc::testpmd
