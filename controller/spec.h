// The deployment spec: one YAML file describing one edge server (see
// docs/spec-reference.md). Loaded and validated by spec_loader.h; every
// other part of snoc reads this model, never the YAML.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/diagnostics.h"
#include "flow/flow.h"
#include "flow/net_address.h"
#include "offload/nic_profile.h"

namespace snoc::spec {

// Where a spec entry came from: its own position and YAML path, and the
// position of each of its keys' values, so later checks can point at the
// exact value they object to.
struct Origin {
    Location location;
    std::string path;                                      // e.g. "nics[0]"
    std::map<std::string, Location, std::less<>> where;    // key -> position of its value

    Location at(std::string_view key) const;               // the key's value, or the entry itself
    std::string path_of(std::string_view key) const;       // "nics[0].num_vfs"
};

struct VfSpec {
    uint16_t index = 0;
    std::optional<net::Mac> mac;
    std::optional<uint16_t> vlan;          // IFLA_VF_VLAN (legacy-mode VST)
    std::optional<uint8_t> qos;            // 802.1p priority with vlan
    std::optional<bool> trust;
    std::optional<bool> spoofchk;
    std::optional<uint32_t> max_tx_rate_mbps;
    Origin origin;
};

struct NicSpec {
    std::string name;                      // also the policy name of its uplink port
    std::string pci;                       // "0000:03:00.0" (either pci or pf)
    std::string pf;                        // PF netdev, e.g. "enp3s0f0np0"
    std::string profile;
    offload::EswitchMode eswitch_mode = offload::EswitchMode::Switchdev;
    offload::Backend backend = offload::Backend::TcFlower;
    uint16_t num_vfs = 0;
    std::vector<VfSpec> vfs;
    std::string representor_prefix;        // representor netdev = <prefix>vf<N>; default: the NIC name
    bool hw_tc_offload = true;             // ethtool hw-tc-offload on PF and representors
    bool irq_affinity = false;             // pin queue IRQs to CPUs of the NIC's NUMA node
    Origin origin;
};

struct TunnelSpec {
    std::string name;                      // OVS port name and policy port name
    flow::TunnelType type = flow::TunnelType::Vxlan;
    std::optional<net::IpAddress> remote_ip;  // unset: remote_ip=flow
    std::optional<net::IpAddress> local_ip;
    std::optional<uint64_t> key;           // unset: key=flow
    uint16_t dst_port = 0;                 // 0: the type's IANA port
    std::string nic;                       // underlay NIC; default: the only NIC
    Origin origin;
};

enum class TcPolicy : uint8_t { None, SkipSw, SkipHw };
std::string_view to_string(TcPolicy p);  // "none", "skip_sw", "skip_hw"

struct OvsSpec {
    std::string bridge = "br-snoc";
    std::string datapath_type = "system";  // "system" (kernel) or "netdev" (userspace)
    bool hw_offload = true;
    TcPolicy tc_policy = TcPolicy::None;
    std::map<std::string, std::string> other_config;  // extra Open_vSwitch other_config keys
    std::vector<TunnelSpec> tunnels;
    // The spec has an `ovs:` section. Without one and without policies,
    // apply leaves Open vSwitch alone (a NIC-only deployment, e.g. DPDK on
    // the VFs); with policies, OVS is managed with the defaults above.
    bool present = false;
    Origin origin;
};

enum class AttachKind : uint8_t { Vf, Veth };

struct WorkloadSpec {
    std::string name;
    std::string netns;                     // default: the workload name
    AttachKind attach = AttachKind::Veth;
    std::string nic;                       // Vf: the NIC
    uint16_t vf = 0;                       // Vf: the VF index
    std::string ifname = "eth0";           // name inside the namespace
    std::string host_ifname;               // Veth: host-side name; default "v-<name>"
    std::vector<net::IpPrefix> addresses;
    std::optional<net::Mac> mac;
    std::optional<uint16_t> vlan;          // OVS access tag on its port
    std::optional<net::IpAddress> gateway;
    uint16_t mtu = 1500;
    Origin origin;
};

struct MeterSpec {
    uint32_t id = 0;
    uint64_t rate_kbps = 0;
    uint64_t burst_kb = 0;
    Origin origin;
};

struct PolicySpec {
    std::string name;                      // default: "rule-<index>"
    std::string text;                      // as written
    flow::Flow flow;                       // parsed
    bool parsed = false;                   // false: the text had a syntax error (reported)
    // The flow with tunnel actions lowered (offload/tunnel_lowering.h), as
    // backends take it; set by validation, unset when it could not be lowered.
    std::optional<flow::Flow> lowered;
    Origin origin;
};

struct MonitoringSpec {
    std::string listen = "127.0.0.1:9469";
    std::chrono::milliseconds poll_interval{2000};
    Origin origin;
};

struct Spec {
    std::string file;
    std::vector<NicSpec> nics;
    OvsSpec ovs;
    std::vector<WorkloadSpec> workloads;
    std::vector<MeterSpec> meters;
    std::vector<PolicySpec> policies;
    MonitoringSpec monitoring;

    const NicSpec* find_nic(std::string_view name) const;
    const WorkloadSpec* find_workload(std::string_view name) const;
};

}  // namespace snoc::spec
