// EswMaps on the loaded eSwitch's map file descriptors (bpf(2) through libbpf).
#pragma once

#include "offload/emulated/esw_table.h"

namespace snoc::offload::emulated {

struct EswMapFds {
    int masks = -1, config = -1, rules = -1, counters = -1, stats = -1;
};

class BpfEswMaps final : public EswMaps {
public:
    // The fds stay owned by the caller (the BPF object, or the loader for
    // pinned maps it adopted); `cpus` = libbpf_num_possible_cpus().
    BpfEswMaps(EswMapFds fds, int cpus) : fds_(fds), cpus_(cpus) {}

    Status set_mask(uint32_t slot, const esw_mask& mask) override;
    Status set_mask_limit(uint32_t limit) override;
    Status put_rule(const esw_rule_key& key, const esw_rule& value) override;
    Status delete_rule(const esw_rule_key& key) override;
    Status reset_counter(uint32_t rule_id) override;
    Status read_counter(uint32_t rule_id, EswCounters& out) override;
    Status read_all(std::array<esw_mask, ESW_MAX_MASKS>& masks, std::vector<std::pair<esw_rule_key, esw_rule>>& rules) override;
    // Sums a per-CPU u64 counter of esw_stats.
    Status read_stat(uint32_t which, uint64_t& out) const;

private:
    EswMapFds fds_;
    int cpus_;
};

}  // namespace snoc::offload::emulated
