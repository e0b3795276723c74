#include "ovs-integration/dpflow_view.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "offload/number_text.h"
#include "ovs-integration/dpflow_key.h"
#include "ovs-integration/dpflow_text.h"

namespace snoc::ovs {
namespace {

using dpflow_text::quote;
using dpflow_text::trim;

constexpr std::string_view kUfid = "ufid:";
constexpr std::string_view kActions = "actions:";
constexpr std::string_view kExtra = ", dp-extra-info:";
constexpr std::string_view kSectionHeader = "flow-dump from ";

// Where the key ends: the first ", " outside brackets (key items are
// separated by a bare ',').
std::optional<size_t> key_end(std::string_view s) {
    int depth = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (const int step = dpflow_text::bracket_depth(c)) {
            depth += step;
            if (depth < 0) return std::nullopt;
        } else if (c == ',' && depth == 0 && i + 1 < s.size() && s[i + 1] == ' ') {
            return i;
        }
    }
    return std::nullopt;
}

// One ", name:value" statistic or attribute after the key.
std::optional<std::string> apply_stat(DpFlowView& f, std::string_view name, std::string_view value,
                                      bool& saw_packets, bool& saw_bytes) {
    if (name == "packets" || name == "bytes") {
        const auto n = parse_uint_dec_or_hex(value);
        if (!n) return "bad " + std::string(name) + " count " + quote(value);
        (name == "packets" ? f.packets : f.bytes) = *n;
        (name == "packets" ? saw_packets : saw_bytes) = true;
    } else if (name == "used") {
        if (value == "never") {
            f.used_seconds.reset();
            return std::nullopt;
        }
        if (value.empty() || value.back() != 's') return "bad used time " + quote(value);
        value.remove_suffix(1);
        double secs = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
        if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(secs) || secs < 0) {
            return "bad used time " + quote(value);
        }
        f.used_seconds = secs;
    } else if (name == "offloaded") {
        if (value == "yes") f.offloaded = true;
        else if (value == "no") f.offloaded = false;
        else if (value == "partial") {
            f.offloaded = true;
            f.partial_offload = true;
        } else {
            return "bad offloaded value " + quote(value);
        }
    } else if (name == "dp") {
        f.dp = value;
    }
    // flags: (TCP flags seen) and anything newer OVS adds are not needed.
    return std::nullopt;
}

}  // namespace

std::optional<std::string> scan_dpflow_line(std::string_view line, DpFlowView& out) {
    DpFlowView f;
    std::string_view rest = trim(line);
    if (rest.empty()) return "empty line";
    if (rest.starts_with(kUfid)) {
        const size_t comma = rest.find(',');
        if (comma == std::string_view::npos) return "ufid without the rest of the flow: " + quote(rest);
        f.ufid = trim(rest.substr(kUfid.size(), comma - kUfid.size()));
        if (f.ufid->empty()) return "empty ufid in " + quote(rest.substr(0, comma));
        rest = trim(rest.substr(comma + 1));
    }
    // Nearly every line takes the one-pass path; the general one decides
    // (and words the error) for the rest.
    DpKeyFacts facts;
    const std::optional<size_t> canonical = check_canonical_dpflow_key(rest, facts);
    const auto end = canonical ? canonical : key_end(rest);
    if (!end) return "no statistics after the flow key (or unbalanced brackets): " + quote(rest);
    f.key_text = rest.substr(0, *end);
    rest = rest.substr(*end + 2);

    // Actions run to the end of the line, except for the userspace
    // datapath's trailing dp-extra-info.
    const size_t actions_at = rest.find(kActions);
    if (actions_at == std::string_view::npos) return "no actions: in " + quote(rest);
    std::string_view actions = rest.substr(actions_at + kActions.size());
    if (const size_t extra = actions.rfind(kExtra); extra != std::string_view::npos) {
        f.dp_extra_info = trim(actions.substr(extra + kExtra.size()));
        actions = actions.substr(0, extra);
    }
    f.actions_text = trim(actions);

    // The key first: a missing ", " inside it shows up as a malformed key
    // item, which names the spot better than "missing packets:". Only
    // checked here; to_dpflow() builds the Match when someone needs it.
    if (!canonical) {
        facts = DpKeyFacts{};
        if (auto err = read_dpflow_key(f.key_text, facts, nullptr, nullptr)) return err;
    }
    f.in_port = facts.in_port;
    f.recirc_id = facts.recirc_id;

    bool saw_packets = false;
    bool saw_bytes = false;
    std::string_view stats = rest.substr(0, actions_at);
    while (!stats.empty()) {
        const size_t sep = stats.find(", ");
        const std::string_view token = trim(stats.substr(0, sep));
        stats = sep == std::string_view::npos ? std::string_view{} : stats.substr(sep + 2);
        if (token.empty()) continue;
        const size_t colon = token.find(':');
        if (colon == std::string_view::npos) return "expected name:value but got " + quote(token);
        if (auto err = apply_stat(f, token.substr(0, colon), token.substr(colon + 1), saw_packets, saw_bytes)) {
            return err;
        }
    }
    if (!saw_packets || !saw_bytes) return "missing packets: or bytes: in " + quote(rest.substr(0, actions_at));
    out = f;
    return std::nullopt;
}

DpFlowScan scan_dpflow_dump(std::string_view text) {
    DpFlowScan scan;
    // One flow per line: one allocation for the records, none per flow.
    scan.flows.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
    std::string_view source;
    size_t number = 0;
    DpFlowView flow;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++number;
        const std::string_view line = trim(raw);
        if (line.empty()) continue;
        if (line.starts_with(kSectionHeader)) {
            source = line.substr(kSectionHeader.size());
            if (!source.empty() && source.back() == ':') source.remove_suffix(1);
            continue;
        }
        if (auto err = scan_dpflow_line(line, flow)) {
            scan.errors.push_back({number, std::string(line), std::move(*err)});
            continue;
        }
        flow.source = source;
        scan.flows.push_back(flow);
    }
    return scan;
}

DpFlow to_dpflow(const DpFlowView& v) {
    DpFlow f;
    if (v.ufid) f.ufid = std::string(*v.ufid);
    f.packets = v.packets;
    f.bytes = v.bytes;
    f.used_seconds = v.used_seconds;
    f.offloaded = v.offloaded;
    f.partial_offload = v.partial_offload;
    f.dp = std::string(v.dp);
    f.actions_text = std::string(v.actions_text);
    f.dp_extra_info = std::string(v.dp_extra_info);
    f.key_text = std::string(v.key_text);
    f.source = std::string(v.source);
    DpKeyFacts facts;
    (void)read_dpflow_key(f.key_text, facts, &f.match, &f.unmapped_keys);
    f.recirc_id = facts.recirc_id;
    return f;
}

}  // namespace snoc::ovs
