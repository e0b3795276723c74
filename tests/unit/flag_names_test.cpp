// flow/flag_names: the one definition of the tcp_flags and ct_state bit
// names the policy syntax, the datapath flow parser and tc's printer share.
#include <gtest/gtest.h>

#include "flow/flag_names.h"

namespace snoc::flow {
namespace {

TEST(FlagNames, TcpFlagsAreInBitOrder) {
    const auto names = tcp_flag_names();
    ASSERT_EQ(names.size(), 9u);
    for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i].bit, 1u << i) << names[i].name;
    EXPECT_EQ(flag_name(Field::TcpFlags, 0x002), "syn");
    EXPECT_EQ(flag_name(Field::TcpFlags, 0x100), "ns");
}

TEST(FlagNames, CtStateNamesEveryStateBit) {
    EXPECT_EQ(ct_state_flag_names().size(), 8u);
    EXPECT_EQ(flag_name(Field::CtState, kCtTrk), "trk");
    EXPECT_EQ(flag_name(Field::CtState, kCtRpl), "rpl");
    EXPECT_EQ(flag_name(Field::CtState, kCtDnat), "dnat");
    EXPECT_EQ(flag_name(Field::CtState, 0x100), "") << "a bit without a name";
    EXPECT_EQ(flag_names(Field::CtState).data(), ct_state_flag_names().data());
}

}  // namespace
}  // namespace snoc::flow
