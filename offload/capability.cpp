#include "offload/capability.h"

#include <algorithm>

namespace snoc::offload {
namespace {

using flow::ActionKind;
using flow::Field;

constexpr std::string_view kReasonNames[] = {
    "backend-unsupported", "missing-in-port",       "unknown-port",          "port-not-on-eswitch",
    "crosses-eswitches",   "match-unsupported",     "mask-unsupported",      "action-unsupported",
    "set-field-unsupported", "tunnel-unsupported",  "conntrack-unsupported", "software-only-action",
    "too-many-actions",    "too-many-tables",       "table-full",            "install-failed",
    "not-in-hardware",     "left-to-ovs",           "quirk",
};
static_assert(std::size(kReasonNames) == static_cast<size_t>(ReasonCode::Quirk) + 1);

bool is_ct_field(Field f) { return f == Field::CtState || f == Field::CtZone || f == Field::CtMark; }

// Collects reasons once each, in the order found.
class ReasonList {
public:
    void add(ReasonCode code, std::string subject, std::string detail) {
        Reason r{code, std::move(subject), std::move(detail)};
        if (std::find(items_.begin(), items_.end(), r) == items_.end()) items_.push_back(std::move(r));
    }
    std::vector<Reason> take() { return std::move(items_); }

private:
    std::vector<Reason> items_;
};

std::string who(const NicProfile& p, Backend b) { return p.name + " (" + std::string(to_string(b)) + ")"; }

constexpr const char* kNoInPortInHardware =
    "hardware rules are attached to one port; add in_port=<workload, uplink or tunnel>";
constexpr const char* kNormalInHardware =
    "NORMAL is OVS's MAC-learning switch; it has no hardware form (OVS may still offload the datapath flows it "
    "produces)";

// Where a port sits relative to `nic`'s eSwitch; adds a reason when it is not there.
void check_port_on_nic(const std::string& port_name, const PortDirectory& ports, std::string_view nic,
                       std::string_view role, ReasonList& reasons) {
    const PortInfo* p = find_port(ports, port_name);
    if (port_name == kLocalPort) {
        reasons.add(ReasonCode::PortNotOnEswitch, port_name,
                    std::string(role) + " LOCAL is the bridge's internal port, which has no eSwitch behind it");
        return;
    }
    if (!p) {
        reasons.add(ReasonCode::UnknownPort, port_name, std::string(role) + " '" + port_name + "' is not defined");
        return;
    }
    switch (p->kind) {
        case PortKind::Veth:
            reasons.add(ReasonCode::PortNotOnEswitch, port_name,
                        std::string(role) + " '" + port_name + "' is a veth: no NIC eSwitch behind it");
            return;
        case PortKind::Local:
            reasons.add(ReasonCode::PortNotOnEswitch, port_name,
                        std::string(role) + " '" + port_name + "' is an internal port: no NIC eSwitch behind it");
            return;
        case PortKind::Tunnel:
            if (p->nic.empty()) {
                reasons.add(ReasonCode::PortNotOnEswitch, port_name,
                            std::string(role) + " tunnel '" + port_name + "' has no underlay NIC (set its nic:)");
                return;
            }
            break;
        case PortKind::Uplink:
        case PortKind::VfRepresentor:
            break;
    }
    if (p->nic != nic) {
        reasons.add(ReasonCode::CrossesEswitches, port_name,
                    std::string(role) + " '" + port_name + "' is on NIC " + p->nic + ", the rule runs on NIC " +
                        std::string(nic) + "; one eSwitch cannot forward to another");
    }
}

void check_match(const flow::Match& m, const BackendCaps& caps, const std::string& owner, ReasonList& reasons) {
    for (Field f : m.present()) {
        const std::string name(to_string(f));
        if (is_ct_field(f) && !caps.conntrack) {
            reasons.add(ReasonCode::ConntrackUnsupported, name, owner + " does not offload connection tracking");
            continue;
        }
        auto it = caps.match.find(f);
        if (it == caps.match.end()) {
            reasons.add(ReasonCode::MatchUnsupported, name, owner + " cannot match " + name);
            continue;
        }
        const flow::Masked& v = m.get(f);
        if (flow::is_exact(f, v)) continue;
        if (it->second == MaskSupport::Exact) {
            reasons.add(ReasonCode::MaskUnsupported, name, owner + " matches " + name + " only with a full mask");
        } else if (it->second == MaskSupport::Prefix && !is_prefix_mask(f, v)) {
            reasons.add(ReasonCode::MaskUnsupported, name,
                        owner + " matches " + name + " only with prefix (leading-ones) masks");
        }
    }
}

void check_actions(const flow::Flow& f, const PortDirectory& ports, std::string_view nic, const BackendCaps& caps,
                   const std::string& owner, ReasonList& reasons) {
    for (const flow::Action& a : f.actions) {
        const ActionKind k = flow::kind_of(a);
        const std::string name(to_string(k));
        if (k == ActionKind::Normal) {
            reasons.add(ReasonCode::SoftwareOnlyAction, name, kNormalInHardware);
            continue;
        }
        if ((k == ActionKind::Ct || k == ActionKind::CtClear) && !caps.conntrack) {
            reasons.add(ReasonCode::ConntrackUnsupported, name, owner + " does not offload connection tracking");
            continue;
        }
        if (!caps.actions.count(k)) {
            reasons.add(ReasonCode::ActionUnsupported, name, owner + " cannot offload the " + name + " action");
            continue;
        }
        if (const auto* sf = std::get_if<flow::SetField>(&a); sf && !caps.set_fields.count(sf->field)) {
            const std::string field(to_string(sf->field));
            reasons.add(ReasonCode::SetFieldUnsupported, field, owner + " cannot rewrite " + field);
        }
        if (const auto* enc = std::get_if<flow::TunnelEncap>(&a)) {
            if (!caps.tunnels.count(enc->type)) {
                const std::string t(to_string(enc->type));
                reasons.add(ReasonCode::TunnelUnsupported, t, owner + " cannot encapsulate " + t);
            }
            check_port_on_nic(enc->port, ports, nic, "output", reasons);
        }
        if (const auto* o = std::get_if<flow::Output>(&a)) check_port_on_nic(o->port, ports, nic, "output", reasons);
        if (const auto* g = std::get_if<flow::GotoTable>(&a); g && caps.max_tables && g->table >= *caps.max_tables) {
            reasons.add(ReasonCode::TooManyTables, "goto_table",
                        owner + " has " + std::to_string(*caps.max_tables) + " tables; goto_table:" +
                            std::to_string(g->table) + " is beyond them");
        }
    }
    if (caps.max_actions && f.actions.size() > *caps.max_actions) {
        reasons.add(ReasonCode::TooManyActions, "actions",
                    owner + " takes at most " + std::to_string(*caps.max_actions) + " actions per rule; this has " +
                        std::to_string(f.actions.size()));
    }
}

void check_decap(const flow::Flow& f, const PortDirectory& ports, const BackendCaps& caps, const std::string& owner,
                 ReasonList& reasons) {
    const bool decap = std::any_of(f.actions.begin(), f.actions.end(), [](const flow::Action& a) {
        return std::holds_alternative<flow::TunnelDecap>(a);
    });
    if (!decap || !f.match.in_port) return;
    const PortInfo* in = find_port(ports, *f.match.in_port);
    if (!in || in->kind != PortKind::Tunnel) return;
    const std::string t(to_string(in->tunnel_type));
    if (!caps.tunnels.count(in->tunnel_type)) {
        reasons.add(ReasonCode::TunnelUnsupported, t, owner + " cannot decapsulate " + t);
    }
}

void check_quirks(const flow::Flow& f, const NicProfile& profile, Backend backend, ReasonList& reasons) {
    for (const Quirk& q : profile.quirks) {
        if (!q.blocks_offload || (q.backend && *q.backend != backend)) continue;
        const bool fields = std::all_of(q.when_match.begin(), q.when_match.end(),
                                        [&](Field fl) { return f.match.has(fl); });
        const bool actions = std::all_of(q.when_actions.begin(), q.when_actions.end(), [&](ActionKind k) {
            return std::any_of(f.actions.begin(), f.actions.end(),
                               [&](const flow::Action& a) { return flow::kind_of(a) == k; });
        });
        const bool bits = std::all_of(q.when_bits_set.begin(), q.when_bits_set.end(), [&](const auto& fb) {
            const auto& [fl, wanted] = fb;
            if (!f.match.has(fl)) return false;
            const size_t n = flow::field_info(fl).bytes;
            const flow::Masked& m = f.match.get(fl);
            return (m.mask_uint(n) & wanted) == wanted && (m.value_uint(n) & wanted) == wanted;
        });
        if (fields && actions && bits) reasons.add(ReasonCode::Quirk, q.id, q.description);
    }
}

// Every field and action the kernel's flower classifier and tc actions can
// run in software; OVS NORMAL is the only thing tc cannot express.
BackendCaps software_tc_caps() {
    BackendCaps caps;
    for (const auto& info : flow::all_fields()) caps.match.emplace(info.id, MaskSupport::Arbitrary);
    for (size_t i = 0; i < flow::kActionKindCount; ++i) {
        const auto k = static_cast<ActionKind>(i);
        if (k != ActionKind::Normal) caps.actions.insert(k);
    }
    for (const auto& info : flow::all_fields()) caps.set_fields.insert(info.id);
    caps.tunnels = {flow::TunnelType::Vxlan, flow::TunnelType::Geneve, flow::TunnelType::Gre};
    caps.conntrack = true;
    return caps;
}

}  // namespace

std::string_view to_string(ReasonCode c) { return kReasonNames[static_cast<size_t>(c)]; }

std::string describe(const Reason& r) {
    return std::string(to_string(r.code)) + " " + r.subject + ": " + r.detail;
}

bool is_prefix_mask(flow::Field f, const flow::Masked& m) {
    const auto& info = flow::field_info(f);
    const flow::Masked full = flow::full_mask(f);
    // Walk the significant bits from the most significant one: ones, then only zeros.
    bool seen_zero = false;
    for (size_t i = 0; i < info.bytes; ++i) {
        for (int bit = 7; bit >= 0; --bit) {
            if (!((full.mask[i] >> bit) & 1)) continue;
            const bool set = (m.mask[i] >> bit) & 1;
            if (set && seen_zero) return false;
            if (!set) seen_zero = true;
        }
    }
    return true;
}

std::optional<std::string> rule_nic(const flow::Flow& lowered, const PortDirectory& ports) {
    if (!lowered.match.in_port) return std::nullopt;
    const PortInfo* in = find_port(ports, *lowered.match.in_port);
    if (!in || in->nic.empty()) return std::nullopt;
    if (in->kind != PortKind::Uplink && in->kind != PortKind::VfRepresentor && in->kind != PortKind::Tunnel) {
        return std::nullopt;
    }
    return in->nic;
}

BackendVerdict check_rule(const flow::Flow& lowered, const PortDirectory& ports, std::string_view nic,
                          const NicProfile& profile, Backend backend) {
    BackendVerdict v{backend, false, {}};
    ReasonList reasons;
    const BackendCaps* caps = profile.caps(backend);
    if (!caps) {
        reasons.add(ReasonCode::BackendUnsupported, std::string(to_string(backend)),
                    "NIC profile " + profile.name + " lists no " + std::string(to_string(backend)) + " offload");
        v.reasons = reasons.take();
        return v;
    }
    const std::string owner = who(profile, backend);
    if (!lowered.match.in_port) {
        reasons.add(ReasonCode::MissingInPort, "in_port", kNoInPortInHardware);
    } else {
        check_port_on_nic(*lowered.match.in_port, ports, nic, "in_port", reasons);
    }
    if (caps->max_tables && lowered.table >= *caps->max_tables) {
        reasons.add(ReasonCode::TooManyTables, "table",
                    owner + " has " + std::to_string(*caps->max_tables) + " tables; table=" +
                        std::to_string(lowered.table) + " is beyond them");
    }
    check_match(lowered.match, *caps, owner, reasons);
    check_actions(lowered, ports, nic, *caps, owner, reasons);
    check_decap(lowered, ports, *caps, owner, reasons);
    check_quirks(lowered, profile, backend, reasons);
    v.reasons = reasons.take();
    v.offloadable = v.reasons.empty();
    return v;
}

std::vector<Reason> reasons_without_eswitch(const flow::Flow& lowered) {
    ReasonList reasons;
    if (!lowered.match.in_port) reasons.add(ReasonCode::MissingInPort, "in_port", kNoInPortInHardware);
    for (const flow::Action& a : lowered.actions) {
        if (flow::kind_of(a) == ActionKind::Normal) {
            reasons.add(ReasonCode::SoftwareOnlyAction, std::string(to_string(ActionKind::Normal)), kNormalInHardware);
        }
    }
    return reasons.take();
}

BackendVerdict check_tc_software(const flow::Flow& lowered, const PortDirectory& ports) {
    static const BackendCaps caps = software_tc_caps();
    BackendVerdict v{Backend::TcFlower, false, {}};
    ReasonList reasons;
    const std::string owner = "the kernel's tc software datapath";
    if (!lowered.match.in_port) {
        reasons.add(ReasonCode::MissingInPort, "in_port", "tc rules are attached to one port; the rule names none");
    } else if (*lowered.match.in_port == kLocalPort || !find_port(ports, *lowered.match.in_port)) {
        reasons.add(ReasonCode::UnknownPort, *lowered.match.in_port,
                    "in_port '" + *lowered.match.in_port + "' is not a netdev snoc manages");
    }
    for (const flow::Action& a : lowered.actions) {
        if (flow::kind_of(a) == ActionKind::Normal) {
            reasons.add(ReasonCode::SoftwareOnlyAction, "normal", "NORMAL is OVS's MAC-learning switch; tc has no such action");
        }
        const auto* o = std::get_if<flow::Output>(&a);
        if (o && (o->port == kLocalPort || !find_port(ports, o->port))) {
            reasons.add(ReasonCode::UnknownPort, o->port, "output '" + o->port + "' is not a netdev snoc manages");
        }
    }
    check_match(lowered.match, caps, owner, reasons);
    v.reasons = reasons.take();
    v.offloadable = v.reasons.empty();
    return v;
}

}  // namespace snoc::offload
