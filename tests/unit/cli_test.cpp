// The command line: exit codes, output formats, errors on stderr, options
// before and after the command, help, suggestions, the dry run on a host
// without the NIC, status without a daemon, and the version line.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "controller/build_info.h"
#include "controller/cli.h"
#include "test_support.h"
#include "tests/support/loopback.h"

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

namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

using test::TempDir;

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

// A copy of the built-in e810 profile under another name and model, as
// <dir>/<name>.yaml: which directory a profile came from shows in its model.
void write_profile(const fs::path& dir, const std::string& name, const std::string& model) {
    std::string text = test::read_file(test::source_dir() / "nic-profiles/e810.yaml");
    text = std::regex_replace(text, std::regex("\nname: e810\n"), "\nname: " + name + "\n");
    text = std::regex_replace(text, std::regex("\nmodel: [^\n]*\n"), "\nmodel: " + model + "\n");
    write(dir / (name + ".yaml"), text);
}

std::string model_of(const Run& r) {
    EXPECT_EQ(r.code, kExitOk) << r.err;
    return r.code == kExitOk ? nlohmann::json::parse(r.out).value("model", "") : "";
}

// What a shell command prints on its first line ("" when it fails).
std::string first_line_of(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buf[256];
        if (std::fgets(buf, sizeof buf, p)) out = buf;
        if (::pclose(p) != 0) out.clear();
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

TEST(Cli, HelpAndVersion) {
    auto h = run({"--help"});
    EXPECT_EQ(h.code, kExitOk);
    EXPECT_NE(h.out.find("validate"), std::string::npos);
    EXPECT_NE(h.out.find("Exit codes"), std::string::npos);
    EXPECT_TRUE(has(h.out, "5 no snoc daemon answers")) << h.out;
    auto v = run({"--version"});
    EXPECT_EQ(v.code, kExitOk);
    EXPECT_EQ(v.out.rfind("snoc ", 0), 0u);
}

// `snoc --version`: "snoc X.Y.Z (commit abc1234)", "-dirty" for a modified
// tree, "unknown" outside git; the version is project(VERSION), the commit
// what git says HEAD is (the build regenerates it on every build).
TEST(Cli, VersionNamesTheProjectVersionAndTheGitCommit) {
    const auto v = run({"--version"});
    ASSERT_EQ(v.code, kExitOk);
    EXPECT_TRUE(v.err.empty());
    std::smatch m;
    const std::regex line(R"(snoc (\d+\.\d+\.\d+) \(commit ([0-9a-f]{4,40}(-dirty)?|unknown)\)\n)");
    ASSERT_TRUE(std::regex_match(v.out, m, line)) << v.out;
    std::smatch project;
    const std::string cmake = test::read_file(test::source_dir() / "CMakeLists.txt");
    ASSERT_TRUE(std::regex_search(cmake, project, std::regex(R"(project\(snoc VERSION (\S+))")));
    EXPECT_EQ(m[1].str(), project[1].str());
    EXPECT_EQ(m[1].str(), build_version());
    EXPECT_EQ(m[2].str(), build_commit());
    EXPECT_EQ(v.out, version_line() + "\n");
    // After the command too, with the same line.
    EXPECT_EQ(run({"validate", "--version"}).out, v.out);
    EXPECT_EQ(run({"flows", "--version"}).out, v.out);

    const std::string src = test::source_dir().string();
    const std::string top = first_line_of("git -C '" + src + "' rev-parse --show-toplevel 2>/dev/null");
    std::error_code ec;
    if (top.empty() || !fs::equivalent(top, src, ec)) {
        GTEST_SKIP() << "the sources are not a git work tree here: the commit cannot be checked";
    }
    const std::string head = first_line_of("git -C '" + src + "' rev-parse --short HEAD 2>/dev/null");
    ASSERT_FALSE(head.empty());
    const std::string commit = m[2].str();
    EXPECT_EQ(commit.substr(0, commit.find('-')), head) << "built from another commit: rebuild";
}

TEST(Cli, ProfilesDirWorksBeforeAndAfterTheCommandAndBothCountInOrder) {
    TempDir a("profiles-a"), b("profiles-b");
    write_profile(a.path, "lab-nic", "Model A");
    write_profile(a.path, "lab-a", "Only A");
    write_profile(b.path, "lab-nic", "Model B");
    write_profile(b.path, "lab-b", "Only B");
    // After the command, before its FILE: the FILE is not taken for a directory.
    const auto after = run({"validate", "--profiles-dir", a.str(), config("minimal.yaml")});
    EXPECT_EQ(after.code, kExitOk) << after.err;
    EXPECT_TRUE(has(after.out, "valid")) << after.out;
    EXPECT_EQ(run({"validate", config("minimal.yaml"), "--profiles-dir", a.str()}).code, kExitOk);
    EXPECT_EQ(run({"--profiles-dir", a.str(), "validate", config("minimal.yaml")}).code, kExitOk);
    EXPECT_EQ(model_of(run({"profiles", "--profiles-dir", a.str(), "lab-nic", "-o", "json"})), "Model A");
    EXPECT_EQ(model_of(run({"--profiles-dir", a.str(), "profiles", "lab-nic", "-o", "json"})), "Model A");
    // In both places: both directories count, the later one wins a name.
    auto both = [&](const TempDir& first, const TempDir& second, const std::string& name) {
        return model_of(run({"--profiles-dir", first.str(), "profiles", "--profiles-dir", second.str(), name, "-o", "json"}));
    };
    EXPECT_EQ(both(a, b, "lab-nic"), "Model B");
    EXPECT_EQ(both(b, a, "lab-nic"), "Model A");
    EXPECT_EQ(both(b, a, "lab-b"), "Only B");
    EXPECT_EQ(both(b, a, "lab-a"), "Only A");
    // Repeated in one place: every one counts.
    const auto list = run({"profiles", "--profiles-dir", a.str(), "--profiles-dir", b.str()});
    EXPECT_EQ(list.code, kExitOk) << list.err;
    EXPECT_TRUE(has(list.out, "lab-a") && has(list.out, "lab-b")) << list.out;
    const auto global = run({"--profiles-dir", a.str(), "--profiles-dir", b.str(), "profiles"});
    EXPECT_TRUE(has(global.out, "lab-a") && has(global.out, "lab-b")) << global.out;
    // A directory that is not there is a usage error in either place.
    EXPECT_EQ(run({"validate", "--profiles-dir", (a.path / "none").string(), config("minimal.yaml")}).code, kExitUsage);
    EXPECT_EQ(run({"--profiles-dir", (a.path / "none").string(), "validate", config("minimal.yaml")}).code, kExitUsage);
}

TEST(Cli, EveryCommandsHelpShowsItsOptionsAndTheGlobalOnes) {
    for (const std::string cmd : {"validate", "plan", "apply", "run", "down", "status", "flows", "profiles"}) {
        SCOPED_TRACE(cmd);
        const auto h = run({cmd, "--help"});
        EXPECT_EQ(h.code, kExitOk);
        EXPECT_TRUE(has(h.out, "Usage: snoc " + cmd + " ")) << h.out;
        EXPECT_TRUE(has(h.out, "Global options:")) << h.out;
        EXPECT_TRUE(has(h.out, "--profiles-dir DIR")) << h.out;
        EXPECT_TRUE(has(h.out, "--version")) << h.out;
        EXPECT_TRUE(has(h.out, "-h,--help")) << h.out;
        if (cmd != "run") {
            EXPECT_TRUE(has(h.out, "-o,--output")) << h.out;
        }
        EXPECT_TRUE(has(h.out, "5 no snoc daemon answers")) << h.out;
        EXPECT_FALSE(has(h.out, "--sysfs-root")) << "a test-only option is listed";
        EXPECT_FALSE(has(h.out, "--polls")) << "a test-only option is listed";
    }
    EXPECT_TRUE(has(run({"apply", "--help"}).out, "--dry-run"));
    EXPECT_TRUE(has(run({"apply", "--help"}).out, "--ovsdb"));
    EXPECT_TRUE(has(run({"run", "--help"}).out, "--repair-interval"));
    EXPECT_TRUE(has(run({"flows", "--help"}).out, "--placement"));
    EXPECT_TRUE(has(run({"status", "--help"}).out, "--listen"));
    EXPECT_TRUE(has(run({"--help"}).out, "--profiles-dir DIR"));
}

TEST(Cli, UnknownCommandSaysDidYouMeanWhenOneIsClose) {
    const auto close = run({"valdate", config("minimal.yaml")});
    EXPECT_EQ(close.code, kExitUsage);
    EXPECT_TRUE(has(close.err, "snoc: unknown command 'valdate'; did you mean 'validate'?")) << close.err;
    EXPECT_TRUE(has(run({"stauts"}).err, "did you mean 'status'?"));      // transposed
    EXPECT_TRUE(has(run({"plam", "x.yaml"}).err, "did you mean 'plan'?"));  // one letter off
    EXPECT_TRUE(has(run({"profls"}).err, "did you mean 'profiles'?"));      // two off a long name
    EXPECT_TRUE(has(run({"val"}).err, "did you mean 'validate'?"));         // a prefix of one command
    const auto far = run({"frobnicate"});
    EXPECT_EQ(far.code, kExitUsage);
    EXPECT_TRUE(has(far.err, "snoc: unknown command 'frobnicate'; the commands are validate, plan, apply")) << far.err;
    EXPECT_FALSE(has(far.err, "did you mean")) << far.err;
    EXPECT_FALSE(has(run({"xyz"}).err, "did you mean")) << "three letters off a short name";
}

TEST(Cli, UnknownOptionSaysDidYouMeanAndWhereItBelongs) {
    const auto close = run({"apply", "--dryrun", config("minimal.yaml")});
    EXPECT_EQ(close.code, kExitUsage);
    EXPECT_TRUE(has(close.err, "snoc: unknown option '--dryrun' for 'snoc apply'; did you mean '--dry-run'?"))
        << close.err;
    EXPECT_TRUE(has(close.err, "Run 'snoc apply --help'")) << close.err;
    const auto dir = run({"validate", "--profile-dir", "/tmp", config("minimal.yaml")});
    EXPECT_EQ(dir.code, kExitUsage);
    EXPECT_TRUE(has(dir.err, "did you mean '--profiles-dir'?")) << dir.err;
    const auto far = run({"apply", "--frobnicate", config("minimal.yaml")});
    EXPECT_EQ(far.code, kExitUsage);
    EXPECT_TRUE(has(far.err, "unknown option '--frobnicate' for 'snoc apply'")) << far.err;
    EXPECT_FALSE(has(far.err, "did you mean")) << far.err;
    const auto elsewhere = run({"plan", "--dry-run", config("minimal.yaml")});
    EXPECT_EQ(elsewhere.code, kExitUsage);
    EXPECT_TRUE(has(elsewhere.err, "(--dry-run is an option of 'snoc apply', 'snoc down')")) << elsewhere.err;
    // An option's value is not taken for a command or an option.
    EXPECT_TRUE(has(run({"flows", "--placement", "hw", "--lsten", "x:1"}).err, "did you mean '--listen'?"));
}

// A host without the NIC and without Open vSwitch: the dry run prints the
// steps for a fresh NIC and an empty OVS, says so, and succeeds; a real apply
// on the same host still fails.
struct NoNicHost {
    TempDir dir{"no-nic-host"};
    std::vector<std::string> args(const std::string& spec, bool dry_run) const {
        std::vector<std::string> a{"apply", config(spec), "--sysfs-root", (dir.path / "sys").string(), "--ovsdb",
                                   (dir.path / "db.sock").string(), "--ovs-rundir", dir.str(), "--run-dir",
                                   (dir.path / "run").string()};
        if (dry_run) a.push_back("--dry-run");
        return a;
    }
    NoNicHost() { fs::create_directories(dir.path / "sys/class/net"); }
};

TEST(Cli, DryRunWithoutTheNicPrintsTheStepsForAFreshNicAndSucceeds) {
    NoNicHost host;
    const auto r = run(host.args("minimal.yaml", true));
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "note:  NIC uplink (PF enp3s0f0np0, PCI 0000:03:00.0) is not present on this host "
                           "(no netdev enp3s0f0np0): the steps assume a fresh NIC"))
        << r.out;
    // connectx-6dx (mlx5): VFs first, unbound around the mode change, then the port phase.
    EXPECT_TRUE(has(r.out, "  would: 2 VFs exist\n      $ echo 2 > /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "  would: eswitch mode is switchdev\n      $ devlink dev eswitch set pci/0000:03:00.0 mode "
                           "switchdev\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "would: the representor of VF 1 is named uplinkvf1")) << r.out;
    EXPECT_TRUE(has(r.out, "would: uplinkvf1 is up")) << r.out;
    EXPECT_TRUE(has(r.out, "note:  Open vSwitch is not running on this host")) << r.out;
    EXPECT_TRUE(has(r.out, "would: add port uplinkvf0")) << r.out;
    EXPECT_TRUE(has(r.out, "would: 5 flows to add")) << r.out;
    EXPECT_TRUE(has(r.out, "policy rules, as planned: 4 hardware 1 ovs")) << r.out;
    EXPECT_FALSE(has(r.out, "FAILED")) << r.out;
    EXPECT_FALSE(has(r.out, "failed")) << r.out;
    EXPECT_TRUE(has(r.out, " changes would be made, assuming a fresh NIC uplink and an empty Open vSwitch (see the "
                           "notes above)\n"))
        << r.out;

    auto json_args = host.args("minimal.yaml", true);
    json_args.insert(json_args.end(), {"-o", "json"});
    const auto j = run(json_args);
    EXPECT_EQ(j.code, kExitOk) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_TRUE(doc["ok"]);
    EXPECT_TRUE(doc["dry_run"]);
    EXPECT_EQ(doc["assumed"], (nlohmann::json{"a fresh NIC uplink", "an empty Open vSwitch"}));
    EXPECT_EQ(doc["sections"][0]["assumptions"].size(), 1u);
    EXPECT_GE(doc["sections"][0]["changes"].size(), 10u);
    EXPECT_GT(doc["changes"].get<int>(), 20);
}

TEST(Cli, DryRunWithoutTheNicCoversVfSettingsIrqsAndMeters) {
    NoNicHost host;
    const auto r = run(host.args("arm-edge-8.yaml", true));
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "NIC uplink (PF eth0, PCI 0002:02:00.0) is not present on this host")) << r.out;
    // octeon-cn10k changes the mode in any order: mode first, then the VFs.
    EXPECT_TRUE(has(r.out, "  would: eswitch mode is switchdev\n      $ devlink dev eswitch set pci/0002:02:00.0 mode "
                           "switchdev\n  would: 8 VFs exist\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "would: VF 7 has spoof checking on, TX rate at most 100 Mbit/s")) << r.out;
    EXPECT_TRUE(has(r.out, "note:  IRQ affinity: apply pins the MSI IRQs")) << r.out;
    EXPECT_FALSE(has(r.out, "no MSI IRQs")) << r.out;
    EXPECT_TRUE(has(r.out, "would: meter 1 added")) << r.out;
    EXPECT_TRUE(has(r.out, "would: 28 flows to add")) << r.out;
    EXPECT_FALSE(has(r.out, "FAILED")) << r.out;
}

TEST(Cli, DryRunNamesANetdevThatIsAnotherDevice) {
    // The spec's PF name exists here, but on another PCI function: not the spec's NIC.
    NoNicHost host;
    const fs::path sys = host.dir.path / "sys";
    fs::create_directories(sys / "bus/pci");
    fs::create_directories(sys / "devices/pci0000:00/0000:09:00.0");
    fs::create_symlink("../../../bus/pci", sys / "devices/pci0000:00/0000:09:00.0/subsystem");
    fs::create_directories(sys / "class/net/enp3s0f0np0");
    fs::create_symlink("../../../devices/pci0000:00/0000:09:00.0", sys / "class/net/enp3s0f0np0/device");
    const auto r = run(host.args("minimal.yaml", true));
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "is not present on this host (netdev enp3s0f0np0 here is pci/0000:09:00.0, not PCI "
                           "function 0000:03:00.0)"))
        << r.out;
}

TEST(Cli, ApplyWithoutTheNicStillFails) {
    NoNicHost host;
    const auto r = run(host.args("minimal.yaml", false));
    EXPECT_EQ(r.code, kExitApplyFailed) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "FAILED: ")) << r.out;
    EXPECT_FALSE(has(r.out, "not present on this host")) << r.out;
    EXPECT_TRUE(has(r.out, "apply did not finish")) << r.out;
}

// Answers one HTTP request on 127.0.0.1 with `reply`, verbatim.
class OneReplyServer {
public:
    explicit OneReplyServer(std::string reply) {
        fd_ = test::listen_on_loopback(port_);
        timeval tv{10, 0};  // accept() gives up if the client never comes
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        thread_ = std::thread([this, reply = std::move(reply)] {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            std::string request;
            char buf[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                request.append(buf, static_cast<size_t>(n));
            }
            (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
            ::close(c);
        });
    }
    ~OneReplyServer() {
        thread_.join();
        ::close(fd_);
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
    std::thread thread_;
};

TEST(Cli, StatusAndFlowsWithoutADaemonExitFiveSayingWhereTheyLookedAndHowToStartOne) {
    static_assert(kExitNoDaemon == 5, "documented in --help, docs/cli.md, README.md and docs/operations.md");
    const std::string address = "127.0.0.1:" + std::to_string(test::closed_loopback_port());
    for (const std::string cmd : {"status", "flows"}) {
        SCOPED_TRACE(cmd);
        const auto r = run({cmd, "--listen", address});
        EXPECT_EQ(r.code, kExitNoDaemon) << r.err;
        EXPECT_TRUE(r.out.empty());
        EXPECT_TRUE(has(r.err, "snoc: no daemon answers at " + address + " (connection refused); start one with "
                               "`snoc run SPEC` or `systemctl start snoc`\n"))
            << r.err;
        EXPECT_TRUE(has(r.err, "snoc: looked at " + address + ": given by --listen\n")) << r.err;
    }
    // The default address, when neither --listen nor a spec names one.
    const auto d = run({"status"});
    if (d.code == kExitNoDaemon && has(d.err, "no daemon answers")) {
        EXPECT_TRUE(has(d.err, "looked at 127.0.0.1:9469: the default monitoring.listen")) << d.err;
    }
    // Not host:port is a usage error.
    EXPECT_EQ(run({"status", "--listen", "nohost"}).code, kExitUsage);
}

TEST(Cli, StatusFromSomethingThatIsNotSnocSaysSo) {
    {
        OneReplyServer web("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        const auto r = run({"status", "--listen", web.address()});
        EXPECT_EQ(r.code, kExitNoDaemon) << r.err;
        EXPECT_TRUE(has(r.err, "snoc: something answers at " + web.address() + " but it is not a snoc daemon"))
            << r.err;
        EXPECT_TRUE(has(r.err, "404")) << r.err;
    }
    {
        OneReplyServer web("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>hello</html>");
        const auto r = run({"flows", "--listen", web.address()});
        EXPECT_EQ(r.code, kExitNoDaemon) << r.err;
        EXPECT_TRUE(has(r.err, "but it is not a snoc daemon (its /status is not snoc's status document)")) << r.err;
    }
    {
        OneReplyServer starting("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{}");
        const auto r = run({"status", "--listen", starting.address()});
        EXPECT_EQ(r.code, kExitNoDaemon) << r.err;
        EXPECT_TRUE(has(r.err, "has no status yet (it is starting)")) << r.err;
    }
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

// Bytes a spec holds come back in messages: not UTF-8, they are U+FFFD in
// JSON (which stays parseable, exit 1, not an internal error); control
// characters (an ESC sequence) reach a terminal as \xNN, never raw.
TEST(Cli, OddBytesInASpecNeitherBreakJsonNorReachTheTerminalRaw) {
    TempDir dir("odd-bytes");
    const auto path = dir.path / "odd.yaml";
    write(path, "nics: [{name: n, pf: eth1, profile: \"s\xff\x1b[31mred\", num_vfs: 1}]\n");
    const auto j = run({"validate", path.string(), "-o", "json"});
    EXPECT_EQ(j.code, kExitInvalidInput) << j.err;
    const auto doc = nlohmann::json::parse(j.out);  // throws (fails the test) if not valid JSON
    ASSERT_FALSE(doc["diagnostics"].empty());
    const std::string msg = doc["diagnostics"][0]["message"];
    EXPECT_NE(msg.find("\xef\xbf\xbd"), std::string::npos) << msg;  // U+FFFD for the 0xff
    const auto t = run({"validate", path.string()});
    EXPECT_EQ(t.code, kExitInvalidInput);
    EXPECT_EQ(t.err.find('\x1b'), std::string::npos) << t.err;
    EXPECT_NE(t.err.find("\\x1b[31mred"), std::string::npos) << t.err;
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
