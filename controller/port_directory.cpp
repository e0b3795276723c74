#include "controller/port_directory.h"

#include <optional>

namespace snoc::spec {
namespace {

std::optional<std::array<uint8_t, 4>> ipv4_bytes(const std::optional<net::IpAddress>& a) {
    if (!a || a->v6) return std::nullopt;
    return std::array<uint8_t, 4>{a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]};
}

offload::PortInfo workload_port(const WorkloadSpec& w) {
    offload::PortInfo p;
    p.name = w.name;
    if (w.attach == AttachKind::Vf) {
        p.kind = offload::PortKind::VfRepresentor;
        p.nic = w.nic;
        p.vf = w.vf;
    }
    return p;
}

}  // namespace

std::string representor_name(const NicSpec& nic, uint16_t vf) {
    return nic.representor_prefix + "vf" + std::to_string(vf);
}

std::string emulated_vf_name(const std::string& pf, uint16_t vf) { return pf + "v" + std::to_string(vf); }

offload::PortDirectory build_port_directory(const Spec& s) {
    offload::PortDirectory ports;
    for (const NicSpec& nic : s.nics) {
        if (nic.name.empty()) continue;
        offload::PortInfo p;
        p.name = nic.name;
        p.kind = offload::PortKind::Uplink;
        p.nic = nic.name;
        ports.emplace(p.name, p);
    }
    for (const WorkloadSpec& w : s.workloads) {
        if (!w.name.empty()) ports.emplace(w.name, workload_port(w));
    }
    for (const TunnelSpec& t : s.ovs.tunnels) {
        if (t.name.empty()) continue;
        offload::PortInfo p;
        p.name = t.name;
        p.kind = offload::PortKind::Tunnel;
        p.nic = t.nic;
        p.tunnel_type = t.type;
        p.remote_ip = ipv4_bytes(t.remote_ip);
        p.local_ip = ipv4_bytes(t.local_ip);
        p.key = t.key;
        p.dst_port = t.dst_port;
        ports.emplace(p.name, p);
    }
    return ports;
}

std::string ovs_port_name(const Spec& s, const std::string& policy_port) {
    if (const WorkloadSpec* w = s.find_workload(policy_port)) {
        if (w->attach == AttachKind::Veth) return w->host_ifname;
        if (const NicSpec* nic = s.find_nic(w->nic)) return representor_name(*nic, w->vf);
    }
    if (const NicSpec* nic = s.find_nic(policy_port)) {
        return nic->pf.empty() ? "<pf of " + nic->pci + ">" : nic->pf;
    }
    return policy_port;  // tunnels and LOCAL keep their names
}

std::string netdev_name(const Spec& s, const std::string& policy_port) {
    for (const auto& t : s.ovs.tunnels) {
        if (t.name != policy_port) continue;
        switch (t.type) {
            case flow::TunnelType::Vxlan: return "vxlan_sys_" + std::to_string(t.dst_port ? t.dst_port : 4789);
            case flow::TunnelType::Geneve: return "genev_sys_" + std::to_string(t.dst_port ? t.dst_port : 6081);
            case flow::TunnelType::Gre: return "gre_sys";
        }
    }
    return ovs_port_name(s, policy_port);
}

namespace {

// netdev -> representor VF number (nullopt: the uplink), for one NIC.
std::map<std::string, std::optional<uint16_t>> dpdk_ports(const Spec& s, const NicSpec& nic) {
    std::map<std::string, std::optional<uint16_t>> out;
    out[ovs_port_name(s, nic.name)] = std::nullopt;
    for (uint16_t vf = 0; vf < nic.num_vfs; ++vf) out[representor_name(nic, vf)] = vf;
    for (const TunnelSpec& t : s.ovs.tunnels) {
        if (t.nic == nic.name || (t.nic.empty() && s.nics.size() == 1)) out[netdev_name(s, t.name)] = std::nullopt;
    }
    return out;
}

}  // namespace

std::map<std::string, uint16_t> dpdk_port_ids(const Spec& s, const NicSpec& nic) {
    std::map<std::string, uint16_t> out;
    for (const auto& [netdev, vf] : dpdk_ports(s, nic)) out[netdev] = vf ? static_cast<uint16_t>(*vf + 1) : 0;
    return out;
}

std::map<std::string, std::string> dpdk_ethdev_names(const Spec& s, const NicSpec& nic) {
    std::map<std::string, std::string> out;
    for (const auto& [netdev, vf] : dpdk_ports(s, nic)) out[netdev] = vf ? nic.pci + "_representor_vf" + std::to_string(*vf) : nic.pci;
    return out;
}

std::string dpdk_devargs(const NicSpec& nic, std::optional<uint16_t> vf) {
    return vf ? nic.pci + ",representor=vf" + std::to_string(*vf) : nic.pci;
}

}  // namespace snoc::spec
