#include "controller/monitor/tc_samples.h"

#include <algorithm>
#include <limits>

namespace snoc::monitor {

namespace {

uint64_t sat_add(uint64_t a, uint64_t b) {
    return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max() : a + b;
}

uint64_t sat_mul(uint64_t a, uint64_t b) {
    if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return std::numeric_limits<uint64_t>::max();
    return a * b;
}

uint64_t slot(const CounterSet& c, RuleSlot s) { return c[static_cast<size_t>(s)]; }

void append(const TrafficLabels& labels, offload::Placement p, uint64_t packets, uint64_t bytes, offload::ByteCounting counted,
            std::vector<TrafficSample>& out) {
    if (packets == 0 && bytes == 0) return;
    out.push_back(TrafficSample{.labels = labels,
                                .placement = p,
                                .packets = packets,
                                .bytes = frame_bytes(bytes, packets, counted),
                                .source = Source::HwRule});
}

}  // namespace

uint64_t tc_bytes_with_l2(uint64_t bytes, uint64_t packets) {
    return sat_add(bytes, sat_mul(packets, kEthernetHeaderBytes));
}

uint64_t frame_bytes(uint64_t bytes, uint64_t packets, offload::ByteCounting counted) {
    return counted == offload::ByteCounting::FromNetworkHeader ? tc_bytes_with_l2(bytes, packets) : bytes;
}

CounterSet rule_counters(uint64_t packets, uint64_t bytes, uint64_t hw_packets, uint64_t hw_bytes) {
    CounterSet c{};
    c[static_cast<size_t>(RuleSlot::Packets)] = packets;
    c[static_cast<size_t>(RuleSlot::Bytes)] = bytes;
    c[static_cast<size_t>(RuleSlot::HwPackets)] = hw_packets;
    c[static_cast<size_t>(RuleSlot::HwBytes)] = hw_bytes;
    return c;
}

void append_rule_samples(const TrafficLabels& labels, const CounterSet& delta, std::vector<TrafficSample>& out,
                         offload::ByteCounting counted) {
    const uint64_t packets = slot(delta, RuleSlot::Packets), bytes = slot(delta, RuleSlot::Bytes);
    const uint64_t hw_packets = std::min(slot(delta, RuleSlot::HwPackets), packets);
    const uint64_t hw_bytes = std::min(slot(delta, RuleSlot::HwBytes), bytes);
    append(labels, offload::Placement::Hardware, hw_packets, hw_bytes, counted, out);
    append(labels, offload::Placement::TcSoftware, packets - hw_packets, bytes - hw_bytes, counted, out);
}

}  // namespace snoc::monitor
