#include "rte_policy.h"

#include <cstdio>
#include <memory>

#include "offload/policy_syntax.h"

namespace snoc::test {

bool rte_policy_rule(uint64_t cookie, const std::string& port, const std::string& policy, offload::HwRule& out) {
    auto parsed = flow::parse_policy_flow(policy);
    out = {};
    out.cookie = cookie;
    out.port = port;
    if (!parsed.flow) return false;
    out.flow = *parsed.flow;
    out.priority = parsed.flow->priority;
    out.table = parsed.flow->table;
    return true;
}

std::string command_output(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen((cmd + " 2>&1").c_str(), "r"), pclose);
    std::string out;
    if (!p) return out;
    char buf[512];
    while (size_t n = std::fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
    return out;
}

}  // namespace snoc::test
