#include "ovs-integration/dpflow_classify.h"

#include <algorithm>
#include <array>
#include <functional>

#include "ovs-integration/dpflow_text.h"

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

namespace {

// Hex digit value, or -1; lower case only (see pack_ufid).
constexpr std::array<int8_t, 256> kLowerHex = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - 'a' + 10);
    return t;
}();

// A ufid as OVS prints it ("8-4-4-4-12" lower-case hex digits) as 16
// bytes; false for any other spelling, which is then kept as text. Only
// one spelling packs, so two ufids are the same text exactly when they
// pack to the same bytes.
bool pack_ufid(std::string_view s, uint64_t (&out)[2]) {
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
    uint64_t words[2] = {0, 0};
    size_t digits = 0;
    for (size_t i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        const int v = kLowerHex[static_cast<unsigned char>(s[i])];
        if (v < 0) return false;
        uint64_t& w = words[digits / 16];
        w = (w << 4) | static_cast<uint64_t>(v);
        ++digits;
    }
    out[0] = words[0];
    out[1] = words[1];
    return true;
}

uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

uint64_t hash_text(std::string_view s) { return std::hash<std::string_view>{}(s); }

}  // namespace

PlacementCounters::IdentityView PlacementCounters::identity_of(const DpFlow& f) {
    return f.ufid ? IdentityView{f.source, *f.ufid, true} : IdentityView{f.source, f.key_text, false};
}

PlacementCounters::IdentityView PlacementCounters::identity_of(const DpFlowView& f) {
    return f.ufid ? IdentityView{f.source, *f.ufid, true} : IdentityView{f.source, f.key_text, false};
}

PlacementCounters::Probe PlacementCounters::probe_of(const IdentityView& id) {
    Probe p;
    p.source = id.source;
    // Most dumps have one section, userspace ones one per thread: the
    // section of the previous flow is nearly always this one's.
    if (last_source_ == kNone || sources_[last_source_].name != id.source) {
        const auto it = source_ids_.find(id.source);
        last_source_ = it == source_ids_.end() ? kNone : it->second;
    }
    p.source_index = last_source_;
    const uint64_t source_hash = last_source_ == kNone ? hash_text(id.source) : sources_[last_source_].hash;
    if (id.ufid && pack_ufid(id.id, p.packed)) {
        p.kind = IdKind::PackedUfid;
        p.hash = mix(p.packed[0] ^ mix(p.packed[1]));
    } else {
        p.kind = id.ufid ? IdKind::TextUfid : IdKind::KeyText;
        p.text = id.id;
        p.hash = mix(hash_text(id.id) + static_cast<uint64_t>(p.kind));
    }
    p.hash ^= source_hash * 0x9e3779b97f4a7c15ull;
    return p;
}

uint32_t PlacementCounters::find(const Probe& p, size_t& slot) const {
    const size_t mask = index_.size() - 1;
    const uint64_t tag = p.hash >> 32;
    for (slot = p.hash & mask;; slot = (slot + 1) & mask) {
        const uint64_t at = index_[slot];
        if (at == kEmpty) return kNone;
        if ((at >> 32) != tag) continue;
        const Entry& e = entries_[static_cast<uint32_t>(at)];
        if (e.hash != p.hash || e.kind != p.kind || e.source != p.source_index) continue;
        if (p.kind == IdKind::PackedUfid ? (e.packed[0] == p.packed[0] && e.packed[1] == p.packed[1])
                                         : texts_[e.text] == p.text) {
            return static_cast<uint32_t>(at);
        }
    }
}

uint32_t PlacementCounters::insert(const Probe& p, size_t slot) {
    Entry e;
    e.hash = p.hash;
    e.kind = p.kind;
    e.packed[0] = p.packed[0];
    e.packed[1] = p.packed[1];
    if (p.source_index == kNone) {
        // A new section: the probe's hash already used this hash of it.
        last_source_ = static_cast<uint32_t>(sources_.size());
        sources_.push_back({std::string(p.source), hash_text(p.source)});
        source_ids_.emplace(std::string(p.source), last_source_);
        e.source = last_source_;
    } else {
        e.source = p.source_index;
    }
    if (p.kind != IdKind::PackedUfid) {
        e.text = static_cast<uint32_t>(texts_.size());
        texts_.emplace_back(p.text);
    }
    const auto at = static_cast<uint32_t>(entries_.size());
    entries_.push_back(e);
    index_[slot] = (p.hash >> 32 << 32) | at;
    return at;
}

void PlacementCounters::reserve_index(size_t entries) {
    size_t want = 16;
    while (want < entries * 2) want *= 2;
    if (index_.size() >= want) return;
    index_ = std::vector<uint64_t>();
    index_.reserve(want);
    dpflow_text::advise_huge_pages(index_.data(), want * sizeof(uint64_t));
    index_.assign(want, kEmpty);
    rebuild_index();
}

void PlacementCounters::rebuild_index() {
    std::fill(index_.begin(), index_.end(), kEmpty);
    const size_t mask = index_.size() - 1;
    for (size_t i = 0; i < entries_.size(); ++i) {
        const uint64_t hash = entries_[i].hash;
        size_t slot = hash & mask;
        while (index_[slot] != kEmpty) slot = (slot + 1) & mask;
        index_[slot] = (hash >> 32 << 32) | i;
    }
}

// A flow missing from a poll is kept for forget_after polls, then dropped
// (the table is compacted then).
void PlacementCounters::forget_missing() {
    size_t kept = 0;
    bool texts_dropped = false;
    for (size_t i = 0; i < entries_.size(); ++i) {
        Entry& e = entries_[i];
        if (e.poll != poll_) {
            if (e.missed_polls != UINT32_MAX) ++e.missed_polls;
            if (e.missed_polls > forget_after_) {
                texts_dropped = texts_dropped || e.kind != IdKind::PackedUfid;
                continue;
            }
        }
        if (kept != i) entries_[kept] = e;
        ++kept;
    }
    if (kept == entries_.size()) return;
    entries_.resize(kept);
    if (texts_dropped) {
        std::vector<std::string> texts;
        for (Entry& e : entries_) {
            if (e.kind == IdKind::PackedUfid) continue;
            const auto at = static_cast<uint32_t>(texts.size());
            texts.push_back(std::move(texts_[e.text]));
            e.text = at;
        }
        texts_ = std::move(texts);
    }
    // Sections no flow is tracked in any more.
    std::vector<uint32_t> remap(sources_.size(), kNone);
    for (const Entry& e : entries_) remap[e.source] = 0;
    if (std::find(remap.begin(), remap.end(), kNone) != remap.end()) {
        std::vector<Source> sources;
        source_ids_.clear();
        for (size_t i = 0; i < remap.size(); ++i) {
            if (remap[i] == kNone) continue;
            remap[i] = static_cast<uint32_t>(sources.size());
            source_ids_.emplace(sources_[i].name, remap[i]);
            sources.push_back(std::move(sources_[i]));
        }
        sources_ = std::move(sources);
        for (Entry& e : entries_) e.source = remap[e.source];
        last_source_ = kNone;
    }
    rebuild_index();
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
    reserve_index(entries_.size() + flows.size());
    if (entries_.capacity() < entries_.size() + flows.size()) {
        entries_.reserve(entries_.size() + flows.size());
        dpflow_text::advise_huge_pages(entries_.data(), entries_.capacity() * sizeof(Entry));
    }
    // Probes are made a few flows ahead and their first slot prefetched:
    // each lookup is otherwise a cache miss in a table of 200,000 flows.
    constexpr size_t kAhead = 8;
    std::array<Probe, kAhead> ahead;
    const size_t mask = index_.size() - 1;
    auto prepare = [&](size_t i) {
        Probe& p = ahead[i % kAhead];
        p = probe_of(identity_of(flows[i]));
        __builtin_prefetch(&index_[p.hash & mask]);
    };
    // The identity text is in the dump, long out of cache by now: fetched
    // further ahead still.
    auto fetch_text = [&](size_t i) {
        const IdentityView id = identity_of(flows[i]);
        __builtin_prefetch(id.id.data());
    };
    for (size_t i = 0; i < std::min(2 * kAhead, flows.size()); ++i) fetch_text(i);
    for (size_t i = 0; i < std::min(kAhead, flows.size()); ++i) prepare(i);
    for (size_t i = 0; i < flows.size(); ++i) {
        const Flow& f = flows[i];
        const TrafficCounts now{f.packets, f.bytes};
        Probe probe = ahead[i % kAhead];
        // A section first seen after this probe was made (by a flow in
        // between) has an index by now.
        if (probe.source_index == kNone) probe = probe_of(identity_of(f));
        if (i + kAhead < flows.size()) prepare(i + kAhead);
        if (i + 2 * kAhead < flows.size()) fetch_text(i + 2 * kAhead);
        size_t slot = 0;
        uint32_t at = find(probe, slot);  // a new section matches nothing: only the free slot
        const bool fresh = at == kNone;
        if (fresh) at = insert(probe, slot);
        Entry& seen = entries_[at];
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
            auto& slot_counts = delta[classify(f)];
            slot_counts.packets += add.packets;
            slot_counts.bytes += add.bytes;
        }
    }
    forget_missing();
    for (size_t i = 0; i < delta.by_placement.size(); ++i) {
        totals_.by_placement[i].packets += delta.by_placement[i].packets;
        totals_.by_placement[i].bytes += delta.by_placement[i].bytes;
    }
    return delta;
}

}  // namespace snoc::ovs
