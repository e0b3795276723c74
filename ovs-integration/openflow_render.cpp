#include "ovs-integration/openflow_render.h"

#include "flow/policy_syntax.h"

namespace snoc::ovs {

uint64_t policy_cookie(std::string_view rule_name) {
    // FNV-1a, 32 bits: stable across builds and platforms (std::hash is neither).
    uint32_t h = 2166136261u;
    for (unsigned char c : rule_name) {
        h ^= c;
        h *= 16777619u;
    }
    return kCookieOwner | h;
}

bool is_snoc_cookie(uint64_t cookie) { return (cookie & kCookieOwnerMask) == kCookieOwner; }

std::string render_openflow(const flow::Flow& f, uint64_t cookie,
                            const std::function<std::string(const std::string&)>& ovs_port) {
    flow::Flow out = f;
    out.cookie = cookie;
    if (out.match.in_port) out.match.in_port = ovs_port(*out.match.in_port);
    for (flow::Action& a : out.actions) {
        if (auto* o = std::get_if<flow::Output>(&a)) o->port = ovs_port(o->port);
    }
    return flow::format_flow(out);
}

}  // namespace snoc::ovs
