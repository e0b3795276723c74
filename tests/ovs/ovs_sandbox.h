// The GoogleTest fixture around OvsSandbox (ovs_daemons.h): each daemon
// test gets its own private OVS, or skips saying why it cannot.
#pragma once

#include <gtest/gtest.h>

#include "tests/ovs/ovs_daemons.h"

namespace snoc::test {

// Skips the test unless root with OVS installed; starts a sandbox.
class OvsTest : public ::testing::Test {
protected:
    virtual bool with_vswitchd() const { return true; }
    void SetUp() override;
    void TearDown() override { ovs.stop(); }

    OvsSandbox ovs;
};

}  // namespace snoc::test
