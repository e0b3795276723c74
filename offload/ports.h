// The ports a policy can name, and where each one sits relative to a NIC's
// eSwitch. The capability check needs this: a rule can only run in a NIC's
// hardware when every port it touches is on that NIC's eSwitch.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "flow/flow.h"

namespace snoc::offload {

enum class PortKind : uint8_t {
    Uplink,         // the PF / uplink representor of a NIC
    VfRepresentor,  // the representor of a VF on a NIC
    Veth,           // a veth to a container without a VF: no eSwitch behind it
    Tunnel,         // an OVS tunnel port (vxlan / geneve / gre)
    Local,          // the bridge's own internal port (OVS LOCAL)
};
std::string_view to_string(PortKind k);

struct PortInfo {
    std::string name;             // the name policies use (workload, NIC, tunnel)
    PortKind kind = PortKind::Veth;
    std::string nic;              // Uplink / VfRepresentor: its NIC; Tunnel: the underlay NIC, if any
    std::optional<uint16_t> vf;   // VfRepresentor only
    // Tunnel only:
    flow::TunnelType tunnel_type = flow::TunnelType::Vxlan;
    std::optional<std::array<uint8_t, 4>> remote_ip;  // unset: taken from the flow (remote_ip=flow)
    std::optional<std::array<uint8_t, 4>> local_ip;
    std::optional<uint64_t> key;                      // unset: taken from the flow (key=flow)
    uint16_t dst_port = 0;                            // 0: the type's IANA port
};

using PortDirectory = std::map<std::string, PortInfo, std::less<>>;

// The reserved OVS port that means "the bridge itself".
inline constexpr std::string_view kLocalPort = "LOCAL";

const PortInfo* find_port(const PortDirectory& ports, std::string_view name);

}  // namespace snoc::offload
