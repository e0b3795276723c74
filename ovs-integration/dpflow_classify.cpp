#include "ovs-integration/dpflow_classify.h"

namespace snoc::ovs {

using offload::Placement;

Placement classify(const DpFlow& f) {
    if (f.offloaded.value_or(false) && !f.partial_offload) return Placement::Hardware;
    if (f.dp == "tc") return Placement::TcSoftware;
    return Placement::Ovs;
}

std::string flow_identity(const DpFlow& f) {
    // '\n' cannot occur in a dump line, so the parts cannot run together.
    return f.source + '\n' + (f.ufid ? "ufid:" + *f.ufid : "key:" + f.key_text);
}

void PlacementCounters::prime(const std::vector<DpFlow>& flows) { (void)update(flows, false, nullptr); }

PlacementTraffic PlacementCounters::add_poll(const std::vector<DpFlow>& flows) {
    return update(flows, true, nullptr);
}

PlacementTraffic PlacementCounters::add_poll(const std::vector<DpFlow>& flows, std::vector<TrafficCounts>& per_flow) {
    per_flow.assign(flows.size(), TrafficCounts{});
    return update(flows, true, &per_flow);
}

PlacementTraffic PlacementCounters::update(const std::vector<DpFlow>& flows, bool credit,
                                           std::vector<TrafficCounts>* per_flow) {
    ++poll_;
    PlacementTraffic delta;
    last_.reserve(flows.size());
    for (size_t i = 0; i < flows.size(); ++i) {
        const DpFlow& f = flows[i];
        const TrafficCounts now{f.packets, f.bytes};
        auto [it, fresh] = last_.try_emplace(flow_identity(f));
        Seen& seen = it->second;
        // The same identity twice in one poll only comes from a malformed
        // dump; the first copy counts, later ones add nothing.
        if (!fresh && seen.poll == poll_) continue;
        const bool reset = now.packets < seen.counts.packets || now.bytes < seen.counts.bytes;
        TrafficCounts add = now;
        if (!fresh && !reset) add = {now.packets - seen.counts.packets, now.bytes - seen.counts.bytes};
        seen.counts = now;
        seen.missed_polls = 0;
        seen.poll = poll_;
        if (per_flow) (*per_flow)[i] = add;
        if (credit) {
            auto& slot = delta[classify(f)];
            slot.packets += add.packets;
            slot.bytes += add.bytes;
        }
    }
    for (auto it = last_.begin(); it != last_.end();) {
        if (it->second.poll != poll_ && ++it->second.missed_polls > forget_after_) {
            it = last_.erase(it);
        } else {
            ++it;
        }
    }
    for (size_t i = 0; i < delta.by_placement.size(); ++i) {
        totals_.by_placement[i].packets += delta.by_placement[i].packets;
        totals_.by_placement[i].bytes += delta.by_placement[i].bytes;
    }
    return delta;
}

}  // namespace snoc::ovs
