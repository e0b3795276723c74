#include "rte_policy.h"

#include <cstdio>
#include <memory>


namespace snoc::test {

std::string command_output(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen((cmd + " 2>&1").c_str(), "r"), pclose);
    std::string out;
    if (!p) return out;
    char buf[512];
    while (size_t n = std::fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
    return out;
}

}  // namespace snoc::test
