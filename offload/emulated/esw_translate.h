// Canonical flow -> emulated eSwitch entry: masked key, priority, action.
// Every refusal is EOPNOTSUPP (or ENODEV for an unknown port) with a reason
// naming the field, action or port, in the words the capability check uses.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "offload/backend.h"
#include "offload/emulated/esw_table.h"

namespace snoc::offload::emulated {

// The eSwitch's ports by the names rules use (representors for VFs, the
// uplink) -> the NIC-side port's ifindex in the NIC namespace. A packet from
// VF i enters on vfport_i and a packet for VF i leaves through vfport_i, so
// one ifindex serves both directions.
using EswPortMap = std::map<std::string, uint32_t>;

// `out` is complete only when the status is ok.
Status translate(const HwRule& rule, const EswPortMap& ports, EswEntry& out);

// One line for logs and plans: `esw rule prio P in_port X match ... action ...`.
std::string describe(const HwRule& rule, const EswPortMap& ports);

}  // namespace snoc::offload::emulated
