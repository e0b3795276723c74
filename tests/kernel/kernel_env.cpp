#include "kernel_env.h"

#include <sched.h>

#include <array>
#include <cstdio>
#include <memory>

namespace snoc::test {

int sh(const std::string& cmd) {
    const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

void must(const std::string& cmd) {
    const int rc = std::system((cmd + " 2>&1").c_str());
    ASSERT_EQ(rc, 0) << "set-up command failed: " << cmd;
}

std::string output_of(const std::string& cmd) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    if (!p) return out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p.get())) > 0) out.append(buf.data(), n);
    return out;
}

bool kernel_has_flower() {
    static const bool has = [] {
        if (geteuid() != 0) return false;
        sh("ip link del snoc-probe0");
        if (sh("ip link add snoc-probe0 type veth peer name snoc-probe1") != 0) return false;
        const bool ok = sh("tc qdisc add dev snoc-probe0 clsact") == 0 &&
                        sh("tc filter add dev snoc-probe0 ingress protocol ip flower skip_hw action drop") == 0;
        sh("ip link del snoc-probe0");
        return ok;
    }();
    return has;
}

namespace {

// Every kernel test binary runs in its own network namespace, so tests never
// see or disturb the host's (or each other's) interfaces — except when it is
// given netdevsim representors, which live in the initial namespace.
class PrivateNetns : public ::testing::Environment {
public:
    void SetUp() override {
        if (std::getenv("SNOC_NSIM_REP") || std::getenv("SNOC_NSIM_NIC")) return;
        if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0) sh("ip link set lo up");
    }
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new PrivateNetns);

}  // namespace
}  // namespace snoc::test
