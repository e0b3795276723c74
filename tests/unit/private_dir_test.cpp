// make_private_dir: what it makes is mode 0700 whatever the umask; it
// never follows a symlink on the way; it refuses directories another user
// could change (writable by others without the sticky bit, owned by
// another user) and names the component; a second call changes nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "sys/private_dir.h"
#include "test_support.h"

namespace snoc {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

mode_t mode_of(const fs::path& p) {
    struct stat st{};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

// Runs `f` with the umask set to `mask`, restoring it after.
template <typename F>
void with_umask(mode_t mask, F f) {
    const mode_t old = ::umask(mask);
    f();
    ::umask(old);
}

TEST(PrivateDir, WhatItMakesIsMode0700WhateverTheUmask) {
    TempDir dir("private-umask");
    ::chmod(dir.path.c_str(), 0700);
    with_umask(0, [&] { EXPECT_TRUE(sys::make_private_dir((dir.path / "a/b/c").string()).ok()); });
    for (const char* p : {"a", "a/b", "a/b/c"}) EXPECT_EQ(mode_of(dir.path / p), 0700u) << p;
    with_umask(077, [&] { EXPECT_TRUE(sys::make_private_dir((dir.path / "a/b/d").string()).ok()); });
    EXPECT_EQ(mode_of(dir.path / "a/b/d"), 0700u);
    EXPECT_TRUE(sys::make_private_dir((dir.path / "a/b/c").string()).ok());  // again: nothing to do
}

TEST(PrivateDir, NeverFollowsASymlinkOnTheWay) {
    TempDir dir("private-symlink");
    ::chmod(dir.path.c_str(), 0700);
    TempDir elsewhere("private-symlink-target");
    fs::create_directory_symlink(elsewhere.path, dir.path / "snoc");
    const auto st = sys::make_private_dir((dir.path / "snoc/esw/nic0").string());
    EXPECT_EQ(st.error, ELOOP);
    EXPECT_EQ(st.reason, (dir.path / "snoc").string() + " is a symbolic link; refusing to follow it (remove it)");
    EXPECT_FALSE(fs::exists(elsewhere.path / "esw"));  // nothing made at the link's target
}

TEST(PrivateDir, RefusesADirectoryOthersCanWriteUnlessSticky) {
    TempDir dir("private-writable");
    ::chmod(dir.path.c_str(), 0700);
    fs::create_directory(dir.path / "open");
    ::chmod((dir.path / "open").c_str(), 0777);
    const auto st = sys::make_private_dir((dir.path / "open/x").string());
    EXPECT_EQ(st.error, EPERM);
    EXPECT_NE(st.reason.find((dir.path / "open").string() + " is writable by others (mode 0777)"), std::string::npos)
        << st.reason;
    EXPECT_FALSE(fs::exists(dir.path / "open/x"));
    ::chmod((dir.path / "open").c_str(), 0775);  // group-writable: the same
    EXPECT_EQ(sys::make_private_dir((dir.path / "open/x").string()).error, EPERM);
    ::chmod((dir.path / "open").c_str(), 01777);  // as /tmp: others cannot replace our entries
    EXPECT_TRUE(sys::make_private_dir((dir.path / "open/x").string()).ok());
    EXPECT_EQ(mode_of(dir.path / "open/x"), 0700u);
}

TEST(PrivateDir, RefusesADirectoryOfAnotherUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory away";
    TempDir dir("private-owner");
    ::chmod(dir.path.c_str(), 0700);
    fs::create_directory(dir.path / "theirs");
    ASSERT_EQ(::chown((dir.path / "theirs").c_str(), 12345, 12345), 0);
    const auto st = sys::make_private_dir((dir.path / "theirs/x").string());
    EXPECT_EQ(st.error, EPERM);
    EXPECT_NE(st.reason.find("is owned by uid 12345"), std::string::npos) << st.reason;
}

TEST(PrivateDir, RefusesRelativePathsAndDotDot) {
    EXPECT_EQ(sys::make_private_dir("run/snoc").error, EINVAL);
    EXPECT_EQ(sys::make_private_dir("").error, EINVAL);
    EXPECT_EQ(sys::make_private_dir("/tmp/../etc").error, EINVAL);
}

}  // namespace
}  // namespace snoc
