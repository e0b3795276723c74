// The ports a spec defines, by the names policies use, and the names OVS
// gives them. One place decides both, so plan, apply and monitoring agree.
#pragma once

#include <map>
#include <string>

#include "controller/spec.h"
#include "offload/ports.h"

namespace snoc::spec {

// Policy port names (workloads, NIC uplinks, tunnels) -> where each sits.
offload::PortDirectory build_port_directory(const Spec& s);

// The OVS port (and netdev) name of a policy port name:
//   VF workload -> its representor "<representor_prefix>vf<N>"
//   veth workload -> its host_ifname
//   NIC -> its PF netdev ("pf"), or "<pf of PCI>" until discovered at apply
//   tunnel -> its own name
std::string ovs_port_name(const Spec& s, const std::string& policy_port);
std::string representor_name(const NicSpec& nic, uint16_t vf);
// The VF netdev an emulated NIC with uplink `pf` makes for VF N
// ("<pf>v<N>"), before it moves into its workload's namespace.
std::string emulated_vf_name(const std::string& pf, uint16_t vf);
// The kernel netdev of a policy port, where tc rules attach and mirred
// sends: the OVS port name, except tunnels, whose netdev is the device
// OVS's kernel datapath makes per type and UDP port (vxlan_sys_4789, ...).
std::string netdev_name(const Spec& s, const std::string& policy_port);

}  // namespace snoc::spec
