#include "offload/rte_flow/dpdk/rte_eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <array>
#include <cerrno>
#include <string>

namespace snoc::offload::rte {

namespace {
bool g_eal_ready = false;
}

Status init_eal(const std::vector<std::string>& args) {
    if (g_eal_ready) return Status::success();
    std::vector<std::string> owned{"snoc"};
    owned.insert(owned.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : owned) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (rte_eal_init(static_cast<int>(owned.size()), argv.data()) < 0) {
        const int err = rte_errno;
        return Status::failure(err, std::string("DPDK EAL initialisation failed: ") + rte_strerror(err));
    }
    g_eal_ready = true;
    return Status::success();
}

Status start_port(uint16_t port_id, uint16_t queues) {
    if (!rte_eth_dev_is_valid_port(port_id)) return Status::failure(ENODEV, "no DPDK port " + std::to_string(port_id));
    rte_eth_dev_info info{};
    if (int rc = rte_eth_dev_info_get(port_id, &info); rc != 0) {
        return Status::failure(-rc, "port " + std::to_string(port_id) + ": rte_eth_dev_info_get: " + rte_strerror(-rc));
    }
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(port_id, name);
    const std::string who = std::string("port ") + std::to_string(port_id) + " (" + name + ")";
    const std::string pool_name = "snoc_pool_" + std::to_string(port_id);
    rte_mempool* pool = rte_mempool_lookup(pool_name.c_str());
    if (pool == nullptr) {
        pool = rte_pktmbuf_pool_create(pool_name.c_str(), 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                       static_cast<int>(rte_socket_id()));
    }
    if (pool == nullptr) return Status::failure(rte_errno, who + ": mbuf pool: " + rte_strerror(rte_errno));
    rte_eth_conf conf{};
    const int configured = rte_eth_dev_configure(port_id, queues, queues, &conf);
    if (configured == -EBUSY) return Status::success();  // started by its owner: used as it is
    if (int rc = configured; rc != 0) {
        return Status::failure(-rc, who + ": configure with " + std::to_string(queues) + " queues: " + rte_strerror(-rc));
    }
    for (uint16_t q = 0; q < queues; ++q) {
        if (int rc = rte_eth_rx_queue_setup(port_id, q, 128, static_cast<unsigned>(rte_socket_id()), nullptr, pool); rc != 0) {
            return Status::failure(-rc, who + ": rx queue " + std::to_string(q) + ": " + rte_strerror(-rc));
        }
        if (int rc = rte_eth_tx_queue_setup(port_id, q, 128, static_cast<unsigned>(rte_socket_id()), nullptr); rc != 0) {
            return Status::failure(-rc, who + ": tx queue " + std::to_string(q) + ": " + rte_strerror(-rc));
        }
    }
    if (int rc = rte_eth_dev_start(port_id); rc != 0) {
        return Status::failure(-rc, who + ": start: " + rte_strerror(-rc));
    }
    return Status::success();
}

void drain_port(uint16_t port_id, uint16_t queues, std::vector<uint64_t>& per_queue) {
    if (per_queue.size() < queues) per_queue.resize(queues, 0);
    std::array<rte_mbuf*, 32> burst{};
    for (uint16_t q = 0; q < queues; ++q) {
        for (;;) {
            const uint16_t n = rte_eth_rx_burst(port_id, q, burst.data(), static_cast<uint16_t>(burst.size()));
            for (uint16_t i = 0; i < n; ++i) rte_pktmbuf_free(burst[i]);
            per_queue[q] += n;
            if (n == 0) break;
        }
    }
}

void close_all_ports() {
    uint16_t id = 0;
    RTE_ETH_FOREACH_DEV(id) {
        rte_eth_dev_stop(id);
        rte_eth_dev_close(id);
    }
}

}  // namespace snoc::offload::rte
