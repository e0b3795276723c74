// Bounded input: only regular files, at most their limit (both sides of
// it), one YAML document, aliases counted each time they expand (both
// sides of each limit), diagnostics kept to a cap but all counted, and a
// broken profile making the whole run invalid.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "controller/diagnostics.h"
#include "controller/spec_loader.h"
#include "controller/yaml_reader.h"
#include "sys/regular_file.h"
#include "test_support.h"

namespace snoc {
namespace {

using test::TempDir;

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(RegularFile, ReadsUpToTheLimitAndRefusesOneBytePast) {
    TempDir dir("regular-file");
    write(dir.path / "ten", "0123456789");
    std::string out;
    EXPECT_TRUE(sys::read_regular_file((dir.path / "ten").string(), 10, out).ok());
    EXPECT_EQ(out, "0123456789");
    const auto st = sys::read_regular_file((dir.path / "ten").string(), 9, out);
    EXPECT_EQ(st.error, EFBIG);
    EXPECT_EQ(st.reason, "it is 10 bytes; the limit is 9 bytes");
    EXPECT_TRUE(out.empty());
}

TEST(RegularFile, RefusesWhatIsNotARegularFileAndSaysWhatItIs) {
    TempDir dir("not-regular");
    const std::string fifo = (dir.path / "fifo").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string out;
    EXPECT_EQ(sys::read_regular_file(fifo, 100, out).reason, "it is a FIFO, not a regular file");  // and does not block
    EXPECT_EQ(sys::read_regular_file("/dev/zero", 100, out).reason, "it is a character device, not a regular file");
    EXPECT_EQ(sys::read_regular_file(dir.str(), 100, out).reason, "it is a directory, not a regular file");
    EXPECT_EQ(sys::read_regular_file((dir.path / "absent").string(), 100, out).error, ENOENT);
}

TEST(RegularFile, SizesReadAsPeopleWriteThem) {
    EXPECT_EQ(sys::format_size(1), "1 byte");
    EXPECT_EQ(sys::format_size(1023), "1023 bytes");
    EXPECT_EQ(sys::format_size(1024), "1 KiB");
    EXPECT_EQ(sys::format_size(1025), "1025 bytes");
    EXPECT_EQ(sys::format_size(4u << 20), "4 MiB");
}

TEST(SpecFile, ALargerSpecThanTheLimitIsRefusedBeforeParsing) {
    TempDir dir("spec-limit");
    const auto path = dir.path / "big.yaml";
    write(path, "# " + std::string(spec::kMaxSpecFileBytes, 'x') + "\n");
    Diagnostics d;
    EXPECT_FALSE(spec::load_spec_file(path.string(), test::builtin_profiles(), d));
    ASSERT_EQ(d.all().size(), 1u);
    EXPECT_NE(d.all()[0].message.find("the limit is 4 MiB"), std::string::npos) << d.all()[0].message;
}

std::optional<YAML::Node> parse(const std::string& text, yaml::DocumentLimits limits, Diagnostics& d) {
    return yaml::parse_document(text, "t.yaml", d, limits);
}

TEST(YamlDocument, NodesAreCountedWithEveryAliasExpanded) {
    // a: &x [1, 2] / b: [*x, *x, *x]: root 1, keys 2, a's list 3, b's list 1 + 3 * 3 = 16 nodes.
    const std::string text = "a: &x [1, 2]\nb: [*x, *x, *x]\n";
    Diagnostics ok, over;
    EXPECT_TRUE(parse(text, {.max_nodes = 16, .max_scalar_bytes = 100}, ok));
    EXPECT_TRUE(ok.all().empty());
    EXPECT_FALSE(parse(text, {.max_nodes = 15, .max_scalar_bytes = 100}, over));
    ASSERT_EQ(over.all().size(), 1u);
    EXPECT_NE(over.all()[0].message.find("aliases"), std::string::npos);
}

TEST(YamlDocument, ScalarBytesAreCountedWithEveryAliasExpanded) {
    // Keys "a", "b" (2 bytes), "xy" under a (2), three times under b (6): 10 bytes.
    const std::string text = "a: &x xy\nb: [*x, *x, *x]\n";
    Diagnostics ok, over;
    EXPECT_TRUE(parse(text, {.max_nodes = 100, .max_scalar_bytes = 10}, ok));
    EXPECT_FALSE(parse(text, {.max_nodes = 100, .max_scalar_bytes = 9}, over));
}

TEST(YamlDocument, OneDocumentPerFileAndTheSecondIsPointedAt) {
    Diagnostics d;
    EXPECT_FALSE(parse("a: 1\n---\nb: 2\n---\nc: 3\n", {}, d));
    ASSERT_EQ(d.all().size(), 1u);
    EXPECT_EQ(d.all()[0].location.line, 2);
    EXPECT_NE(d.all()[0].message.find("holds 3 YAML documents"), std::string::npos) << d.all()[0].message;
    Diagnostics empty;
    EXPECT_TRUE(parse("", {}, empty));  // an empty file is one empty document
}

// fuzz_spec_loader's find: 1.2 KB that kept yaml-cpp's LoadAll busy for
// minutes. Documents are now told apart by their '---' lines; this input
// must come back (ctest's timeout catches a spin) with one error.
TEST(YamlDocument, TheInputThatSpunLoadAllReturnsWithOneError) {
    const std::string text = test::read_file(test::source_dir() / "tests/data/fuzz-regressions/spec-loader-loadall-spin.yaml");
    Diagnostics d;
    EXPECT_FALSE(spec::load_spec(text, "spin.yaml", test::builtin_profiles(), d));
    EXPECT_EQ(d.error_count(), 1u);
}

TEST(Diagnostics, KeepsTheFirstOnesAndCountsEveryOne) {
    Diagnostics d;
    for (size_t i = 0; i < Diagnostics::kMaxKept + 2; ++i) d.error({}, "", "e" + std::to_string(i));
    d.warning({}, "", "w");
    EXPECT_EQ(d.all().size(), Diagnostics::kMaxKept);
    EXPECT_EQ(d.all().back().message, "e" + std::to_string(Diagnostics::kMaxKept - 1));
    EXPECT_EQ(d.error_count(), Diagnostics::kMaxKept + 2);
    EXPECT_EQ(d.warning_count(), 1u);
    EXPECT_EQ(d.dropped(), 3u);
    EXPECT_TRUE(d.full());
    Diagnostics one_short;
    for (size_t i = 0; i + 1 < Diagnostics::kMaxKept; ++i) one_short.error({}, "", "e");
    EXPECT_FALSE(one_short.full());
    // Appending carries what the other one counted but did not keep.
    Diagnostics sum;
    sum.warning({}, "", "first");
    sum.append(d);
    EXPECT_EQ(sum.error_count(), Diagnostics::kMaxKept + 2);
    EXPECT_EQ(sum.warning_count(), 2u);
    EXPECT_EQ(sum.all().size(), Diagnostics::kMaxKept);
}

TEST(SpecAndProfiles, ABrokenProfileOverrideMakesTheRunInvalid) {
    TempDir dir("broken-profile");
    write(dir.path / "broken.yaml", "name: [\n");
    ProfileMap profiles;
    Diagnostics d;
    const auto spec = spec::load_spec_and_profiles((test::source_dir() / "configs/minimal.yaml").string(),
                                                   {dir.str()}, profiles, d);
    EXPECT_FALSE(spec);  // the spec itself is valid
    EXPECT_EQ(d.error_count(), 1u);
    EXPECT_TRUE(profiles.count("e810"));  // the others still loaded
    Diagnostics clean;
    EXPECT_TRUE(spec::load_spec_and_profiles((test::source_dir() / "configs/minimal.yaml").string(), {}, profiles,
                                             clean));
}

}  // namespace
}  // namespace snoc
