// devlink over generic netlink (libnl-genl-3): eswitch mode, inline and encap
// mode, ports, port function MAC. Errors carry errno and the kernel's extended-ack text.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "controller/nic/nic_state.h"
#include "netlink/genl_family.h"
#include "offload/status.h"

namespace snoc::nic {

class Devlink {
public:
    // Fails with a clear reason when the kernel has no devlink family.
    static offload::Status open(std::unique_ptr<Devlink>& out);

    // Mode, inline mode and encap mode (each unset when the driver does not report it).
    offload::Status eswitch(const DevlinkHandle& h, NicState& out);
    offload::Status set_eswitch_mode(const DevlinkHandle& h, offload::EswitchMode mode);
    offload::Status set_inline_mode(const DevlinkHandle& h, offload::InlineMode mode);
    offload::Status set_encap_mode(const DevlinkHandle& h, offload::EncapMode mode);
    // Every port of the device (uplink, VF and SF representors).
    offload::Status ports(const DevlinkHandle& h, std::vector<DevlinkPort>& out);
    offload::Status set_port_function_mac(const DevlinkHandle& h, uint32_t port_index, const net::Mac& mac);

private:
    Devlink() = default;
    std::unique_ptr<netlink::GenlFamily> family_;
};

}  // namespace snoc::nic
