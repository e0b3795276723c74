#include "ovs-integration/dpif_ports.h"

#include <cerrno>

#include "flow/number_text.h"

namespace snoc::ovs {
namespace {

using offload::Status;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

size_t indent_of(std::string_view line) {
    size_t n = 0;
    while (n < line.size() && line[n] == ' ') ++n;
    return n;
}

// Calls `fn(line)` for each line.
template <typename Fn>
Status for_each_line(std::string_view text, Fn fn) {
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (trim(line).empty()) continue;
        if (Status s = fn(line); !s.ok()) return s;
    }
    return Status::success();
}

Status bad(std::string_view what, std::string_view line) {
    return Status::failure(EPROTO, std::string(what) + ": '" + std::string(trim(line)) + "'");
}

// "(vxlan: key=flow, remote_ip=...)" -> "vxlan"; "(tap)" -> "tap".
std::string type_of(std::string_view paren) {
    paren = trim(paren);
    if (paren.size() < 2 || paren.front() != '(') return "";
    paren.remove_prefix(1);
    const size_t end = paren.find_first_of(":)");
    return std::string(paren.substr(0, end));
}

std::optional<uint32_t> parse_u32(std::string_view s) {
    const auto v = parse_uint_dec_or_hex(s);
    if (!v || *v > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(*v);
}

}  // namespace

Status DpPortMap::read_dpif_show(std::string_view text) {
    std::vector<DpPort> read;
    std::string datapath, bridge;
    Status s = for_each_line(text, [&](std::string_view line) -> Status {
        const size_t indent = indent_of(line);
        const std::string_view body = trim(line);
        if (indent == 0) {
            // "netdev@ovs-netdev: hit:0 missed:0"
            const size_t colon = body.find(':');
            if (colon == std::string_view::npos) return bad("dpif/show: expected a datapath line", line);
            datapath = std::string(body.substr(0, colon));
            bridge.clear();
            return Status::success();
        }
        if (body.back() == ':' && body.find(' ') == std::string_view::npos) {
            bridge = std::string(body.substr(0, body.size() - 1));  // "br0:"
            return Status::success();
        }
        // "vx0 1/1: (vxlan: key=flow)"; the name cannot contain a space.
        const size_t sp = body.find(' ');
        const size_t colon = body.find(':', sp == std::string_view::npos ? 0 : sp);
        if (datapath.empty() || sp == std::string_view::npos || colon == std::string_view::npos) {
            return bad("dpif/show: expected 'NAME OFPORT/DPPORT: (TYPE)'", line);
        }
        const std::string_view numbers = body.substr(sp + 1, colon - sp - 1);
        const size_t slash = numbers.find('/');
        if (slash == std::string_view::npos) return bad("dpif/show: expected OFPORT/DPPORT", line);
        DpPort p;
        p.datapath = datapath;
        p.bridge = bridge;
        p.name = std::string(body.substr(0, sp));
        p.ofport = parse_u32(numbers.substr(0, slash));  // "none" stays unset
        const auto dp = parse_u32(numbers.substr(slash + 1));
        if (!dp) return bad("dpif/show: bad datapath port number", line);
        p.dp_port = *dp;
        p.type = type_of(body.substr(colon + 1));
        read.push_back(std::move(p));
        return Status::success();
    });
    if (!s.ok()) return s;
    // Replace what was known about the datapaths this output covers.
    std::vector<DpPort> kept;
    for (DpPort& old : ports_) {
        bool covered = false;
        for (const DpPort& n : read) covered = covered || n.datapath == old.datapath;
        if (!covered) kept.push_back(std::move(old));
    }
    kept.insert(kept.end(), std::make_move_iterator(read.begin()), std::make_move_iterator(read.end()));
    ports_ = std::move(kept);
    return Status::success();
}

Status DpPortMap::read_dpctl_show(std::string_view text) {
    std::string datapath;
    return for_each_line(text, [&](std::string_view line) -> Status {
        const std::string_view body = trim(line);
        if (indent_of(line) == 0) {
            const size_t colon = body.find(':');
            if (colon == std::string_view::npos) return bad("dpctl/show: expected a datapath line", line);
            datapath = std::string(body.substr(0, colon));
            return Status::success();
        }
        if (!body.starts_with("port ")) return Status::success();  // lookups:, flows:, masks:, stats
        // "port 1: vxlan_sys_4789 (vxlan: packet_type=ptap)"
        const size_t colon = body.find(':');
        if (colon == std::string_view::npos) return bad("dpctl/show: expected 'port N: NAME'", line);
        const auto number = parse_u32(trim(body.substr(5, colon - 5)));
        if (!number) return bad("dpctl/show: bad port number", line);
        std::string_view rest = trim(body.substr(colon + 1));
        const std::string_view name = rest.substr(0, rest.find(' '));
        if (name.empty()) return bad("dpctl/show: port without a name", line);
        for (DpPort& p : ports_) {
            if (p.datapath == datapath && p.dp_port == *number) {
                p.dp_name = std::string(name);
                return Status::success();
            }
        }
        // The datapath's own port (ovs-netdev, ovs-system) has no OVS port.
        DpPort p;
        p.datapath = datapath;
        p.dp_name = std::string(name);
        p.dp_port = *number;
        p.type = type_of(rest.substr(name.size()));
        ports_.push_back(std::move(p));
        return Status::success();
    });
}

const DpPort* DpPortMap::find(std::string_view printed, std::string_view datapath) const {
    const auto number = parse_u32(printed);
    const DpPort* by_dp_name = nullptr;
    for (const DpPort& p : ports_) {
        if (!datapath.empty() && p.datapath != datapath) continue;
        if (number && p.dp_port == *number) return &p;
        if (!number && !p.name.empty() && p.name == printed) return &p;
        if (!number && !p.dp_name.empty() && p.dp_name == printed && !by_dp_name) by_dp_name = &p;
    }
    return by_dp_name;
}

std::string DpPortMap::resolve(std::string_view printed, std::string_view datapath) const {
    const DpPort* p = find(printed, datapath);
    if (p && !p->name.empty()) return p->name;
    return std::string(printed);
}

}  // namespace snoc::ovs
