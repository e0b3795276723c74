// The OpenFlow port number of every interface on one bridge, read from
// OVSDB (Interface.ofport), so flows can be sent to ovs-ofctl with numbers
// and `--no-names`: with names, every ovs-ofctl run first fetches the
// switch's port and table descriptions (~10 ms of a ~15 ms one-rule change).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "offload/status.h"
#include "ovs-integration/flow_diff.h"

namespace snoc::ovs {

class OvsdbClient;

using OfportNumbers = std::map<std::string, uint32_t, std::less<>>;

// Interfaces of `bridge` (Bridge.ports -> Port.interfaces) with a usable
// ofport (1..0xfeff). One not attached yet (no ofport) or that failed to
// attach (-1) is left out, so a flow naming it keeps its name. Fails when
// OVSDB cannot be read or has no such bridge.
offload::Status read_ofport_numbers(OvsdbClient& db, const std::string& bridge, OfportNumbers& out);

// `mods` with every port name (in_port, output, tunnel port) replaced by its
// number from `numbers`; OpenFlow's reserved ports (LOCAL, IN_PORT, NORMAL,
// ...) and numbers stay as they are. nullopt when a port is in neither, so
// the caller sends names (and ovs-ofctl reports an unknown port itself).
std::optional<std::vector<FlowMod>> with_port_numbers(const std::vector<FlowMod>& mods, const OfportNumbers& numbers);

}  // namespace snoc::ovs
