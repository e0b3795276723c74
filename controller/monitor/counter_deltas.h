// Turns counters that only grow (a hardware rule's packets / bytes, read
// every poll) into what happened since the previous poll.
//
// Contract, per key, each poll:
//   - first time seen after prime_*(): not credited (the baseline; the rule
//     existed before monitoring started and its history is not this poll's);
//   - first time seen otherwise: the whole value is new (a new rule starts at
//     zero, so everything it counted happened since it was created);
//   - any slot went down: the source was deleted and re-created between
//     polls (a tc filter replaced, a driver reload), so the new value is
//     counted in full; the old one's unpolled tail is lost (unobservable);
//     resets() counts these;
//   - otherwise the difference.
// A key unseen for `forget_after` polls is dropped, so a rule deleted for good
// frees its slot; if it comes back it is new. At most `max_keys` keys are
// tracked: a new key beyond that is not credited at all (counting its whole
// value every poll would be worse) and overflows() says how often that
// happened, so an undersized bound is visible in metrics, never silent.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace snoc::monitor {

// Up to four counters that belong together (packets, bytes, hw_packets,
// hw_bytes). Unused slots stay zero.
using CounterSet = std::array<uint64_t, 4>;

class CounterDeltas {
public:
    struct Limits {
        size_t forget_after = 3;  // polls a key may be missing before it is dropped
        size_t max_keys = 65536;
    };
    CounterDeltas() : CounterDeltas(Limits{}) {}
    explicit CounterDeltas(Limits limits) : limits_(limits) {}

    // The next observe()s only record a baseline (the first poll after start).
    void prime_next_poll() { priming_ = true; }
    // The delta of `key` since the poll that last saw it.
    CounterSet observe(std::string_view key, const CounterSet& now);
    // Ends a poll: ages keys and drops those unseen for forget_after polls.
    void end_poll();

    size_t size() const { return last_.size(); }
    size_t max_keys() const { return limits_.max_keys; }
    uint64_t overflows() const { return overflows_; }
    uint64_t resets() const { return resets_; }

private:
    struct Seen {
        CounterSet values{};
        uint64_t poll = 0;  // the poll that last saw it
    };
    Limits limits_;
    bool priming_ = false;
    uint64_t poll_ = 0;
    uint64_t overflows_ = 0, resets_ = 0;
    std::unordered_map<std::string, Seen> last_;
};

}  // namespace snoc::monitor
