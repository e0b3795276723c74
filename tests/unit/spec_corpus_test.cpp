// Every broken spec in tests/data/bad-specs must produce exactly the
// diagnostics listed in its "# expect:" comments, and every example in
// configs/ must be valid.
#include <gtest/gtest.h>

#include <algorithm>

#include "controller/spec_loader.h"
#include "test_support.h"

namespace snoc {
namespace {

std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() == ".yaml") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> expected_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    const std::string marker = "# expect: ";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(marker, 0) == 0) out.push_back(line.substr(marker.size()));
    }
    return out;
}

std::string without_file(const Diagnostic& d) {
    Diagnostic copy = d;
    const std::string full = format(copy);
    const std::string prefix = d.location.file + ":";
    return full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
}

class BadSpecCorpus : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(BadSpecCorpus, ReportsExactlyTheExpectedDiagnostics) {
    const auto path = GetParam();
    const std::string text = test::read_file(path);
    const auto expected = expected_lines(text);
    ASSERT_FALSE(expected.empty()) << path << " has no '# expect:' lines";

    Diagnostics diags;
    const auto spec = spec::load_spec(text, path.filename().string(), test::builtin_profiles(), diags);
    EXPECT_FALSE(spec.has_value()) << "a spec with errors must not be returned";

    std::vector<std::string> actual;
    for (const auto& d : diags.all()) actual.push_back(without_file(d));
    EXPECT_EQ(actual, expected) << "in " << path;
}

INSTANTIATE_TEST_SUITE_P(Files, BadSpecCorpus,
                         ::testing::ValuesIn(yaml_files(test::source_dir() / "tests/data/bad-specs")),
                         [](const auto& param_info) { return test::test_name(param_info.param); });

class ExampleConfigs : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(ExampleConfigs, AreValidWithoutWarnings) {
    Diagnostics diags;
    const auto spec = spec::load_spec_file(GetParam().string(), test::builtin_profiles(), diags);
    ASSERT_TRUE(spec.has_value());
    for (const auto& d : diags.all()) ADD_FAILURE() << format(d);
    EXPECT_FALSE(spec->policies.empty());
}

INSTANTIATE_TEST_SUITE_P(Files, ExampleConfigs, ::testing::ValuesIn(yaml_files(test::source_dir() / "configs")),
                         [](const auto& param_info) { return test::test_name(param_info.param); });

}  // namespace
}  // namespace snoc
