// libFuzzer target for the datapath flow dump parser (ovs-appctl
// dpctl/dump-flows -m output).
//
// Any input must parse or be rejected without crashing or throwing; every
// line is either a flow or an error (with a message and the line's text);
// and the placement accounting must accept whatever parses, never crediting
// more than the counters it was shown; and translating any parsed flow and
// explaining it never crashes and always gives a reason. A dump read in
// parallel parts reads exactly as one pass.
//
//   cmake -S . -B /tmp/fz -G Ninja -DSNOC_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++
//   ninja -C /tmp/fz fuzz_dpflow_parse
//   /tmp/fz/tests/fuzz_dpflow_parse tests/fuzz/corpus/dpflow_parse
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "ovs-integration/dpflow_classify.h"
#include "ovs-integration/dpflow_explain.h"
#include "ovs-integration/dpflow_key.h"
#include "ovs-integration/dpflow_parse.h"
#include "ovs-integration/dpflow_view.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view input, const std::string& detail) {
    std::fprintf(stderr, "dpflow_parse fuzz: %s\n  input:  %.*s\n  detail: %s\n", what,
                 static_cast<int>(input.size()), input.data(), detail.c_str());
    __builtin_trap();
}

void check_line(std::string_view text) {
    const auto r = snoc::ovs::parse_dpflow_line(text);
    if (r.flow.has_value() == r.error.has_value()) fail("neither or both of flow and error", text, "");
    if (r.error && r.error->empty()) fail("error without a message", text, "");
}

// The scan's one-pass key check may only take what the general key reader
// takes, with the same facts.
void check_canonical_key(std::string_view text) {
    snoc::ovs::DpKeyFacts fast;
    const auto length = snoc::ovs::check_canonical_dpflow_key(text, fast);
    if (!length) return;
    if (*length > text.size()) fail("canonical key longer than the text", text, "");
    snoc::ovs::DpKeyFacts general;
    if (auto err = snoc::ovs::read_dpflow_key(text.substr(0, *length), general, nullptr, nullptr)) {
        fail("canonical key check took a key the reader rejects", text, *err);
    }
    if (fast.in_port != general.in_port || fast.recirc_id != general.recirc_id) {
        fail("canonical key check and reader disagree on in_port/recirc_id", text, "");
    }
}

// Cut into parts as small as lines allow (min_part_bytes 1), the dump
// reads as in one pass: records in place and order, sections, errors.
void check_parts(std::string_view text) {
    const auto one = snoc::ovs::scan_dpflow_dump(text, 1);
    const auto parts = snoc::ovs::scan_dpflow_dump(text, 3, 1);
    if (one.flows.size() != parts.flows.size() || one.errors.size() != parts.errors.size()) {
        fail("parted read differs in counts", text, "");
    }
    for (size_t i = 0; i < one.flows.size(); ++i) {
        const auto& a = one.flows[i];
        const auto& b = parts.flows[i];
        if (a.key_text.data() != b.key_text.data() || a.key_text.size() != b.key_text.size() ||
            a.actions_text != b.actions_text || a.source != b.source || a.packets != b.packets ||
            a.bytes != b.bytes || a.ufid != b.ufid || a.in_port != b.in_port || a.dp != b.dp) {
            fail("parted read differs in a record", text, std::string(a.key_text));
        }
    }
    for (size_t i = 0; i < one.errors.size(); ++i) {
        if (one.errors[i].line != parts.errors[i].line || one.errors[i].message != parts.errors[i].message ||
            one.errors[i].text != parts.errors[i].text) {
            fail("parted read differs in an error", text, one.errors[i].message);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto dump = snoc::ovs::parse_dpflow_dump(text);
    for (const auto& e : dump.errors) {
        if (e.message.empty() || e.line == 0) fail("error without a message or line", text, e.text);
    }
    if (text.find('\n') == std::string_view::npos) check_line(text);
    check_canonical_key(text);
    check_parts(text);

    // Feeding the same poll twice: the second adds nothing, and the first
    // adds at most the sum of what it saw.
    snoc::ovs::PlacementCounters counters;
    const auto first = counters.add_poll(dump.flows);
    const auto second = counters.add_poll(dump.flows);
    uint64_t seen = 0;
    uint64_t credited = 0;
    bool overflow = false;
    for (const auto& f : dump.flows) overflow = __builtin_add_overflow(seen, f.packets, &seen) || overflow;
    for (const auto& c : first.by_placement) {
        overflow = __builtin_add_overflow(credited, c.packets, &credited) || overflow;
    }
    if (!overflow && credited > seen) fail("credited more packets than the dump holds", text, "");
    if (!(second == snoc::ovs::PlacementTraffic{})) fail("a repeated poll added traffic", text, "");

    // Translation to canonical flows and the reasons for software flows:
    // any parsed flow, whatever its actions text, must come out with at
    // least one reason (never an empty explanation) and without crashing.
    static const snoc::ovs::OffloadContext context = [] {
        snoc::ovs::OffloadContext c;
        c.ports["rep0"] = snoc::offload::PortInfo{"rep0", snoc::offload::PortKind::VfRepresentor, "nic0", 0, {}, {}, {}, {}, 0};
        c.nic_profiles["nic0"] = snoc::offload::NicProfile{};
        return c;
    }();
    const snoc::ovs::DpPortMap no_ports;
    for (const auto& f : dump.flows) {
        if (snoc::ovs::explain_not_offloaded(f, no_ports, context).empty()) fail("no reason given", text, f.key_text);
    }
    return 0;
}
