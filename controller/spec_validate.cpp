// Cross-section checks of a deployment spec: names are unique, every
// reference resolves, and every request is one the NIC's profile can meet.
#include "controller/spec_validate.h"

#include <algorithm>
#include <map>
#include <set>

#include "controller/port_directory.h"
#include "controller/spec_values.h"
#include "controller/yaml_reader.h"
#include "flow/policy_syntax.h"
#include "flow/policy_values.h"
#include "offload/tunnel_lowering.h"

namespace snoc::spec {
namespace {

// Remembers where each name was first seen, to report later duplicates.
class FirstSeen {
public:
    // Returns the line of the first use when `name` was seen before.
    std::optional<int> add(const std::string& name, const Location& loc) {
        auto [it, inserted] = seen_.emplace(name, loc.line);
        if (inserted) return std::nullopt;
        return it->second;
    }

private:
    std::map<std::string, int> seen_;
};

std::string first_on(int line) { return " (first given on line " + std::to_string(line) + ")"; }

// Why an address cannot be a workload interface's own, if it cannot.
std::optional<std::string> unusable_address(const net::IpPrefix& p) {
    const auto& b = p.address.bytes;
    if (p.length == 0) return std::string("a /0 prefix puts every address on the link");
    if (p.address.v6) {
        if (std::all_of(b.begin(), b.end() - 1, [](uint8_t x) { return x == 0; }) && (b[15] == 0 || b[15] == 1)) {
            return std::string(b[15] ? "it is the loopback address" : "it is the unspecified address");
        }
        if (b[0] == 0xff) return std::string("it is a multicast address");
        return std::nullopt;
    }
    if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) return std::string("it is the unspecified address");
    if (b[0] == 127) return std::string("it is a loopback address (127.0.0.0/8)");
    if (b[0] >= 224 && b[0] < 240) return std::string("it is a multicast address (224.0.0.0/4)");
    if (b[0] >= 240) return std::string("it is a reserved or broadcast address (240.0.0.0/4)");
    if (p.length >= 31) return std::nullopt;  // /31 (RFC 3021) and /32: every address is a host's
    const uint32_t v = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    const uint32_t host = (uint32_t{1} << (32 - p.length)) - 1;
    if ((v & host) == 0) return "it is the network address of its /" + std::to_string(p.length);
    if ((v & host) == host) return "it is the broadcast address of its /" + std::to_string(p.length);
    return std::nullopt;
}

// "'a', 'b', 'c'" — the first ten, then how many more.
std::string listed(const std::vector<std::string>& names) {
    constexpr size_t kShown = 10;
    std::string out;
    for (size_t i = 0; i < names.size() && i < kShown; ++i) out += (i ? ", '" : "'") + names[i] + "'";
    if (names.size() > kShown) out += " (and " + std::to_string(names.size() - kShown) + " more)";
    return out.empty() ? "none" : out;
}

class Validator {
public:
    Validator(Spec& s, const ProfileMap& profiles, Diagnostics& diags) : s_(s), profiles_(profiles), diags_(diags) {}

    void run() {
        check_nics();
        check_ovs();
        check_workloads();
        check_meters();
        check_policies();
    }

private:
    void error(const Origin& o, std::string_view key, std::string msg) {
        diags_.error(o.at(key), key.empty() ? o.path : o.path_of(key), std::move(msg));
    }
    void warning(const Origin& o, std::string_view key, std::string msg) {
        diags_.warning(o.at(key), key.empty() ? o.path : o.path_of(key), std::move(msg));
    }

    const offload::NicProfile* profile_of(const NicSpec& nic) const {
        auto it = profiles_.find(nic.profile);
        return it == profiles_.end() ? nullptr : &it->second;
    }

    std::vector<std::string> profile_names() const {
        std::vector<std::string> names;
        for (const auto& [name, p] : profiles_) names.push_back(name);
        return names;
    }

    // The NIC a workload or tunnel means when it names none: the only NIC.
    std::string default_nic() const { return s_.nics.size() == 1 ? s_.nics[0].name : std::string(); }

    void check_nics() {
        FirstSeen names, pcis, pfs;
        for (NicSpec& nic : s_.nics) {
            if (!nic.name.empty()) {
                if (auto line = names.add(nic.name, nic.origin.at("name"))) {
                    error(nic.origin, "name", "duplicate NIC name '" + nic.name + "'" + first_on(*line));
                }
            }
            if (!nic.pci.empty()) {
                if (auto line = pcis.add(nic.pci, nic.origin.at("pci"))) {
                    error(nic.origin, "pci", "PCI address " + nic.pci + " is already used by another NIC" + first_on(*line));
                }
            }
            if (!nic.pf.empty()) {
                if (auto line = pfs.add(nic.pf, nic.origin.at("pf"))) {
                    error(nic.origin, "pf", "PF netdev " + nic.pf + " is already used by another NIC" + first_on(*line));
                }
            }
            check_nic_against_profile(nic);
            check_vfs(nic);
            if (nic.backend == offload::Backend::Emulated) check_emulated(nic);
            if (nic.backend == offload::Backend::RteFlow && nic.pci.empty()) {
                // DPDK names the ports by PCI address: <pci>, <pci>_representor_vf<N>.
                error(nic.origin, "backend", "NIC " + nic.name + " uses backend rte_flow, and DPDK names its ports by PCI "
                                                "address ('<pci>', '<pci>_representor_vf<N>'); set 'pci'");
            }
            const std::string last_rep = representor_name(nic, nic.num_vfs > 0 ? static_cast<uint16_t>(nic.num_vfs - 1) : 0);
            if (nic.num_vfs > 0 && !valid_ifname(last_rep)) {
                error(nic.origin, nic.origin.where.count("representor_prefix") ? "representor_prefix" : "name",
                      "representor names like '" + last_rep +
                          "' would exceed the 15-character interface name limit; set a shorter representor_prefix");
            }
        }
    }

    void check_nic_against_profile(const NicSpec& nic) {
        if (nic.profile.empty()) return;
        const offload::NicProfile* p = profile_of(nic);
        if (!p) {
            std::string msg = "unknown NIC profile '" + nic.profile + "'";
            if (auto hint = yaml::closest(nic.profile, profile_names())) msg += "; did you mean '" + *hint + "'?";
            msg += "; known profiles: ";
            const auto names = profile_names();
            for (size_t i = 0; i < names.size(); ++i) msg += (i ? ", " : "") + names[i];
            msg += " (see `snoc profiles`)";
            error(nic.origin, "profile", msg);
            return;
        }
        if (!p->eswitch_modes.count(nic.eswitch_mode)) {
            error(nic.origin, "eswitch_mode",
                  "NIC profile " + p->name + " does not support eswitch mode " +
                      std::string(to_string(nic.eswitch_mode)));
        }
        if (!p->caps(nic.backend)) {
            std::string have;
            for (const auto& [b, caps] : p->backends) have += (have.empty() ? "" : ", ") + std::string(to_string(b));
            error(nic.origin, "backend",
                  "NIC profile " + p->name + " has no " + std::string(to_string(nic.backend)) +
                      " offload; it lists: " + (have.empty() ? "none" : have));
        }
        if (p->max_vfs && nic.num_vfs > *p->max_vfs) {
            error(nic.origin, "num_vfs",
                  "num_vfs " + std::to_string(nic.num_vfs) + " is more than NIC profile " + p->name + " supports (" +
                      std::to_string(*p->max_vfs) + " VFs per PF)");
        }
    }

    // An emulated NIC is made by snoc from veth pairs (controller/nic/emulated_nic.h):
    // no PCI device, and every name it makes must be a valid interface name.
    void check_emulated(const NicSpec& nic) {
        if (!nic.pci.empty()) {
            error(nic.origin, "pci", "NIC " + nic.name + " is emulated (backend: emulated): it has no PCI device; "
                                     "name its uplink with 'pf' instead");
        }
        if (nic.pf.empty()) {
            error(nic.origin, "name", "NIC " + nic.name + " is emulated (backend: emulated): 'pf' names the uplink netdev snoc creates");
            return;
        }
        const std::string last_vf = emulated_vf_name(nic.pf, nic.num_vfs > 0 ? static_cast<uint16_t>(nic.num_vfs - 1) : 0);
        if (nic.num_vfs > 0 && !valid_ifname(last_vf)) {
            error(nic.origin, "pf", "VF netdev names like '" + last_vf +
                                        "' (the pf name + v<N>) would exceed the 15-character interface name limit; "
                                        "choose a shorter pf");
        }
        for (const VfSpec& vf : nic.vfs) {
            if (vf.vlan || vf.qos || vf.trust || vf.spoofchk || vf.max_tx_rate_mbps) {
                error(vf.origin, "index", "VF " + std::to_string(vf.index) + " of emulated NIC " + nic.name +
                                              ": the emulated NIC has no VF VLAN, QoS, trust, spoof checking or TX rate "
                                              "(set the MAC on the workload instead)");
            }
            if (vf.mac) {
                error(vf.origin, "mac", "VF " + std::to_string(vf.index) + " of emulated NIC " + nic.name +
                                            ": set the MAC on the workload ('mac'), the emulated NIC has no port function");
            }
        }
    }

    void check_vfs(const NicSpec& nic) {
        FirstSeen indexes;
        for (const VfSpec& vf : nic.vfs) {
            if (!vf.origin.where.count("index")) continue;
            if (vf.index >= nic.num_vfs) {
                error(vf.origin, "index",
                      "VF index " + std::to_string(vf.index) + " is out of range: NIC " + nic.name + " has num_vfs " +
                          std::to_string(nic.num_vfs) +
                          (nic.num_vfs ? " (indexes 0 to " + std::to_string(nic.num_vfs - 1) + ")" : ""));
            }
            if (auto line = indexes.add(std::to_string(vf.index), vf.origin.at("index"))) {
                error(vf.origin, "index", "VF " + std::to_string(vf.index) + " is configured twice" + first_on(*line));
            }
            if (vf.vlan && nic.eswitch_mode == offload::EswitchMode::Switchdev) {
                warning(vf.origin, "vlan",
                        "a VF VLAN (IFLA_VF_VLAN) is ignored by most drivers in switchdev mode; tag the workload's "
                        "OVS port instead with workloads[].vlan");
            }
        }
    }

    void check_ovs() {
        const OvsSpec& o = s_.ovs;
        // OVS's two datapaths offload through different APIs: the kernel one
        // through tc (tc-flower NICs), the userspace one through rte_flow
        // (OVS-DPDK, rte_flow NICs). Emulated NICs need neither.
        std::string tc_nics;
        for (const NicSpec& nic : s_.nics) {
            if (nic.backend == offload::Backend::TcFlower) tc_nics += (tc_nics.empty() ? "" : ", ") + nic.name;
            if (nic.backend == offload::Backend::RteFlow && o.hw_offload && o.datapath_type == "system") {
                warning(nic.origin, "backend",
                        "NIC " + nic.name + " uses backend rte_flow, but OVS's kernel datapath (ovs.datapath_type "
                        "system) offloads through tc: its rte_flow rules are for a DPDK application that owns the "
                        "ports; OVS-DPDK needs datapath_type netdev");
            }
        }
        if (o.hw_offload && o.datapath_type == "netdev" && !tc_nics.empty()) {
            warning(o.origin, "datapath_type",
                    "hw_offload is on, but with datapath_type netdev OVS offloads only through DPDK rte_flow; kernel tc offload needs "
                    "datapath_type system (tc-flower NICs: " + tc_nics + ")");
        }

        if (o.tc_policy == TcPolicy::SkipSw) {
            for (const NicSpec& nic : s_.nics) {
                const offload::NicProfile* p = profile_of(nic);
                const offload::BackendCaps* caps = p ? p->caps(offload::Backend::TcFlower) : nullptr;
                if (p && (!caps || !caps->skip_sw)) {
                    error(o.origin, "tc_policy",
                          "tc_policy skip_sw keeps rules in hardware only, but NIC " + nic.name + " (profile " +
                              p->name + ") cannot run tc rules without software fallback");
                }
            }
        }
        FirstSeen names;
        for (TunnelSpec& t : s_.ovs.tunnels) {
            if (t.name.empty()) continue;
            if (auto line = names.add(t.name, t.origin.at("name"))) {
                error(t.origin, "name", "duplicate tunnel port name '" + t.name + "'" + first_on(*line));
            }
            if (t.nic.empty()) {
                t.nic = default_nic();
            } else if (!s_.find_nic(t.nic)) {
                error(t.origin, "nic", "tunnel underlay NIC '" + t.nic + "' is not defined under nics");
            }
        }
    }

    // Every name a policy can use as a port, with where it was defined.
    void check_port_name(const Origin& o, const std::string& name, std::string_view what, FirstSeen& ports) {
        if (name.empty()) return;
        // OVS port names with a meaning of their own (in any case): one list, the policy syntax's.
        if (flow::syntax::is_reserved_port(name)) {
            error(o, "name", "'" + name + "' is a reserved OVS port name; choose another " + std::string(what) + " name");
        }
        if (auto line = ports.add(name, o.at("name"))) {
            error(o, "name",
                  "'" + name + "' is already the name of a NIC, workload or tunnel" + first_on(*line) +
                      "; policies name ports by these names, so they must be unique");
        }
    }

    // The host netdevs the NICs bring: PFs, representors, an emulated
    // NIC's VF netdevs, by name, each with what it is.
    std::map<std::string, std::string> nic_host_netdevs() const {
        std::map<std::string, std::string> out;
        for (const NicSpec& nic : s_.nics) {
            if (!nic.pf.empty()) out.emplace(nic.pf, "the PF of NIC " + nic.name);
            if (nic.eswitch_mode != offload::EswitchMode::Switchdev) continue;
            for (uint16_t i = 0; i < nic.num_vfs; ++i) {
                out.emplace(representor_name(nic, i), "the representor of NIC " + nic.name + " VF " + std::to_string(i));
                if (nic.backend == offload::Backend::Emulated && !nic.pf.empty()) {
                    out.emplace(emulated_vf_name(nic.pf, i), "the VF netdev of NIC " + nic.name + " VF " + std::to_string(i));
                }
            }
        }
        return out;
    }

    void check_workloads() {
        FirstSeen ports;
        // Duplicates within NICs and within tunnels are reported by their own checks.
        std::set<std::string> nic_names, tunnel_names;
        for (const NicSpec& nic : s_.nics) {
            if (nic_names.insert(nic.name).second) check_port_name(nic.origin, nic.name, "NIC", ports);
        }
        for (const TunnelSpec& t : s_.ovs.tunnels) {
            if (tunnel_names.insert(t.name).second) check_port_name(t.origin, t.name, "tunnel", ports);
        }

        FirstSeen vfs, ifaces, host_ifnames, addresses;
        const auto host_netdevs = nic_host_netdevs();
        for (WorkloadSpec& w : s_.workloads) {
            check_port_name(w.origin, w.name, "workload", ports);
            if (auto line = ifaces.add(w.netns + "/" + w.ifname, w.origin.location)) {
                error(w.origin, "ifname",
                      "interface " + w.ifname + " in namespace " + w.netns + " is already used by another workload" +
                          first_on(*line));
            }
            if (w.attach == AttachKind::Vf) check_vf_attachment(w, vfs);
            else if (!w.host_ifname.empty()) {
                if (auto line = host_ifnames.add(w.host_ifname, w.origin.at("host_ifname"))) {
                    error(w.origin, "host_ifname",
                          "host interface " + w.host_ifname + " is already used by another workload" + first_on(*line));
                }
                if (auto it = host_netdevs.find(w.host_ifname); it != host_netdevs.end()) {
                    error(w.origin, "host_ifname",
                          "host interface " + w.host_ifname + " is " + it->second + "; choose another name");
                }
                if (!valid_ifname(w.host_ifname)) {
                    error(w.origin, "name",
                          "the host-side veth name '" + w.host_ifname +
                              "' would exceed 15 characters; set host_ifname");
                }
            }
            for (const net::IpPrefix& a : w.addresses) {
                if (auto line = addresses.add(net::format_ip(a.address), w.origin.at("ip"))) {
                    error(w.origin, "ip", "address " + net::format_ip(a.address) + " is already assigned" + first_on(*line));
                }
                if (auto why = unusable_address(a)) {
                    error(w.origin, "ip", net::format_prefix(a) + " cannot be an interface's address: " + *why);
                }
            }
            if (w.gateway && std::any_of(w.addresses.begin(), w.addresses.end(),
                                         [&](const net::IpPrefix& a) { return a.address == *w.gateway; })) {
                error(w.origin, "gateway", "gateway " + net::format_ip(*w.gateway) + " is the workload's own address");
            } else if (w.gateway) {
                const bool reachable = std::any_of(w.addresses.begin(), w.addresses.end(), [&](const net::IpPrefix& a) {
                    return net::same_subnet(a.address, *w.gateway, a.length);
                });
                if (!reachable) {
                    error(w.origin, "gateway",
                          "gateway " + net::format_ip(*w.gateway) + " is not in any of the workload's subnets");
                }
            }
        }
    }

    void check_vf_attachment(WorkloadSpec& w, FirstSeen& vfs) {
        if (w.nic.empty()) {
            w.nic = default_nic();
            if (w.nic.empty()) {
                error(w.origin, "attach",
                      s_.nics.empty() ? "attached to a VF, but the spec defines no NICs"
                                      : "attach.nic is required: the spec has " + std::to_string(s_.nics.size()) +
                                            " NICs");
                return;
            }
        }
        const NicSpec* nic = s_.find_nic(w.nic);
        if (!nic) {
            error(w.origin, "attach", "NIC '" + w.nic + "' is not defined under nics");
            return;
        }
        if (w.vf >= nic->num_vfs) {
            error(w.origin, "attach",
                  "VF " + std::to_string(w.vf) + " is out of range: NIC " + nic->name + " has num_vfs " +
                      std::to_string(nic->num_vfs));
        }
        if (nic->eswitch_mode != offload::EswitchMode::Switchdev) {
            error(w.origin, "attach",
                  "NIC " + nic->name + " is in legacy mode: its VFs have no representors for OVS; set its "
                  "eswitch_mode to switchdev");
        }
        if (auto line = vfs.add(nic->name + "/" + std::to_string(w.vf), w.origin.at("attach"))) {
            error(w.origin, "attach",
                  "VF " + std::to_string(w.vf) + " of NIC " + nic->name + " is already attached to another workload" +
                      first_on(*line));
        }
        for (const VfSpec& vf : nic->vfs) {
            if (vf.index != w.vf) continue;
            if (vf.mac && w.mac && *vf.mac != *w.mac) {
                error(w.origin, "mac",
                      "MAC " + net::format_mac(*w.mac) + " differs from " + net::format_mac(*vf.mac) + " set for VF " +
                          std::to_string(vf.index) + " of NIC " + nic->name + "; give it in one place");
            }
        }
    }

    void check_meters() {
        FirstSeen ids;
        for (const MeterSpec& m : s_.meters) {
            if (auto line = ids.add(std::to_string(m.id), m.origin.at("id"))) {
                error(m.origin, "id", "meter id " + std::to_string(m.id) + " is defined twice" + first_on(*line));
            }
        }
    }

    void check_port_ref(const PolicySpec& p, const std::string& port, std::string_view role,
                        const offload::PortDirectory& ports) {
        if (port == offload::kLocalPort || offload::find_port(ports, port)) return;
        if (diags_.full()) {
            // Counted, not kept: spare the hint (a spec of 100,000 bad names stays fast).
            diags_.error(p.origin.location, p.origin.path, {});
            return;
        }
        std::vector<std::string> names;
        for (const auto& [name, info] : ports) names.push_back(name);
        std::string msg = std::string(role) + " '" + port + "' is not a workload, NIC or tunnel port";
        if (auto hint = yaml::closest(port, names)) {
            msg += "; did you mean '" + *hint + "'?";
        } else {
            msg += "; the spec's ports are " + listed(names) + " and LOCAL";
        }
        diags_.error(p.origin.location, p.origin.path, msg);
    }

    void check_policies() {
        const offload::PortDirectory ports = build_port_directory(s_);
        std::set<uint32_t> meters;
        for (const MeterSpec& m : s_.meters) meters.insert(m.id);
        FirstSeen names, matches;
        for (PolicySpec& p : s_.policies) {
            if (!p.parsed) continue;  // its syntax error is already reported
            if (auto line = names.add(p.name, p.origin.location)) {
                diags_.error(p.origin.location, p.origin.path, "duplicate rule name '" + p.name + "'" + first_on(*line));
            }
            const flow::Flow& f = p.flow;
            if (f.cookie) {
                diags_.error(p.origin.location, p.origin.path,
                             "cookie is managed by snoc (it marks which flows snoc owns); remove it from the rule");
            }
            if (f.match.in_port) check_port_ref(p, *f.match.in_port, "in_port", ports);
            for (const flow::Action& a : f.actions) {
                if (const auto* o = std::get_if<flow::Output>(&a)) {
                    check_port_ref(p, o->port, "output", ports);
                    if (f.match.in_port && *f.match.in_port == o->port) {
                        diags_.warning(p.origin.location, p.origin.path,
                                       "output to the rule's own in_port '" + o->port +
                                           "' sends nothing: OpenFlow drops it unless IN_PORT is used");
                    }
                }
                if (const auto* m = std::get_if<flow::Meter>(&a); m && !meters.count(m->id)) {
                    diags_.error(p.origin.location, p.origin.path,
                                 "meter:" + std::to_string(m->id) + " is not defined under meters");
                }
                if (const auto* g = std::get_if<flow::GotoTable>(&a); g && g->table <= f.table) {
                    diags_.error(p.origin.location, p.origin.path,
                                 "goto_table:" + std::to_string(g->table) + " must go to a later table than table=" +
                                     std::to_string(f.table));
                }
            }
            const std::string key = std::to_string(f.table) + "/" + std::to_string(f.priority) + "/" +
                                    flow::format_match(f.match);
            if (auto line = matches.add(key, p.origin.location)) {
                diags_.error(p.origin.location, p.origin.path,
                             "another rule has the same table, priority and match" + first_on(*line) +
                                 "; OVS would keep only one of them");
            }
            // The one place a rule is lowered: the plan and everything after
            // it take the lowered form from here.
            auto lowered = offload::lower_tunnels(f, ports);
            if (const auto* err = std::get_if<offload::LoweringError>(&lowered)) {
                diags_.error(p.origin.location, p.origin.path, err->message);
            } else {
                p.lowered = std::move(std::get<flow::Flow>(lowered));
            }
        }
    }

    Spec& s_;
    const ProfileMap& profiles_;
    Diagnostics& diags_;
};

}  // namespace

void validate_spec(Spec& s, const ProfileMap& profiles, Diagnostics& diags) { Validator(s, profiles, diags).run(); }

}  // namespace snoc::spec
