#include "daemon/spool/spool_layout.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.hpp"

namespace sluice::daemon::spool {
namespace {

using testing::TempDir;

TEST(SpoolLayout, CreatesPrivateDirectoriesAndRefusesAFileInTheWay) {
    TempDir dir;
    SpoolLayout layout(dir.path() / "a" / "b" / "spool");
    ASSERT_FALSE(create_spool_layout(layout));
    ASSERT_FALSE(create_spool_layout(layout)) << "want idempotent";
    for (const auto& path : {layout.root(), layout.queue_dir(), layout.corrupt_dir()}) {
        struct stat info {};
        ASSERT_EQ(::stat(path.c_str(), &info), 0) << path;
        EXPECT_EQ(info.st_mode & 0777, 0700u) << path;
    }
    std::ofstream(dir.path() / "file") << "x";
    EXPECT_EQ(create_spool_layout(SpoolLayout(dir.path() / "file")), std::errc::not_a_directory);
}

TEST(SpoolLayout, MessagePathsStayInTheQueueDirectory) {
    SpoolLayout layout("/var/spool/sluice");
    EXPECT_EQ(layout.message_path("0123456789ABCDEF"), "/var/spool/sluice/queue/0123456789ABCDEF");
    EXPECT_EQ(layout.corrupt_dir(), "/var/spool/sluice/corrupt");
}

}  // namespace
}  // namespace sluice::daemon::spool
