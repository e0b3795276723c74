// The DPDK environment snoc's rte_flow backend needs: EAL (once per
// process) and started ports. When snoc is the process that owns the ports
// (a DPDK application, the tests, the benchmark), it starts them here; a
// port somebody else started is used as it is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "offload/status.h"

namespace snoc::offload::rte {

// rte_eal_init with these arguments (argv[0] is added). A second call
// succeeds without doing anything; a failure names rte_errno's text.
Status init_eal(const std::vector<std::string>& args);

// Configures port `port_id` with `queues` receive and transmit queues and
// starts it (no-op when it is already started).
Status start_port(uint16_t port_id, uint16_t queues);

// Receives (and frees) every packet waiting on each queue of a port; adds
// the counts per queue to `per_queue`.
void drain_port(uint16_t port_id, uint16_t queues, std::vector<uint64_t>& per_queue);

// Stops and closes every port (net_tap removes its netdev and tc rules).
void close_all_ports();

}  // namespace snoc::offload::rte
