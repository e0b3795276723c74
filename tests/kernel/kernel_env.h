// Set-up for tests that need a real kernel with cls_flower (the VM tier):
// a private network namespace per test binary and veth helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace snoc::test {

// Runs a shell command for test set-up (ip, tc); returns its exit status.
int sh(const std::string& cmd);
// Like sh() but fails the test when the command fails.
void must(const std::string& cmd);
// Output of a command (stdout), for checks against iproute2's own view.
std::string output_of(const std::string& cmd);

// True when the kernel can run flower (checked once by adding a flower
// filter on a scratch veth in a private namespace).
bool kernel_has_flower();

// Skips the test when not in a kernel with flower (i.e. not in the VM tier).
#define SNOC_REQUIRE_FLOWER()                                                               \
    do {                                                                                    \
        if (!::snoc::test::kernel_has_flower()) GTEST_SKIP() << "needs cls_flower (VM tier)"; \
    } while (0)

}  // namespace snoc::test
