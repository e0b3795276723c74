#include "controller/profile_loader.h"

#include <filesystem>

#include "controller/builtin_profiles.h"
#include "controller/yaml_reader.h"
#include "flow/number_text.h"
#include "sys/regular_file.h"

namespace snoc {
namespace {

using offload::Backend;
using offload::BackendCaps;
using offload::MaskSupport;
using offload::NicProfile;
using yaml::Cursor;
using yaml::MapReader;

// "unknown" is how a profile says no public figure exists; anything else must
// be a count up to `max` (reported at the value otherwise).
std::optional<uint32_t> count_or_unknown(const Cursor& c, uint64_t max) {
    if (c.is_scalar() && !c.quoted()) {
        if (c.node().Scalar() == "unknown") return std::nullopt;
        if (auto v = parse_uint_dec_or_hex(c.node().Scalar()); v && *v <= max) return static_cast<uint32_t>(*v);
    }
    c.expected("an integer from 0 to " + std::to_string(max) + " or 'unknown'");
    return std::nullopt;
}

std::optional<std::string> string_list_item(const Cursor& c) { return c.str("a name"); }

template <typename T, typename Parse>
std::vector<T> named_list(const Cursor& c, std::string_view what, Parse parse, std::string_view choices) {
    std::vector<T> out;
    for (const Cursor& e : c.elements(what)) {
        auto name = string_list_item(e);
        if (!name) continue;
        if (auto v = parse(*name)) out.push_back(*v);
        else e.error("unknown " + std::string(what) + " '" + *name + "'; expected one of: " + std::string(choices));
    }
    return out;
}

std::string field_names() {
    std::string s;
    for (const auto& f : flow::all_fields()) s += (s.empty() ? "" : ", ") + std::string(f.name);
    return s;
}

std::string action_names() {
    std::string s;
    for (size_t i = 0; i < flow::kActionKindCount; ++i) {
        s += (i ? ", " : "") + std::string(to_string(static_cast<flow::ActionKind>(i)));
    }
    return s;
}

std::vector<flow::Field> field_list(const Cursor& c) {
    return named_list<flow::Field>(c, "match field", flow::field_from_name, field_names());
}

std::vector<flow::ActionKind> action_list(const Cursor& c) {
    return named_list<flow::ActionKind>(c, "action", flow::action_kind_from_name, action_names());
}

BackendCaps read_caps(const Cursor& c) {
    BackendCaps caps;
    MapReader m(c, "a backend capability block");
    if (auto match = m.required("match")) {
        MapReader fields(*match, "a map of match field to exact, prefix or arbitrary");
        if (fields.ok()) {
            for (auto it = match->node().begin(); it != match->node().end(); ++it) {
                const std::string name = it->first.Scalar();
                Cursor fc = match->child(it->second, name);
                auto f = flow::field_from_name(name);
                if (!f) {
                    Cursor(it->first, fc.path(), fc.file(), &fc.diags(), fc.location())
                        .error("unknown match field '" + name + "'; expected one of: " + field_names());
                    continue;
                }
                auto mode = fc.one_of({"exact", "prefix", "arbitrary"});
                if (mode) caps.match[*f] = static_cast<MaskSupport>(*mode);
            }
        }
    }
    if (auto a = m.required("actions")) {
        for (auto k : action_list(*a)) {
            if (k == flow::ActionKind::Normal) {
                a->error("'normal' is OVS's software switch and cannot be a hardware action; remove it");
                continue;
            }
            caps.actions.insert(k);
        }
    }
    if (auto s = m.optional("set_fields")) {
        for (auto f : field_list(*s)) caps.set_fields.insert(f);
    }
    if (auto t = m.optional("tunnels")) {
        for (auto ty : named_list<flow::TunnelType>(*t, "tunnel type", flow::tunnel_type_from_name, "vxlan, geneve, gre")) {
            caps.tunnels.insert(ty);
        }
    }
    if (auto ct = m.optional("conntrack")) caps.conntrack = ct->boolean().value_or(false);
    if (auto s = m.optional("skip_sw")) caps.skip_sw = s->boolean().value_or(false);
    if (auto r = m.optional("max_rules")) caps.max_rules = count_or_unknown(*r, 100'000'000);
    if (auto r = m.optional("max_actions")) caps.max_actions = count_or_unknown(*r, 1024);
    if (auto r = m.optional("max_tables")) caps.max_tables = count_or_unknown(*r, 1u << 20);
    m.finish();
    if (!caps.set_fields.empty() && !caps.actions.count(flow::ActionKind::SetField)) {
        c.error("set_fields lists fields but actions does not include set_field");
    }
    return caps;
}

offload::Quirk read_quirk(const Cursor& c) {
    offload::Quirk q;
    MapReader m(c, "a quirk");
    if (auto id = m.required("id")) q.id = id->str("a quirk id").value_or("");
    if (auto d = m.required("description")) q.description = d->str("a description").value_or("");
    if (auto b = m.optional("backend")) {
        if (auto i = b->one_of({"tc-flower", "rte_flow", "emulated"})) q.backend = static_cast<Backend>(*i);
    }
    if (auto w = m.optional("when_match")) q.when_match = field_list(*w);
    if (auto w = m.optional("when_actions")) q.when_actions = action_list(*w);
    if (auto w = m.optional("when_bits_set")) {
        MapReader bits(*w, "a map of match field to bits that must be matched as set");
        if (bits.ok()) {
            for (auto it = w->node().begin(); it != w->node().end(); ++it) {
                const std::string name = it->first.Scalar();
                Cursor bc = w->child(it->second, name);
                auto f = flow::field_from_name(name);
                if (!f) {
                    bc.error("unknown match field '" + name + "'; expected one of: " + field_names());
                    continue;
                }
                if (auto v = bc.uint(1, ~uint64_t{0}, "a bit mask")) q.when_bits_set[*f] = *v;
            }
        }
    }
    if (auto b = m.optional("blocks_offload")) q.blocks_offload = b->boolean().value_or(true);
    m.finish();
    return q;
}

offload::EswitchSettings read_eswitch(const Cursor& c) {
    offload::EswitchSettings e;
    MapReader m(c, "a map of eswitch settings (inline_mode, encap_mode, optional)");
    if (auto v = m.optional("inline_mode")) {
        if (auto i = v->one_of({"none", "link", "network", "transport"})) e.inline_mode = static_cast<offload::InlineMode>(*i);
    }
    if (auto v = m.optional("encap_mode")) {
        if (auto i = v->one_of({"none", "basic"})) e.encap_mode = static_cast<offload::EncapMode>(*i);
    }
    if (auto v = m.optional("optional")) e.optional = v->boolean().value_or(false);
    m.finish();
    return e;
}

std::string stem_of(const std::string& file) { return std::filesystem::path(file).stem().string(); }

}  // namespace

std::optional<NicProfile> load_profile(std::string_view text, const std::string& file, Diagnostics& diags) {
    const size_t errors_before = diags.error_count();
    auto doc = yaml::parse_document(text, file, diags);
    if (!doc) return std::nullopt;
    Cursor root(*doc, "", file, &diags, Location{file, 1, 1});
    MapReader m(root, "a NIC profile");
    if (!m.ok()) return std::nullopt;

    NicProfile p;
    p.origin = file;
    if (auto n = m.required("name")) {
        p.name = n->str("a profile name").value_or("");
        if (!p.name.empty() && p.name != stem_of(file)) {
            n->error("profile name '" + p.name + "' must match its file name '" + stem_of(file) + ".yaml'");
        }
    }
    if (auto v = m.required("vendor")) p.vendor = v->str("a vendor name").value_or("");
    if (auto v = m.required("model")) p.model = v->str("a model name").value_or("");
    if (auto d = m.optional("drivers")) {
        for (const Cursor& e : d->elements("kernel driver names")) {
            if (auto s = e.str("a driver name")) p.drivers.push_back(*s);
        }
    }
    if (auto a = m.optional("arch")) p.arch = a->str("a CPU architecture such as aarch64").value_or("");
    if (auto v = m.required("max_vfs")) p.max_vfs = count_or_unknown(*v, 65535);
    if (auto modes = m.required("eswitch_modes")) {
        for (auto mode : named_list<offload::EswitchMode>(*modes, "eswitch mode", offload::eswitch_mode_from_name,
                                                          "legacy, switchdev")) {
            p.eswitch_modes.insert(mode);
        }
    }
    if (auto mc = m.optional("mode_change")) {
        if (auto i = mc->one_of({"any", "requires_no_vfs", "requires_unbound"})) {
            p.mode_change = static_cast<offload::ModeChangeRule>(*i);
        }
    }
    if (auto e = m.optional("eswitch")) p.eswitch = read_eswitch(*e);
    if (auto b = m.required("backends")) {
        MapReader backends(*b, "a map of backend name to capabilities");
        for (Backend be : offload::kAllBackends) {
            if (auto c = backends.optional(to_string(be))) p.backends[be] = read_caps(*c);
        }
        backends.finish();
    }
    if (auto q = m.optional("quirks")) {
        for (const Cursor& e : q->elements("quirks")) p.quirks.push_back(read_quirk(e));
    }
    if (auto s = m.optional("sources")) {
        MapReader sources(*s, "a map of capability to public source");
        if (sources.ok()) {
            for (auto it = s->node().begin(); it != s->node().end(); ++it) {
                const std::string key = it->first.Scalar();
                if (auto text_value = s->child(it->second, key).str("a citation")) p.sources[key] = *text_value;
            }
        }
    }
    if (auto n = m.optional("notes")) p.notes = n->str("free text").value_or("");
    m.finish();
    if (diags.error_count() > errors_before) return std::nullopt;
    return p;
}

ProfileMap load_profiles(const std::vector<std::string>& dirs, Diagnostics& diags) {
    ProfileMap out;
    for (const EmbeddedFile& f : builtin_profile_files()) {
        if (auto p = load_profile(f.text, std::string(f.path), diags)) {
            p->origin = "builtin:" + std::string(f.path);
            out[p->name] = std::move(*p);
        }
    }
    for (const std::string& dir : dirs) {
        std::error_code ec;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.path().extension() == ".yaml") files.push_back(entry.path());
        }
        if (ec) {
            diags.error(Location{dir, 0, 0}, "", "cannot read NIC profile directory: " + ec.message());
            continue;
        }
        std::sort(files.begin(), files.end());
        for (const auto& path : files) {
            std::string text;
            if (const auto st = sys::read_regular_file(path.string(), kMaxProfileFileBytes, text); !st.ok()) {
                diags.error(Location{path.string(), 0, 0}, "", "cannot read NIC profile: " + st.reason);
                continue;
            }
            if (auto p = load_profile(text, path.string(), diags)) out[p->name] = std::move(*p);
        }
    }
    return out;
}

}  // namespace snoc
