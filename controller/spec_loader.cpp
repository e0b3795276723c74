// Reads each section of the spec into the model. Cross-section checks
// (references, duplicates, what a NIC profile can meet) are in
// spec_validate.cpp, so this file only knows the shape of the YAML.
#include "controller/spec_loader.h"


#include "controller/spec_validate.h"
#include "controller/spec_values.h"
#include "controller/yaml_reader.h"
#include "flow/policy_syntax.h"
#include "sys/regular_file.h"

namespace snoc::spec {
namespace {

using yaml::Cursor;
using yaml::MapReader;

template <typename T>
void set_if(std::optional<T> v, T& out) {
    if (v) out = std::move(*v);
}

Origin origin_of(const Cursor& c, const MapReader& m) {
    return Origin{c.location(), c.path(), m.value_locations()};
}

VfSpec read_vf(const Cursor& c) {
    VfSpec vf;
    MapReader m(c, "a VF");
    if (auto i = m.required("index")) vf.index = static_cast<uint16_t>(i->uint(0, 65534, "a VF index").value_or(0));
    if (auto v = m.optional("mac")) vf.mac = read_unicast_mac(*v);
    if (auto v = m.optional("vlan")) vf.vlan = read_vlan(*v);
    if (auto v = m.optional("qos")) {
        if (auto q = v->uint(0, 7, "an 802.1p priority")) vf.qos = static_cast<uint8_t>(*q);
        if (!m.optional("vlan")) v->error("qos needs a vlan on the same VF");
    }
    if (auto v = m.optional("trust")) vf.trust = v->boolean();
    if (auto v = m.optional("spoofchk")) vf.spoofchk = v->boolean();
    if (auto v = m.optional("max_tx_rate_mbps")) {
        if (auto r = v->uint(0, 400'000, "a rate in Mbit/s")) vf.max_tx_rate_mbps = static_cast<uint32_t>(*r);
    }
    vf.origin = origin_of(c, m);
    m.finish();
    return vf;
}

NicSpec read_nic(const Cursor& c) {
    NicSpec nic;
    MapReader m(c, "a NIC");
    if (auto v = m.required("name")) set_if(read_name(*v, "a NIC name"), nic.name);
    auto pci = m.optional("pci");
    auto pf = m.optional("pf");
    if (pci) set_if(read_pci_address(*pci), nic.pci);
    if (pf) set_if(read_ifname(*pf), nic.pf);
    if (!pci && !pf && m.ok()) c.error("a NIC needs 'pci' (e.g. 0000:03:00.0) or 'pf' (its PF netdev), or both");
    if (auto v = m.required("profile")) {
        auto name = v->str("a NIC profile name");
        // An empty name would match no profile and so skip every profile check.
        if (name && name->empty()) {
            v->expected("a NIC profile name (`snoc profiles` lists them)");
            name.reset();
        }
        set_if(name, nic.profile);
    }
    if (auto v = m.optional("eswitch_mode")) {
        if (auto i = v->one_of({"legacy", "switchdev"})) nic.eswitch_mode = static_cast<offload::EswitchMode>(*i);
    }
    if (auto v = m.optional("backend")) {
        if (auto i = v->one_of({"tc-flower", "rte_flow", "emulated"})) nic.backend = static_cast<offload::Backend>(*i);
    }
    if (auto v = m.optional("num_vfs")) nic.num_vfs = static_cast<uint16_t>(v->uint(0, 65535, "a VF count").value_or(0));
    if (auto v = m.optional("vfs")) {
        for (const Cursor& e : v->elements("VFs")) nic.vfs.push_back(read_vf(e));
    }
    if (auto v = m.optional("representor_prefix")) set_if(v->str("a representor name prefix"), nic.representor_prefix);
    if (auto v = m.optional("hw_tc_offload")) set_if(v->boolean(), nic.hw_tc_offload);
    if (auto v = m.optional("irq_affinity")) set_if(v->boolean(), nic.irq_affinity);
    nic.origin = origin_of(c, m);
    m.finish();
    if (nic.representor_prefix.empty()) nic.representor_prefix = nic.name;
    return nic;
}

TunnelSpec read_tunnel(const Cursor& c) {
    TunnelSpec t;
    MapReader m(c, "a tunnel port");
    if (auto v = m.required("name")) set_if(read_ifname(*v), t.name);
    if (auto v = m.required("type")) {
        if (auto i = v->one_of({"vxlan", "geneve", "gre"})) t.type = static_cast<flow::TunnelType>(*i);
    }
    auto is_flow = [](const Cursor& v) { return v.is_scalar() && v.node().Scalar() == "flow"; };
    if (auto v = m.required("remote_ip")) {
        if (!is_flow(*v)) t.remote_ip = read_ipv4(*v);
    }
    if (auto v = m.optional("local_ip")) t.local_ip = read_ipv4(*v);
    if (auto v = m.optional("key")) {
        // VXLAN and Geneve carry a 24-bit VNI, GRE a 32-bit key.
        const uint64_t max = t.type == flow::TunnelType::Gre ? 0xffffffffu : 0xffffffu;
        if (!is_flow(*v)) {
            if (auto k = v->uint(0, max, "a tunnel key, or 'flow'")) t.key = *k;
        }
    } else {
        t.key = 0;
    }
    if (auto v = m.optional("dst_port")) t.dst_port = static_cast<uint16_t>(v->uint(1, 65535, "a UDP port").value_or(0));
    if (auto v = m.optional("nic")) set_if(v->str("a NIC name"), t.nic);
    t.origin = origin_of(c, m);
    m.finish();
    return t;
}

OvsSpec read_ovs(const Cursor& c) {
    OvsSpec o;
    MapReader m(c, "the OVS section");
    if (auto v = m.optional("bridge")) set_if(read_ifname(*v), o.bridge);
    if (auto v = m.optional("datapath_type")) {
        if (auto i = v->one_of({"system", "netdev"})) o.datapath_type = *i == 0 ? "system" : "netdev";
    }
    if (auto v = m.optional("hw_offload")) set_if(v->boolean(), o.hw_offload);
    if (auto v = m.optional("tc_policy")) {
        if (auto i = v->one_of({"none", "skip_sw", "skip_hw"})) o.tc_policy = static_cast<TcPolicy>(*i);
    }
    if (auto v = m.optional("other_config")) {
        MapReader extras(*v, "a map of other_config keys to values");
        if (extras.ok()) {
            for (auto it = v->node().begin(); it != v->node().end(); ++it) {
                const std::string key = it->first.Scalar();
                Cursor vc = v->child(it->second, key);
                if (key == "hw-offload" || key == "tc-policy") {
                    vc.error("'" + key + "' is set by ovs." + (key == "hw-offload" ? "hw_offload" : "tc_policy") +
                             "; remove it from other_config");
                    continue;
                }
                if (auto s = vc.str("a string value")) o.other_config[key] = *s;
            }
        }
    }
    if (auto v = m.optional("tunnels")) {
        for (const Cursor& e : v->elements("tunnel ports")) o.tunnels.push_back(read_tunnel(e));
    }
    o.origin = origin_of(c, m);
    m.finish();
    return o;
}

void read_attachment(const Cursor& c, WorkloadSpec& w) {
    if (c.is_scalar() && c.node().Scalar() == "veth") {
        w.attach = AttachKind::Veth;
        return;
    }
    if (!c.is_map()) {
        c.expected("'veth' or a VF attachment like {nic: nic0, vf: 0}");
        return;
    }
    MapReader m(c, "a VF attachment");
    w.attach = AttachKind::Vf;
    if (auto v = m.optional("nic")) set_if(v->str("a NIC name"), w.nic);
    if (auto v = m.required("vf")) w.vf = static_cast<uint16_t>(v->uint(0, 65534, "a VF index").value_or(0));
    m.finish();
}

WorkloadSpec read_workload(const Cursor& c) {
    WorkloadSpec w;
    MapReader m(c, "a workload");
    if (auto v = m.required("name")) set_if(read_name(*v, "a workload name"), w.name);
    if (auto v = m.optional("netns")) set_if(read_name(*v, "a network namespace name"), w.netns);
    if (auto v = m.required("attach")) read_attachment(*v, w);
    if (auto v = m.optional("ifname")) set_if(read_ifname(*v), w.ifname);
    if (auto v = m.optional("host_ifname")) {
        set_if(read_ifname(*v), w.host_ifname);
        if (w.attach == AttachKind::Vf) v->error("host_ifname is for veth workloads; a VF's host side is its representor");
    }
    if (auto v = m.optional("ip")) {
        if (v->is_seq()) {
            for (const Cursor& e : v->elements("addresses")) {
                if (auto p = read_prefix(e)) w.addresses.push_back(*p);
            }
        } else if (auto p = read_prefix(*v)) {
            w.addresses.push_back(*p);
        }
    }
    if (auto v = m.optional("mac")) w.mac = read_unicast_mac(*v);
    if (auto v = m.optional("vlan")) w.vlan = read_vlan(*v);
    if (auto v = m.optional("gateway")) w.gateway = read_ip(*v);
    if (auto v = m.optional("mtu")) w.mtu = static_cast<uint16_t>(v->uint(68, 9216, "an MTU").value_or(1500));
    w.origin = origin_of(c, m);
    m.finish();
    if (w.netns.empty()) w.netns = w.name;
    if (w.attach == AttachKind::Veth && w.host_ifname.empty() && !w.name.empty()) w.host_ifname = "v-" + w.name;
    return w;
}

MeterSpec read_meter(const Cursor& c) {
    MeterSpec mt;
    MapReader m(c, "a meter");
    if (auto v = m.required("id")) mt.id = static_cast<uint32_t>(v->uint(1, 0xffff0000u, "a meter id").value_or(0));
    if (auto v = m.required("rate_kbps")) mt.rate_kbps = v->uint(1, 400'000'000, "a rate in kbit/s").value_or(0);
    if (auto v = m.optional("burst_kb")) mt.burst_kb = v->uint(0, 4'000'000, "a burst size in kbit").value_or(0);
    mt.origin = origin_of(c, m);
    m.finish();
    return mt;
}

// The rule text's position in the file, plus an offset into it. Exact for
// single-line plain and quoted scalars; block scalars point at the node.
Location rule_location(const Cursor& c, size_t offset) {
    Location loc = c.location();
    const std::string& text = c.node().Scalar();
    if (text.find('\n') == std::string::npos && loc.column > 0) {
        loc.column += static_cast<int>(offset) + (c.quoted() ? 1 : 0);
    }
    return loc;
}

PolicySpec read_policy(const Cursor& c, size_t index) {
    PolicySpec p;
    p.name = "rule-" + std::to_string(index);
    p.origin = Origin{c.location(), c.path(), {}};
    std::optional<Cursor> text_cursor;
    if (c.is_map()) {
        MapReader m(c, "a policy rule");
        if (auto v = m.optional("name")) set_if(read_name(*v, "a rule name"), p.name);
        text_cursor = m.required("rule");
        m.finish();
    } else if (c.is_scalar()) {
        text_cursor = c;
    } else {
        c.expected("a rule in ovs-ofctl syntax, or {name: ..., rule: ...}");
    }
    if (!text_cursor) return p;
    auto text = text_cursor->str("a rule in ovs-ofctl syntax");
    if (!text) return p;
    p.text = *text;
    p.origin.location = rule_location(*text_cursor, 0);
    p.origin.path = text_cursor->path();
    flow::ParsedFlow parsed = flow::parse_policy_flow(p.text);
    if (parsed.flow) {
        p.flow = std::move(*parsed.flow);
        p.parsed = true;
    } else {
        const flow::SyntaxError& e = *parsed.error;
        std::string msg = e.message;
        if (text_cursor->node().Scalar().find('\n') != std::string::npos) {
            msg += " (at character " + std::to_string(e.offset + 1) + " of the rule)";
        }
        c.diags().error(rule_location(*text_cursor, e.offset), text_cursor->path(), msg);
    }
    return p;
}

MonitoringSpec read_monitoring(const Cursor& c) {
    MonitoringSpec mon;
    MapReader m(c, "the monitoring section");
    if (auto v = m.optional("listen")) set_if(read_listen_address(*v), mon.listen);
    if (auto v = m.optional("poll_interval")) {
        set_if(read_duration(*v, std::chrono::milliseconds(100), std::chrono::milliseconds(3'600'000)),
               mon.poll_interval);
    }
    mon.origin = origin_of(c, m);
    m.finish();
    return mon;
}

}  // namespace

std::optional<Spec> load_spec(std::string_view text, const std::string& file, const ProfileMap& profiles,
                              Diagnostics& diags) {
    const size_t errors_before = diags.error_count();
    auto doc = yaml::parse_document(text, file, diags);
    if (!doc) return std::nullopt;
    Cursor root(*doc, "", file, &diags, Location{file, 1, 1});
    if (root.is_null()) {
        root.error("the file is empty; expected a deployment spec with nics, ovs, workloads and policies");
        return std::nullopt;
    }
    MapReader m(root, "a deployment spec");
    if (!m.ok()) return std::nullopt;

    Spec s;
    s.file = file;
    if (auto v = m.optional("nics")) {
        for (const Cursor& e : v->elements("NICs")) s.nics.push_back(read_nic(e));
    }
    if (auto v = m.optional("ovs")) {
        s.ovs = read_ovs(*v);
        s.ovs.present = true;
    }
    if (auto v = m.optional("workloads")) {
        for (const Cursor& e : v->elements("workloads")) s.workloads.push_back(read_workload(e));
    }
    if (auto v = m.optional("meters")) {
        for (const Cursor& e : v->elements("meters")) s.meters.push_back(read_meter(e));
    }
    if (auto v = m.optional("policies")) {
        size_t i = 0;
        for (const Cursor& e : v->elements("policy rules")) s.policies.push_back(read_policy(e, i++));
    }
    if (auto v = m.optional("monitoring")) s.monitoring = read_monitoring(*v);
    m.finish();

    // Cross-section checks run even when a section had errors, so one run
    // reports everything; they skip entries whose own values failed to read.
    validate_spec(s, profiles, diags);
    if (diags.error_count() > errors_before) return std::nullopt;
    return s;
}

std::optional<Spec> load_spec_file(const std::string& path, const ProfileMap& profiles, Diagnostics& diags) {
    std::string text;
    if (const auto st = sys::read_regular_file(path, kMaxSpecFileBytes, text); !st.ok()) {
        diags.error(Location{path, 0, 0}, "", "cannot read the spec file: " + st.reason);
        return std::nullopt;
    }
    return load_spec(text, path, profiles, diags);
}

std::optional<Spec> load_spec_and_profiles(const std::string& path, const std::vector<std::string>& profile_dirs,
                                           ProfileMap& profiles, Diagnostics& diags) {
    profiles = load_profiles(profile_dirs, diags);
    auto s = load_spec_file(path, profiles, diags);
    if (diags.has_errors()) return std::nullopt;
    return s;
}

}  // namespace snoc::spec
