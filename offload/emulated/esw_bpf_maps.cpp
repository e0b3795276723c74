#include "offload/emulated/esw_bpf_maps.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace snoc::offload::emulated {

namespace {

// libbpf returns -errno (and sets errno); Status wants the positive value.
Status result(int rc, const std::string& what) {
    if (rc >= 0) return Status::success();
    return Status::failure(-rc, what);
}

}  // namespace

Status BpfEswMaps::set_mask(uint32_t slot, const esw_mask& mask) {
    return result(bpf_map_update_elem(fds_.masks, &slot, &mask, BPF_ANY), "writing mask slot " + std::to_string(slot));
}

Status BpfEswMaps::set_mask_limit(uint32_t limit) {
    const uint32_t zero = 0;
    esw_config cfg{};
    cfg.mask_limit = limit;
    return result(bpf_map_update_elem(fds_.config, &zero, &cfg, BPF_ANY), "writing the mask search limit");
}

Status BpfEswMaps::put_rule(const esw_rule_key& key, const esw_rule& value) {
    const int rc = bpf_map_update_elem(fds_.rules, &key, &value, BPF_ANY);
    if (rc == -E2BIG) return Status::failure(E2BIG, "the rule map has no free entry");
    return result(rc, "writing rule " + std::to_string(value.cookie));
}

Status BpfEswMaps::delete_rule(const esw_rule_key& key) {
    return result(bpf_map_delete_elem(fds_.rules, &key), "deleting a rule entry");
}

Status BpfEswMaps::reset_counter(uint32_t rule_id) {
    // A per-CPU map's value is one element per possible CPU.
    std::vector<esw_counter> zero(static_cast<size_t>(cpus_));
    return result(bpf_map_update_elem(fds_.counters, &rule_id, zero.data(), BPF_ANY),
                  "resetting counter slot " + std::to_string(rule_id));
}

Status BpfEswMaps::read_counter(uint32_t rule_id, EswCounters& out) {
    std::vector<esw_counter> per_cpu(static_cast<size_t>(cpus_));
    if (auto s = result(bpf_map_lookup_elem(fds_.counters, &rule_id, per_cpu.data()),
                        "reading counter slot " + std::to_string(rule_id));
        !s.ok()) {
        return s;
    }
    out = EswCounters{};
    for (const esw_counter& c : per_cpu) {
        out.packets += c.packets;
        out.bytes += c.bytes;
        out.last_used_ns = std::max<uint64_t>(out.last_used_ns, c.last_used_ns);
    }
    return Status::success();
}

Status BpfEswMaps::read_all(std::array<esw_mask, ESW_MAX_MASKS>& masks,
                            std::vector<std::pair<esw_rule_key, esw_rule>>& rules) {
    for (uint32_t slot = 0; slot < masks.size(); ++slot) {
        masks[slot] = esw_mask{};
        if (auto s = result(bpf_map_lookup_elem(fds_.masks, &slot, &masks[slot]), "reading mask slot " + std::to_string(slot));
            !s.ok()) {
            return s;
        }
    }
    rules.clear();
    esw_rule_key key{}, next{};
    const esw_rule_key* prev = nullptr;
    int walk = 0;
    // Nobody else writes the rule map (the program only reads it), so the walk sees every entry once.
    while ((walk = bpf_map_get_next_key(fds_.rules, prev, &next)) == 0) {
        esw_rule value{};
        const int rc = bpf_map_lookup_elem(fds_.rules, &next, &value);
        if (rc != 0 && rc != -ENOENT) return result(rc, "reading a rule entry");
        if (rc == 0) rules.emplace_back(next, value);
        key = next;
        prev = &key;
    }
    if (walk != -ENOENT) return result(walk, "walking the rule map");
    return Status::success();
}

Status BpfEswMaps::read_stat(uint32_t which, uint64_t& out) const {
    std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus_));
    if (auto s = result(bpf_map_lookup_elem(fds_.stats, &which, per_cpu.data()), "reading eSwitch statistics"); !s.ok()) {
        return s;
    }
    out = 0;
    for (uint64_t v : per_cpu) out += v;
    return Status::success();
}

}  // namespace snoc::offload::emulated
