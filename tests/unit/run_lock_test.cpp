// The run lock: one holder at a time, the second told who holds it; a
// waiter gets it once the holder lets go; a holder killed without letting
// go never leaves it stuck; the file is 0600 whatever the umask and is
// never reached through a symlink. And the CLI: a second apply exits 6.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "controller/cli.h"
#include "sys/run_lock.h"
#include "test_support.h"

namespace snoc {
namespace {

using namespace std::chrono_literals;
using sys::RunLock;
using test::TempDir;

TEST(RunLock, TheSecondHolderIsToldWhoHoldsIt) {
    TempDir dir("lock-second");
    std::unique_ptr<RunLock> first, second;
    ASSERT_TRUE(RunLock::acquire(dir.str() + "/run", "snoc apply", 0ms, first).ok());
    const auto st = RunLock::acquire(dir.str() + "/run", "snoc run", 0ms, second);
    EXPECT_EQ(st.error, EWOULDBLOCK);
    EXPECT_NE(st.reason.find("pid " + std::to_string(::getpid()) + " (snoc apply) holds " + dir.str() + "/run/lock"),
              std::string::npos)
        << st.reason;
    EXPECT_FALSE(second);
    first.reset();
    EXPECT_TRUE(RunLock::acquire(dir.str() + "/run", "snoc run", 0ms, second).ok());
}

TEST(RunLock, AWaiterGetsItWhenTheHolderLetsGo) {
    TempDir dir("lock-wait");
    std::unique_ptr<RunLock> first, second;
    ASSERT_TRUE(RunLock::acquire(dir.str(), "snoc apply", 0ms, first).ok());
    std::thread release([&] {
        std::this_thread::sleep_for(200ms);
        first.reset();
    });
    const auto st = RunLock::acquire(dir.str(), "snoc down", 10s, second);
    release.join();
    EXPECT_TRUE(st.ok()) << st.reason;
}

TEST(RunLock, AKilledHolderLeavesNoStaleLock) {
    TempDir dir("lock-killed");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::unique_ptr<RunLock> held;
        if (!RunLock::acquire(dir.str(), "snoc apply", 0ms, held).ok()) ::_exit(1);
        ::raise(SIGKILL);  // no destructor runs
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child could not take the lock";
    std::unique_ptr<RunLock> lock;
    EXPECT_TRUE(RunLock::acquire(dir.str(), "snoc apply", 0ms, lock).ok());
}

TEST(RunLock, TheFileIs0600AndNeverReachedThroughASymlink) {
    TempDir dir("lock-mode");
    const mode_t old = ::umask(0);
    std::unique_ptr<RunLock> lock;
    const auto st = RunLock::acquire(dir.str() + "/run", "snoc apply", 0ms, lock);
    ::umask(old);
    ASSERT_TRUE(st.ok()) << st.reason;
    struct stat s{};
    ASSERT_EQ(::stat((dir.path / "run/lock").c_str(), &s), 0);
    EXPECT_EQ(s.st_mode & 07777, 0600u);
    lock.reset();
    TempDir other("lock-target");
    std::filesystem::create_directories(dir.path / "linked");
    std::filesystem::create_symlink(other.path / "lock", dir.path / "linked/lock");
    EXPECT_EQ(RunLock::acquire((dir.path / "linked").string(), "snoc apply", 0ms, lock).error, ELOOP);
    EXPECT_FALSE(std::filesystem::exists(other.path / "lock"));
}

TEST(RunLock, ASecondApplyExits6NamingTheHolder) {
    TempDir dir("lock-cli");
    std::unique_ptr<RunLock> held;
    ASSERT_TRUE(RunLock::acquire(dir.str(), "snoc run", 0ms, held).ok());
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({"apply", (test::source_dir() / "configs/minimal.yaml").string(), "--run-dir", dir.str(),
                       "--lock-wait", "0"},
                      out, err),
              kExitBusy);
    EXPECT_NE(err.str().find("(snoc run) holds " + dir.str() + "/lock"), std::string::npos) << err.str();
    EXPECT_TRUE(out.str().empty()) << "nothing was done: " << out.str();
}

}  // namespace
}  // namespace snoc
