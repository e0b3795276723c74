#include "tests/ovs/ovs_sandbox.h"

namespace snoc::test {

void OvsTest::SetUp() {
    if (!ovs_skip_reason().empty()) GTEST_SKIP() << ovs_skip_reason();
    const offload::Status s = ovs.start(with_vswitchd());
    ASSERT_TRUE(s.ok()) << offload::to_string(s) << " (logs in " << ovs.dir() << ")";
}

}  // namespace snoc::test
