// What a traffic count is about, and where the count came from. Shared by the
// ledger (totals per NIC / port / workload / rule), the flow view and the
// Prometheus labels, so one flow is named the same way everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace snoc::monitor {

// Which counter a number was read from. The two never count the same packet
// (see traffic_ledger.h): a packet matched by one of snoc's own tc rules at
// ingress is handled there and never reaches OVS's datapath.
enum class Source : uint8_t {
    Datapath,  // an OVS datapath flow (dpctl/dump-flows -m)
    HwRule,    // one of snoc's own rules read back from the offload backend
};
std::string_view to_string(Source s);  // "datapath", "hw-rule"

// Empty means "not known / not applicable": a flow between two veths has no
// NIC, an OVS flow snoc did not write has no rule. Empty values are left out
// of that dimension's totals (they still count in the overall total).
struct TrafficLabels {
    std::string nic;       // spec NIC name
    std::string bridge;    // OVS bridge
    std::string port;      // OVS port / netdev the traffic entered on
    std::string workload;  // spec workload name
    std::string rule;      // policy rule name
    bool operator==(const TrafficLabels&) const = default;
};

}  // namespace snoc::monitor
