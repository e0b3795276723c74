#include "offload/tunnel_lowering.h"

#include <optional>

namespace snoc::offload {
namespace {

bool is_tunnel_field(flow::Field f) {
    return f == flow::Field::TunId || f == flow::Field::TunSrc || f == flow::Field::TunDst;
}

std::array<uint8_t, 4> ipv4_of(const flow::Masked& m) { return {m.value[0], m.value[1], m.value[2], m.value[3]}; }

// The tun_* values set so far in an action list, waiting for an output.
struct PendingTunnel {
    std::optional<uint64_t> id;
    std::optional<std::array<uint8_t, 4>> src;
    std::optional<std::array<uint8_t, 4>> dst;
};

}  // namespace

std::variant<flow::Flow, LoweringError> lower_tunnels(const flow::Flow& f, const PortDirectory& ports) {
    flow::Flow out = f;
    out.actions.clear();

    if (f.match.in_port) {
        const PortInfo* in = find_port(ports, *f.match.in_port);
        if (in && in->kind == PortKind::Tunnel) out.actions.push_back(flow::TunnelDecap{});
    }

    PendingTunnel pending;
    // Tunnel set-fields are held back: they become part of an encap when an
    // output to a tunnel port follows, and are kept as plain set-fields otherwise.
    std::vector<flow::Action> held;

    for (size_t i = 0; i < f.actions.size(); ++i) {
        const flow::Action& a = f.actions[i];
        if (const auto* sf = std::get_if<flow::SetField>(&a); sf && is_tunnel_field(sf->field)) {
            if (sf->field == flow::Field::TunId) pending.id = sf->value.value_uint(8);
            if (sf->field == flow::Field::TunSrc) pending.src = ipv4_of(sf->value);
            if (sf->field == flow::Field::TunDst) pending.dst = ipv4_of(sf->value);
            held.push_back(a);
            continue;
        }
        const auto* o = std::get_if<flow::Output>(&a);
        const PortInfo* port = o ? find_port(ports, o->port) : nullptr;
        if (!port || port->kind != PortKind::Tunnel) {
            out.actions.push_back(a);
            continue;
        }
        flow::TunnelEncap enc;
        enc.type = port->tunnel_type;
        enc.port = port->name;
        enc.dst_port = port->dst_port;
        if (pending.id) enc.id = *pending.id;
        else if (port->key) enc.id = *port->key;
        else
            return LoweringError{i, "tunnel port '" + port->name +
                                        "' has key=flow: set a key with set_field:<id>->tun_id before output:" +
                                        port->name};
        if (pending.dst) enc.dst = *pending.dst;
        else if (port->remote_ip) enc.dst = *port->remote_ip;
        else
            return LoweringError{i, "tunnel port '" + port->name +
                                        "' has remote_ip=flow: set the peer with set_field:<ip>->tun_dst before "
                                        "output:" +
                                        port->name};
        if (pending.src) enc.src = *pending.src;
        else if (port->local_ip) enc.src = *port->local_ip;
        out.actions.push_back(enc);
        held.clear();  // consumed by this encap
    }
    // Tunnel set-fields with no tunnel output after them stay as they were, in order.
    out.actions.insert(out.actions.end(), held.begin(), held.end());
    return out;
}

}  // namespace snoc::offload
