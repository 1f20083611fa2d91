// replace_file_durably: the new content replaces the old whole, the temporary file never stays,
// and a failed replace leaves the old file as it was.
#include "daemon/spool/file_io.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/unit/daemon/spool/temp_dir.hpp"

namespace sluice::daemon::spool {
namespace {

std::string contents(const std::filesystem::path& path) {
    std::string text;
    EXPECT_FALSE(read_whole_file(AT_FDCWD, path.c_str(), text)) << path;
    return text;
}

TEST(ReplaceFileDurably, CreatesThenReplacesWithMode0600) {
    testing::TempDir dir;
    const auto path = dir.path() / "holds";
    const auto temp = dir.path() / "holds.tmp";
    ASSERT_FALSE(replace_file_durably(path, temp, "first\n"));
    EXPECT_EQ(contents(path), "first\n");
    ASSERT_FALSE(replace_file_durably(path, temp, "second, longer than the first\n"));
    EXPECT_EQ(contents(path), "second, longer than the first\n");
    ASSERT_FALSE(replace_file_durably(path, temp, ""));
    EXPECT_EQ(contents(path), "");
    EXPECT_FALSE(std::filesystem::exists(temp));
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(ReplaceFileDurably, AFailedReplaceLeavesTheOldFile) {
    testing::TempDir dir;
    const auto path = dir.path() / "policy";
    ASSERT_FALSE(replace_file_durably(path, dir.path() / ".tmp", "old\n"));
    // The rename fails: a directory stands where the file should go.
    const auto blocked = dir.path() / "blocked";
    std::filesystem::create_directory(blocked);
    std::filesystem::create_directory(blocked / "child");
    EXPECT_TRUE(replace_file_durably(blocked, dir.path() / ".tmp2", "new\n"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".tmp2"));
    // The temporary file cannot be made: nothing changes.
    EXPECT_TRUE(replace_file_durably(path, dir.path() / "missing" / ".tmp", "new\n"));
    EXPECT_EQ(contents(path), "old\n");
}

}  // namespace
}  // namespace sluice::daemon::spool
