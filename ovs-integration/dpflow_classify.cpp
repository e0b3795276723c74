#include "ovs-integration/dpflow_classify.h"

#include <functional>

namespace snoc::ovs {

using offload::Placement;

namespace {

// One rule for both record types (DpFlow, DpFlowView).
template <typename Flow>
Placement classify_any(const Flow& f) {
    if (f.offloaded.value_or(false) && !f.partial_offload) return Placement::Hardware;
    if (f.dp == "tc") return Placement::TcSoftware;
    return Placement::Ovs;
}

std::string identity_text(std::string_view source, const std::optional<std::string_view>& ufid,
                          std::string_view key_text) {
    // '\n' cannot occur in a dump line, so the parts cannot run together.
    std::string id(source);
    id += '\n';
    id += ufid ? "ufid:" : "key:";
    id += ufid ? *ufid : key_text;
    return id;
}

}  // namespace

Placement classify(const DpFlow& f) { return classify_any(f); }
Placement classify(const DpFlowView& f) { return classify_any(f); }

std::string flow_identity(const DpFlow& f) {
    return identity_text(f.source, f.ufid ? std::optional<std::string_view>(*f.ufid) : std::nullopt, f.key_text);
}

std::string flow_identity(const DpFlowView& f) { return identity_text(f.source, f.ufid, f.key_text); }

size_t PlacementCounters::IdentityHash::operator()(const IdentityView& v) const {
    const std::hash<std::string_view> h;
    size_t out = h(v.id) ^ static_cast<size_t>(v.ufid);
    // Most dumps have one section (""): skip hashing it.
    if (!v.source.empty()) out ^= h(v.source) * 0x9e3779b97f4a7c15ull;
    return out;
}

PlacementCounters::IdentityView PlacementCounters::identity_of(const DpFlow& f) {
    return f.ufid ? IdentityView{f.source, *f.ufid, true} : IdentityView{f.source, f.key_text, false};
}

PlacementCounters::IdentityView PlacementCounters::identity_of(const DpFlowView& f) {
    return f.ufid ? IdentityView{f.source, *f.ufid, true} : IdentityView{f.source, f.key_text, false};
}

void PlacementCounters::prime(const std::vector<DpFlow>& flows) { (void)update(flows, false, nullptr); }

PlacementTraffic PlacementCounters::add_poll(const std::vector<DpFlow>& flows) {
    return update(flows, true, nullptr);
}

PlacementTraffic PlacementCounters::add_poll(const std::vector<DpFlow>& flows, std::vector<TrafficCounts>& per_flow) {
    per_flow.assign(flows.size(), TrafficCounts{});
    return update(flows, true, &per_flow);
}

PlacementTraffic PlacementCounters::update_views(const std::vector<DpFlowView>& flows, bool credit,
                                                 std::vector<TrafficCounts>* per_flow) {
    return update(flows, credit, per_flow);
}

template <typename Flow>
PlacementTraffic PlacementCounters::update(const std::vector<Flow>& flows, bool credit,
                                           std::vector<TrafficCounts>* per_flow) {
    ++poll_;
    PlacementTraffic delta;
    last_.reserve(flows.size());
    for (size_t i = 0; i < flows.size(); ++i) {
        const Flow& f = flows[i];
        const TrafficCounts now{f.packets, f.bytes};
        const IdentityView id = identity_of(f);
        auto it = last_.find(id);
        const bool fresh = it == last_.end();
        if (fresh) it = last_.emplace(Identity{std::string(id.source), std::string(id.id), id.ufid}, Seen{}).first;
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
