// One emulated eSwitch as its NIC's bring-up opens it: the BPF program and
// its table loaded, or adopted from the pins an earlier process left, every
// port attached, and the offload backend over the table. The NIC's
// namespaces and veth pairs are the bring-up's (controller/nic/emulated_nic):
// this is the part a real NIC's firmware would be.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "offload/backend.h"
#include "offload/status.h"

namespace snoc::offload::emulated {

// Two NIC-side devices of one port: packets arriving on `lookup_dev` are
// looked up in the table and its misses go to `peer_dev`; packets arriving
// on `peer_dev` (OVS answering) go straight to `lookup_dev`.
struct EswPortPair {
    std::string lookup_dev;
    std::string peer_dev;
    std::string rule_port;  // the host-side name rules use for traffic from lookup_dev
};

struct EswDeviceOptions {
    uint32_t table_size = 0;  // the profile's max_rules
    std::string pin_dir;      // where the maps and the program are pinned
    std::string netns;        // the NIC namespace's name (under /run/netns) holding every device
    std::vector<EswPortPair> ports;
};

// What opening found, for the NIC's report.
struct EswOpenReport {
    bool adopted = false;    // an earlier process's eSwitch was taken over, rules and counters kept
    std::string reloaded;    // why what was pinned could not be adopted (then it was reloaded); "" if not
    size_t forgotten = 0;    // port records of devices that no longer exist (re-made veth pairs)
};

class EswDevice {
public:
    // Loads or adopts the eSwitch and attaches every port. A pinned eSwitch
    // that cannot be adopted (another table size, leftovers) is destroyed
    // and loaded afresh. On failure nothing is held (what is pinned stays).
    static Status open(const EswDeviceOptions& options, std::unique_ptr<EswDevice>& out, EswOpenReport& report);
    // Detaches and unpins what snoc pinned under `pin_dir`; success when nothing is.
    static Status destroy(const std::string& pin_dir, const std::string& netns);

    // Leaves the eSwitch running and pinned: it outlives the process.
    ~EswDevice();
    EswDevice(const EswDevice&) = delete;
    EswDevice& operator=(const EswDevice&) = delete;

    OffloadBackend& backend();

private:
    EswDevice();
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace snoc::offload::emulated
