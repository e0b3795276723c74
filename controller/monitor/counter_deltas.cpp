#include "controller/monitor/counter_deltas.h"

#include <algorithm>

namespace snoc::monitor {

CounterSet CounterDeltas::observe(std::string_view key, const CounterSet& now) {
    const std::string k(key);
    auto it = last_.find(k);
    if (it == last_.end()) {
        if (last_.size() >= limits_.max_keys) {
            ++overflows_;
            return {};
        }
        last_.emplace(k, Seen{now, poll_});
        if (priming_) return {};
        return now;
    }
    Seen& seen = it->second;
    const bool went_down = !std::equal(now.begin(), now.end(), seen.values.begin(),
                                       [](uint64_t a, uint64_t b) { return a >= b; });
    CounterSet delta{};
    if (went_down) {
        ++resets_;
        delta = now;
    } else {
        for (size_t i = 0; i < now.size(); ++i) delta[i] = now[i] - seen.values[i];
    }
    // Seen twice in one poll (a caller bug or a duplicated dump entry): the
    // second sighting is a plain difference against the first, never a double count.
    seen.values = now;
    seen.poll = poll_;
    return delta;
}

void CounterDeltas::end_poll() {
    priming_ = false;
    std::erase_if(last_, [this](const auto& kv) { return poll_ - kv.second.poll >= limits_.forget_after; });
    ++poll_;
}

}  // namespace snoc::monitor
