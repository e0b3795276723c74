// shell_word: what an operator pastes runs as the argv it stands for. Plain
// words stay as they are; everything else is single-quoted, quotes inside
// included; a real /bin/sh reads every quoted word back unchanged (and runs
// none of it).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/plan.h"
#include "controller/spec_loader.h"
#include "sys/process_runner.h"
#include "sys/shell_word.h"
#include "test_support.h"

namespace snoc {
namespace {

TEST(ShellWord, PlainWordsStayAsTheyAre) {
    for (const std::string w : {"eth0", "enp3s0f0np0", "pci/0000:03:00.0", "other_config:hw-offload=true", "a,b@c%d+e"}) {
        EXPECT_EQ(sys::shell_word(w), w);
    }
}

TEST(ShellWord, EverythingElseIsQuotedWhole) {
    EXPECT_EQ(sys::shell_word(""), "''");
    EXPECT_EQ(sys::shell_word("a b"), "'a b'");
    EXPECT_EQ(sys::shell_word("eth0;reboot"), "'eth0;reboot'");
    EXPECT_EQ(sys::shell_word("$(id)"), "'$(id)'");
    EXPECT_EQ(sys::shell_word("`id`"), "'`id`'");
    EXPECT_EQ(sys::shell_word("it's"), "'it'\\''s'");
    EXPECT_EQ(sys::shell_word("~root"), "'~root'");
    EXPECT_EQ(sys::shell_word("#x"), "'#x'");
}

// The shell itself is the judge: printf '%s\n' WORD... prints each argument
// as it received it, and nothing in them ran.
TEST(ShellWord, ARealShellReadsEveryWordBackUnchanged) {
    const std::vector<std::string> words{"e;touch /tmp/snoc-pwned", "$(id)", "`id`", "it's", "a\"b", "a\\b", "*",
                                         "x\ny", "", "-n", "!x", "{a,b}", "a&b|c>d<e"};
    std::string script = "printf '%s\\n'";
    std::string expected;
    for (const auto& w : words) {
        script += " " + sys::shell_word(w);
        expected += w + "\n";
    }
    sys::ProcessResult r;
    ASSERT_TRUE(sys::run_process({"/bin/sh", "-c", script}, "", r, std::chrono::seconds(10)).ok());
    EXPECT_TRUE(r.succeeded()) << r.err;
    EXPECT_EQ(r.out, expected);
}

// A spec whose names carry shell syntax (valid interface names all): every
// printed step pastes as its names, not as code.
TEST(ShellWord, PlanCommandsQuoteNamesFromTheSpec) {
    Diagnostics d;
    const auto s = spec::load_spec("nics: [{name: n, pf: 'e$(id)', profile: sim, num_vfs: 1, representor_prefix: 'r;'}]\n"
                                   "ovs: {bridge: 'br`x`'}\n"
                                   "workloads: [{name: w, attach: veth, ifname: 'i;id', host_ifname: 'h$x'}]\n",
                                   "t.yaml", test::builtin_profiles(), d);
    ASSERT_TRUE(s) << (d.all().empty() ? "" : format(d.all()[0]));
    const auto p = plan::build_plan(*s, test::builtin_profiles());
    size_t checked = 0;
    for (const auto& step : p.steps) {
        for (const std::string raw : {"e$(id)", "r;vf0", "br`x`", "i;id", "h$x"}) {
            size_t at = step.command.find(raw);
            while (at != std::string::npos) {
                // Every occurrence is inside single quotes.
                const size_t open = step.command.rfind('\'', at);
                ASSERT_NE(open, std::string::npos) << step.command;
                EXPECT_EQ(std::count(step.command.begin(), step.command.begin() + static_cast<long>(open), '\'') % 2, 0)
                    << step.command;
                ++checked;
                at = step.command.find(raw, at + 1);
            }
        }
    }
    EXPECT_GE(checked, 8u);
}

}  // namespace
}  // namespace snoc
