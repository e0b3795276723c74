// The ports a spec defines, by the names policies use, and the names OVS
// gives them. One place decides both, so plan, apply and monitoring agree.
#pragma once

#include <map>
#include <optional>
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

// An rte_flow NIC's ports as DPDK numbers them when its PCI function is
// probed with every VF representor, `-a <pci>,representor=vf[0-<num_vfs-1>]`
// (what testpmd and OVS-DPDK are given): the uplink is port 0, VF N's
// representor port N+1. Keys are the netdevs rules name (the PF, the
// representors, the NIC's tunnel netdevs, which leave through the uplink).
std::map<std::string, uint16_t> dpdk_port_ids(const Spec& s, const NicSpec& nic);
// The ethdev DPDK names each of those ports ("0000:03:00.0",
// "0000:03:00.0_representor_vf2"): what the rte_flow backend looks up.
std::map<std::string, std::string> dpdk_ethdev_names(const Spec& s, const NicSpec& nic);
// What OVS-DPDK is given to attach the uplink (vf unset) or VF `vf`'s
// representor of an rte_flow NIC: Interface options:dpdk-devargs.
std::string dpdk_devargs(const NicSpec& nic, std::optional<uint16_t> vf);

}  // namespace snoc::spec
