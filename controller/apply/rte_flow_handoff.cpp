#include "controller/apply/rte_flow_handoff.h"

#include <cerrno>

namespace snoc::apply {

RteFlowHandoff rte_flow_handoff(const std::string& nic, const ovs::DesiredOvs& ovs) {
    const auto offload = ovs.other_config.find("hw-offload");
    const bool ovs_dpdk = ovs.datapath_type == "netdev" && offload != ovs.other_config.end() && offload->second == "true";
    if (ovs_dpdk) {
        return {offload::Status::success(),
                "OVS-DPDK offloads NIC " + nic + "'s policy flows itself (datapath_type netdev, hw-offload=true) "
                "through rte_flow on its DPDK ports; snoc creates no rte_flow rules of its own",
                {offload::ReasonCode::LeftToOvs, "ovs-dpdk",
                 "left to OVS-DPDK's own rte_flow offload: `snoc flows` shows whether its megaflows reached NIC " + nic},
                offload::Placement::Ovs};
    }
    const std::string why = "rte_flow rules must be created by the DPDK process that owns NIC " + nic +
                            "'s ports, which snoc apply is not; `snoc plan` shows each rule as a testpmd command "
                            "(docs/rte-flow.md)";
    return {offload::Status::failure(ENOTSUP, why), "", {offload::ReasonCode::InstallFailed, "rte_flow", why},
            offload::Placement::Failed};
}

}  // namespace snoc::apply
