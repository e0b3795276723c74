#include "ovs-integration/dpflow_view.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <future>
#include <system_error>
#include <thread>

#include "flow/number_text.h"
#include "ovs-integration/dpflow_key.h"
#include "ovs-integration/dpflow_text.h"

namespace snoc::ovs {
namespace {

using dpflow_text::quote;
using dpflow_text::same;
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
    if (same(name, "packets") || same(name, "bytes")) {
        uint64_t quick = 0;
        const auto n = dpflow_text::quick_uint(value, quick) ? std::optional<uint64_t>(quick)
                                                             : parse_uint_dec_or_hex(value);
        if (!n) return "bad " + std::string(name) + " count " + quote(value);
        (same(name, "packets") ? f.packets : f.bytes) = *n;
        (same(name, "packets") ? saw_packets : saw_bytes) = true;
    } else if (same(name, "used")) {
        if (same(value, "never")) {
            f.used_seconds.reset();
            return std::nullopt;
        }
        if (value.empty() || value.back() != 's') return "bad used time " + quote(value);
        value.remove_suffix(1);
        if (const auto quick = dpflow_text::quick_seconds(value)) {
            f.used_seconds = *quick;
            return std::nullopt;
        }
        double secs = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
        if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(secs) || secs < 0) {
            return "bad used time " + quote(value);
        }
        f.used_seconds = secs;
    } else if (same(name, "offloaded")) {
        if (same(value, "yes")) f.offloaded = true;
        else if (same(value, "no")) f.offloaded = false;
        else if (same(value, "partial")) {
            f.offloaded = true;
            f.partial_offload = true;
        } else {
            return "bad offloaded value " + quote(value);
        }
    } else if (same(name, "dp")) {
        f.dp = value;
    }
    // flags: (TCP flags seen) and anything newer OVS adds are not needed.
    return std::nullopt;
}

// Lines in `text` (at most): memchr runs far faster than a byte loop over
// the 90 MB of a full datapath.
size_t count_lines(std::string_view text) {
    size_t lines = 1;
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p != end) {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (!nl) break;
        ++lines;
        p = static_cast<const char*>(nl) + 1;
    }
    return lines;
}

}  // namespace

std::optional<std::string> scan_dpflow_line(std::string_view line, DpFlowView& out) {
    DpFlowView f;
    std::string_view rest = trim(line);
    if (rest.empty()) return "empty line";
    if (rest.starts_with(kUfid)) {
        const size_t comma = dpflow_text::find_char(rest, ',');
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
    const size_t actions_at = dpflow_text::find_text(rest, kActions);
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
        const size_t sep = dpflow_text::find_text(stats, ", ");
        const std::string_view token = trim(stats.substr(0, sep));
        stats = sep == std::string_view::npos ? std::string_view{} : stats.substr(sep + 2);
        if (token.empty()) continue;
        const size_t colon = dpflow_text::find_char(token, ':');
        if (colon == std::string_view::npos) return "expected name:value but got " + quote(token);
        if (auto err = apply_stat(f, token.substr(0, colon), token.substr(colon + 1), saw_packets, saw_bytes)) {
            return err;
        }
    }
    if (!saw_packets || !saw_bytes) return "missing packets: or bytes: in " + quote(rest.substr(0, actions_at));
    out = f;
    return std::nullopt;
}

namespace {

// What scanning one part of a dump left for the parts after it, and what
// it needs from the parts before it: line numbers and the section of the
// flows before its first header.
struct ScanPart {
    std::string_view text;
    DpFlowScan scan;
    size_t lines = 0;                 // lines read (numbers in scan.errors are 1-based within the part)
    size_t before_header = 0;         // flows before the part's first section header
    bool saw_header = false;
    std::string_view last_source;     // the section in force at the part's end (when saw_header)
    std::exception_ptr failure;       // what a worker threw (allocation), rethrown by the caller
};

// The dump reader proper, over whole lines. `reserve`: records to make
// room for (0: count the lines first).
void scan_lines(ScanPart& part, size_t reserve) {
    std::string_view text = part.text;
    DpFlowScan& scan = part.scan;
    // One flow per line: one allocation for the records, none per flow.
    scan.flows.reserve(reserve != 0 ? reserve : count_lines(text));
    // ~30 MB written once, front to back: see advise_huge_pages.
    dpflow_text::advise_huge_pages(scan.flows.data(), scan.flows.capacity() * sizeof(DpFlowView));
    std::string_view source;
    size_t number = 0;
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
            if (!part.saw_header) part.before_header = scan.flows.size();
            part.saw_header = true;
            continue;
        }
        DpFlowView& flow = scan.flows.emplace_back();
        if (auto err = scan_dpflow_line(line, flow)) {
            scan.flows.pop_back();
            scan.errors.push_back({number, std::string(line), std::move(*err)});
            continue;
        }
        flow.source = source;
    }
    if (!part.saw_header) part.before_header = scan.flows.size();
    part.last_source = source;
    part.lines = number;
}

}  // namespace

unsigned default_dpflow_scan_threads() {
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : std::min(hw, 2u);
}

DpFlowScan scan_dpflow_dump(std::string_view text) { return scan_dpflow_dump(text, default_dpflow_scan_threads()); }

DpFlowScan scan_dpflow_dump(std::string_view text, unsigned threads, size_t min_part_bytes) {
    const size_t wanted =
        std::max<size_t>(1, std::min<size_t>(threads, text.size() / std::max<size_t>(1, min_part_bytes)));
    // Parts end just after a '\n' (the last one at the end of the text), so
    // each line is read whole by one part, exactly as one pass would.
    std::vector<ScanPart> parts;
    parts.reserve(wanted);
    size_t begin = 0;
    for (size_t k = 1; k <= wanted && begin < text.size(); ++k) {
        size_t end = text.size();
        if (k < wanted) {
            const size_t nl = text.find('\n', std::max(begin, text.size() / wanted * k));
            end = nl == std::string_view::npos ? text.size() : nl + 1;
        }
        parts.emplace_back().text = text.substr(begin, end - begin);
        begin = end;
    }
    if (parts.size() <= 1) {
        ScanPart whole;
        whole.text = text;
        scan_lines(whole, 0);
        return std::move(whole.scan);
    }

    // Each worker counts and reads its own part into its own records; the
    // calling thread reads the first part straight into the result, with
    // room for every part's records once the workers have counted theirs.
    std::vector<std::promise<size_t>> counted(parts.size());
    std::vector<std::thread> workers;
    workers.reserve(parts.size() - 1);
    size_t started = 1;
    for (; started < parts.size(); ++started) {
        ScanPart& part = parts[started];
        std::promise<size_t>& count = counted[started];
        try {
            workers.emplace_back([&part, &count] {
                try {
                    const size_t lines = count_lines(part.text);
                    count.set_value(lines);
                    scan_lines(part, lines);
                } catch (...) {
                    part.failure = std::current_exception();
                    try {
                        count.set_value(0);  // unless it was
                    } catch (const std::future_error&) {
                    }
                }
            });
        } catch (const std::system_error&) {
            break;  // no thread to be had: the rest is read here
        }
    }
    // Parts no thread took are read here, after the first, in order.
    size_t room = count_lines(parts[0].text);
    for (size_t k = 1; k < parts.size(); ++k) {
        room += k < started ? counted[k].get_future().get() : count_lines(parts[k].text);
    }
    scan_lines(parts[0], room);
    for (size_t k = started; k < parts.size(); ++k) scan_lines(parts[k], 0);
    for (std::thread& w : workers) w.join();
    for (const ScanPart& part : parts) {
        if (part.failure) std::rethrow_exception(part.failure);
    }

    // Joined in order: line numbers continue, and a part's flows before
    // its first section header belong to the section in force before it.
    DpFlowScan scan = std::move(parts[0].scan);
    size_t lines = parts[0].lines;
    bool in_section = parts[0].saw_header;
    std::string_view section = parts[0].last_source;
    for (size_t k = 1; k < parts.size(); ++k) {
        ScanPart& part = parts[k];
        const size_t first = scan.flows.size();
        scan.flows.insert(scan.flows.end(), part.scan.flows.begin(), part.scan.flows.end());
        if (in_section) {
            for (size_t i = 0; i < part.before_header; ++i) scan.flows[first + i].source = section;
        }
        for (DpFlowError& e : part.scan.errors) {
            e.line += lines;
            scan.errors.push_back(std::move(e));
        }
        lines += part.lines;
        if (part.saw_header) {
            in_section = true;
            section = part.last_source;
        }
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
