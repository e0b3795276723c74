// The command line: exit codes, output formats, errors on stderr.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "controller/cli.h"
#include "test_support.h"

namespace snoc {
namespace {

struct Run {
    int code;
    std::string out, err;
};

Run run(std::vector<std::string> args) {
    std::ostringstream out, err;
    int code = run_cli(args, out, err);
    return {code, out.str(), err.str()};
}

std::string config(const std::string& name) { return (test::source_dir() / "configs" / name).string(); }
std::string bad(const std::string& name) { return (test::source_dir() / "tests/data/bad-specs" / name).string(); }

TEST(Cli, HelpAndVersion) {
    auto h = run({"--help"});
    EXPECT_EQ(h.code, kExitOk);
    EXPECT_NE(h.out.find("validate"), std::string::npos);
    EXPECT_NE(h.out.find("Exit codes"), std::string::npos);
    auto v = run({"--version"});
    EXPECT_EQ(v.code, kExitOk);
    EXPECT_EQ(v.out.rfind("snoc ", 0), 0u);
}

TEST(Cli, UsageErrorsExitTwo) {
    EXPECT_EQ(run({}).code, kExitUsage);
    EXPECT_EQ(run({"frobnicate"}).code, kExitUsage);
    EXPECT_EQ(run({"plan"}).code, kExitUsage);
    EXPECT_EQ(run({"plan", "/nonexistent.yaml"}).code, kExitUsage);
    EXPECT_EQ(run({"plan", config("minimal.yaml"), "-o", "xml"}).code, kExitUsage);
}

TEST(Cli, ValidateReportsToStderrAndExitsOneOnErrors) {
    auto ok = run({"validate", config("minimal.yaml")});
    EXPECT_EQ(ok.code, kExitOk);
    EXPECT_NE(ok.out.find("valid"), std::string::npos);
    auto b = run({"validate", bad("vf-range.yaml")});
    EXPECT_EQ(b.code, kExitInvalidInput);
    EXPECT_NE(b.err.find("vf-range.yaml:7:17: error: nics[0].vfs[0].index"), std::string::npos);
    EXPECT_NE(b.err.find("4 errors, 0 warnings"), std::string::npos);
}

TEST(Cli, ValidateJson) {
    auto b = run({"validate", bad("vf-range.yaml"), "-o", "json"});
    EXPECT_EQ(b.code, kExitInvalidInput);
    const auto j = nlohmann::json::parse(b.out);
    EXPECT_FALSE(j["valid"]);
    EXPECT_EQ(j["errors"], 4);
    EXPECT_EQ(j["diagnostics"][0]["line"], 7);
    EXPECT_EQ(j["diagnostics"][0]["column"], 17);
    EXPECT_EQ(j["diagnostics"][0]["path"], "nics[0].vfs[0].index");
}

TEST(Cli, PlanJsonIsParseableAndInvalidSpecsPrintNoPlan) {
    auto p = run({"plan", config("vxlan-cloud.yaml"), "-o", "json"});
    EXPECT_EQ(p.code, kExitOk);
    const auto j = nlohmann::json::parse(p.out);
    EXPECT_EQ(j["rules"].size(), 10u);
    auto b = run({"plan", bad("references.yaml")});
    EXPECT_EQ(b.code, kExitInvalidInput);
    EXPECT_TRUE(b.out.empty());
}

TEST(Cli, Profiles) {
    auto list = run({"profiles"});
    EXPECT_EQ(list.code, kExitOk);
    EXPECT_NE(list.out.find("octeon-cn10k"), std::string::npos);
    auto one = run({"profiles", "e810", "-o", "json"});
    EXPECT_EQ(one.code, kExitOk);
    EXPECT_EQ(nlohmann::json::parse(one.out)["name"], "e810");
    auto missing = run({"profiles", "cx9"});
    EXPECT_EQ(missing.code, kExitUsage);
    EXPECT_NE(missing.err.find("no NIC profile named 'cx9'"), std::string::npos);
}

}  // namespace
}  // namespace snoc
