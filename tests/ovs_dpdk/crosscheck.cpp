#include "crosscheck.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "flow/number_text.h"
#include "offload/rte_flow/rte_testpmd.h"
#include "offload/rte_flow/rte_translate.h"
#include "ovs-integration/dpflow_actions.h"
#include "ovs-integration/dpflow_parse.h"

namespace snoc::testpmd {
namespace {

void drop_field_if(FlowLine& f, std::string_view item, std::string_view field, std::string_view spec) {
    for (auto& i : f.pattern) {
        if (i.name != item) continue;
        const auto it = i.fields.find(std::string(field));
        if (it != i.fields.end() && it->second.spec == spec) i.fields.erase(it);
    }
}

void drop_actions(FlowLine& f, std::string_view name) {
    std::erase_if(f.actions, [&](const Action& a) { return a.name == name; });
}

std::string field_text(const FieldMatch& m) { return m.mask.empty() ? m.spec : m.spec + "/" + m.mask; }

// spec AND mask, in the value's own spelling: "spec 7 mask 61440" and "spec 0
// mask 61440" are the same match (OVS keeps the packet's bits under a mask,
// snoc clears them). Numbers, IPv4, IPv6 and MACs; anything else unchanged.
std::string masked(const std::string& spec, const std::string& mask) {
    if (mask.empty()) return spec;
    const auto number = parse_uint_dec_or_hex(spec), number_mask = parse_uint_dec_or_hex(mask);
    if (number && number_mask) return std::to_string(*number & *number_mask);
    std::array<unsigned char, 16> v{}, m{};
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_pton(AF_INET, spec.c_str(), v.data()) == 1 && inet_pton(AF_INET, mask.c_str(), m.data()) == 1) {
        for (size_t i = 0; i < 4; ++i) v[i] &= m[i];
        return inet_ntop(AF_INET, v.data(), text, sizeof text) ? text : spec;
    }
    if (inet_pton(AF_INET6, spec.c_str(), v.data()) == 1 && inet_pton(AF_INET6, mask.c_str(), m.data()) == 1) {
        for (size_t i = 0; i < 16; ++i) v[i] &= m[i];
        return inet_ntop(AF_INET6, v.data(), text, sizeof text) ? text : spec;
    }
    unsigned int x[6], y[6];
    if (std::sscanf(spec.c_str(), "%x:%x:%x:%x:%x:%x", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5]) == 6 &&
        std::sscanf(mask.c_str(), "%x:%x:%x:%x:%x:%x", &y[0], &y[1], &y[2], &y[3], &y[4], &y[5]) == 6) {
        char out[18];
        std::snprintf(out, sizeof out, "%02x:%02x:%02x:%02x:%02x:%02x", x[0] & y[0], x[1] & y[1], x[2] & y[2],
                      x[3] & y[3], x[4] & y[4], x[5] & y[5]);
        return out;
    }
    return spec;
}

void mask_specs(FlowLine& f) {
    for (auto& i : f.pattern) {
        for (auto& [name, m] : i.fields) m.spec = masked(m.spec, m.mask);
    }
}

bool is_vlan_tpid(const std::string& type) { return type == "33024" || type == "34984" || type == "37120"; }

}  // namespace

void normalise_ovs(FlowLine& f) {
    // VLAN presence. OVS spells it out: untagged "type is 0x0800 has_vlan is
    // 0"; tagged "type is 0x8100 has_vlan is 1 / vlan ...". snoc writes the
    // vlan item alone (it implies a tag; OpenFlow's dl_vlan does not fix the
    // TPID, so neither does snoc) and an untagged match as eth.type alone
    // (rte_flow's eth.type is the outermost EtherType or TPID: a tagged
    // packet cannot have an IP type there).
    for (size_t i = 0; i < f.pattern.size(); ++i) {
        Item& eth = f.pattern[i];
        if (eth.name != "eth") continue;
        const auto hv = eth.fields.find("has_vlan");
        if (hv == eth.fields.end() || !hv->second.mask.empty()) continue;
        const auto type = eth.fields.find("type");
        const bool next_is_vlan = i + 1 < f.pattern.size() && f.pattern[i + 1].name == "vlan";
        if (hv->second.spec == "0" && type != eth.fields.end() && type->second.mask.empty() &&
            !is_vlan_tpid(type->second.spec)) {
            eth.fields.erase(hv);
        } else if (hv->second.spec == "1" && next_is_vlan) {
            eth.fields.erase(hv);
            if (type != eth.fields.end() && type->second.mask.empty() && is_vlan_tpid(type->second.spec)) {
                eth.fields.erase(type);
            }
        }
    }
    mask_specs(f);
    drop_field_if(f, "ipv4", "fragment_offset", "0");
    drop_field_if(f, "ipv6", "has_frag_ext", "0");
    drop_actions(f, "count");
    for (auto& a : f.actions) {
        if (a.name == "port_id" && a.args.contains("id")) a = Action{"represented_port", {{"ethdev_port_id", a.args.at("id")}}};
    }
    f.priority = 0;
}

void normalise_snoc(FlowLine& f) {
    if (!f.pattern.empty() && f.pattern.front().name == "represented_port") {
        const auto it = f.pattern.front().fields.find("ethdev_port_id");
        const auto id = it != f.pattern.front().fields.end() && it->second.mask.empty()
                            ? parse_uint_dec_or_hex(it->second.spec)
                            : std::nullopt;
        if (id && *id <= 0xffff) {
            f.port = static_cast<uint32_t>(*id);
            f.pattern.erase(f.pattern.begin());
        }
    }
    mask_specs(f);
    drop_actions(f, "count");
    f.priority = 0;
}

std::vector<std::string> differences(const FlowLine& a, const FlowLine& b) {
    std::vector<std::string> out;
    if (a.port != b.port) out.push_back("port: " + std::to_string(a.port) + " vs " + std::to_string(b.port));
    if (a.ingress != b.ingress || a.egress != b.egress || a.transfer != b.transfer) out.push_back("attributes differ");
    if (a.group != b.group) out.push_back("group: " + std::to_string(a.group) + " vs " + std::to_string(b.group));
    const size_t n = std::max(a.pattern.size(), b.pattern.size());
    for (size_t i = 0; i < n; ++i) {
        const Item* x = i < a.pattern.size() ? &a.pattern[i] : nullptr;
        const Item* y = i < b.pattern.size() ? &b.pattern[i] : nullptr;
        if (!x || !y || x->name != y->name) {
            out.push_back("item " + std::to_string(i) + ": " + (x ? x->name : "-") + " vs " + (y ? y->name : "-"));
            continue;
        }
        std::set<std::string> names;
        for (const auto& [k, v] : x->fields) names.insert(k);
        for (const auto& [k, v] : y->fields) names.insert(k);
        for (const auto& k : names) {
            const auto xi = x->fields.find(k);
            const auto yi = y->fields.find(k);
            const std::string xv = xi == x->fields.end() ? "-" : field_text(xi->second);
            const std::string yv = yi == y->fields.end() ? "-" : field_text(yi->second);
            if (xv != yv) out.push_back(x->name + "." + k + ": " + xv + " vs " + yv);
        }
    }
    const size_t m = std::max(a.actions.size(), b.actions.size());
    for (size_t i = 0; i < m; ++i) {
        const Action* x = i < a.actions.size() ? &a.actions[i] : nullptr;
        const Action* y = i < b.actions.size() ? &b.actions[i] : nullptr;
        if (!x || !y || !(*x == *y)) {
            FlowLine ax, by;
            if (x) ax.actions.push_back(*x);
            if (y) by.actions.push_back(*y);
            auto act = [](const FlowLine& f) {
                if (f.actions.empty()) return std::string("-");
                std::string t = f.actions[0].name;
                for (const auto& [k, v] : f.actions[0].args) t += " " + k + " " + v;
                return t;
            };
            out.push_back("action " + std::to_string(i) + ": " + act(ax) + " vs " + act(by));
        }
    }
    return out;
}

namespace {
bool same(const FlowLine& a, const FlowLine& b) { return differences(a, b).empty(); }
}  // namespace

CrossCheck cross_check(std::string_view dump, std::string_view ovs_log, const std::map<std::string, uint16_t>& ports) {
    CrossCheck out;
    offload::rte::TranslateContext ctx;
    ctx.mode = offload::rte::Mode::Transfer;
    ctx.port_id_of = [&](const std::string& name) -> std::optional<uint16_t> {
        const auto it = ports.find(name);
        if (it == ports.end()) return std::nullopt;
        return it->second;
    };
    ctx.count = true;

    const auto parsed = ovs::parse_dpflow_dump(dump);
    for (const auto& e : parsed.errors) out.errors.push_back("dump line " + std::to_string(e.line) + ": " + e.message);
    const ovs::DpPortMap no_ports;  // -m prints port names: nothing to resolve
    uint64_t cookie = 0;
    for (const auto& dp : parsed.flows) {
        Megaflow mf;
        mf.key = dp.key_text;
        mf.in_port = dp.match.in_port.value_or("");
        offload::HwRule rule;
        rule.cookie = ++cookie;
        rule.port = mf.in_port;
        rule.flow.match = dp.match;
        const auto acts = ovs::translate_dp_actions(dp.actions_text, no_ports);
        rule.flow.actions = acts.actions;
        offload::rte::Rule rte;
        if (!acts.untranslated.empty()) {
            mf.snoc_text = "not translated: datapath action " + acts.untranslated.front().text + ": " +
                           acts.untranslated.front().why;
        } else if (!dp.unmapped_keys.empty()) {
            mf.snoc_text = "not translated: key " + dp.unmapped_keys.front() + " has no canonical field";
        } else if (const auto st = offload::rte::translate(rule, 0, ctx, rte); !st.ok()) {
            mf.snoc_text = "refused: " + st.reason;
        } else {
            mf.snoc_text = offload::rte::render_testpmd(rte);
            std::string why;
            auto f = parse_flow_line(mf.snoc_text, &why);
            if (!f) {
                out.errors.push_back("snoc's own rendering does not read back (" + why + "): " + mf.snoc_text);
            } else {
                normalise_snoc(*f);
                mf.snoc = std::move(*f);
            }
        }
        out.megaflows.push_back(std::move(mf));
    }

    std::set<std::string> seen;
    size_t pos = 0;
    while (pos < ovs_log.size()) {
        size_t end = ovs_log.find('\n', pos);
        if (end == std::string_view::npos) end = ovs_log.size();
        const std::string_view line = ovs_log.substr(pos, end - pos);
        pos = end + 1;
        const size_t at = line.find("flow create ");
        if (at == std::string_view::npos) continue;
        std::string why;
        auto f = parse_flow_line(line, &why);
        if (!f) {
            out.errors.push_back("OVS log line does not read (" + why + "): " + std::string(line));
            continue;
        }
        if (!f->transfer) continue;  // OVS's partial offload (mark + rss): not what snoc makes
        normalise_ovs(*f);
        if (!seen.insert(to_text(*f)).second) continue;
        OvsRule r{std::string(line.substr(at)), std::move(*f), std::nullopt};
        for (size_t i = 0; i < out.megaflows.size(); ++i) {
            if (out.megaflows[i].snoc && same(*out.megaflows[i].snoc, r.flow)) {
                r.megaflow = i;
                out.megaflows[i].matched = true;
                break;
            }
        }
        out.ovs.push_back(std::move(r));
    }
    return out;
}

bool CrossCheck::agree() const {
    if (!errors.empty() || ovs.empty()) return false;
    for (const auto& r : ovs) {
        if (!r.megaflow) return false;
    }
    for (const auto& m : megaflows) {
        if (m.snoc && !m.matched) return false;
    }
    return true;
}

std::string CrossCheck::report() const {
    std::string out;
    for (const auto& e : errors) out += "error: " + e + "\n";
    for (const auto& r : ovs) {
        if (r.megaflow) {
            out += "same  OVS:  " + r.text + "\n      snoc: " + megaflows[*r.megaflow].snoc_text + "\n";
            continue;
        }
        out += "DIFF  OVS:  " + r.text + "\n";
        // The nearest megaflow from the same port: the fewest differences.
        const Megaflow* best = nullptr;
        std::vector<std::string> best_diff;
        for (const auto& m : megaflows) {
            if (!m.snoc || m.snoc->port != r.flow.port) continue;
            auto d = differences(r.flow, *m.snoc);
            if (!best || d.size() < best_diff.size()) best = &m, best_diff = std::move(d);
        }
        if (!best) {
            out += "      no megaflow of that port that snoc translated\n";
            continue;
        }
        out += "      nearest snoc: " + best->snoc_text + "\n      megaflow: " + best->key + "\n";
        for (const auto& d : best_diff) out += "        " + d + "   (OVS vs snoc)\n";
    }
    for (const auto& m : megaflows) {
        if (m.snoc && !m.matched) out += "MISS  snoc: " + m.snoc_text + "\n      megaflow: " + m.key + "\n      OVS made no equal rule\n";
        if (!m.snoc) out += "skip  megaflow: " + m.key + "\n      " + m.snoc_text + "\n";
    }
    return out;
}

}  // namespace snoc::testpmd
