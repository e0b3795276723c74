// The rte_flow backend: snoc's HwRules as rte_flow rules on DPDK ports, in
// the process that owns those ports (DPDK rules live as long as the port's
// process; there is no API to read another process's rules back).
//
// Contract, as OffloadBackend's, with what rte_flow changes:
// - sync() translates (rte_translate.h), validates, then creates; a changed
//   rule is destroyed and re-created; rules it did not create are never
//   touched (it only knows its own). Every failure carries rte_flow_error's
//   type, cause (which item / action) and message.
// - read() queries COUNT for hardware packets and bytes when the port has
//   flow counters (probed at open by validating a counting rule); without
//   them, rules read back with zero counters and counters_available() says so.
// - Bulk insertion through the template / async API is probed at open
//   (rte_flow_info_get); see docs/rte-flow.md for what is used.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "offload/backend.h"
#include "offload/rte_flow/rte_translate.h"

struct rte_flow;

namespace snoc::offload::rte {

struct RteFlowOptions {
    Mode mode = Mode::Transfer;
    // Port name in rules (a representor netdev, an uplink) -> DPDK ethdev name
    // ("net_tap0", "0000:03:00.0", "0000:03:00.0_representor_vf1"). A name
    // missing here is looked up as an ethdev name itself.
    std::map<std::string, std::string> ethdevs;
    std::map<std::string, flow::TunnelType> tunnel_ports;  // tunnel port -> type (its ethdev is the uplink)
    TranslateContext extra;  // encap_macs, mark; port ids, mode and counters are filled in by the backend
};

// What open() learnt about a port.
struct PortProbe {
    std::string ethdev;
    uint16_t port_id = 0;
    std::string driver;
    bool counters = false;   // a rule with COUNT validates
    bool templates = false;  // rte_flow_info_get offers flow queues (template / async API)
    std::string note;        // why a feature is absent, in the PMD's words
};

class RteFlowBackend final : public OffloadBackend {
public:
    // EAL must be initialized (rte_eal.h) and the ports started.
    static Status open(std::unique_ptr<RteFlowBackend>& out, RteFlowOptions options);
    ~RteFlowBackend() override;

    Backend kind() const override { return Backend::RteFlow; }
    HwSyncReport sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) override;
    Status read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) override;
    std::string render(const HwRule& rule) const override;

    // The probe of a port, probing it on first use.
    const PortProbe* probe(const std::string& port) const;
    // Destroys every rule this backend created (the process is leaving).
    void flush();
    size_t rule_count() const { return installed_.size(); }

private:
    explicit RteFlowBackend(RteFlowOptions options);
    struct Installed {
        HwRule rule;
        Rule rte;
        rte_flow* handle = nullptr;
    };
    std::optional<uint16_t> port_id_of(const std::string& name) const;
    TranslateContext context_for(const std::string& port) const;
    Status create(const HwRule& rule, const Rule& rte, rte_flow*& handle);
    Status destroy(Installed& in);

    RteFlowOptions options_;
    mutable std::map<std::string, PortProbe> probes_;  // a cache: probing changes no rule
    std::map<uint64_t, Installed> installed_;
    PriorityRanks ranks_{{}};
};

// "ACTION (action 2: count): counters not supported" from an rte_flow_error.
std::string describe_flow_error(int type, int cause_index, const char* message, int error);

}  // namespace snoc::offload::rte
