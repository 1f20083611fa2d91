#include "daemon/spool/spool_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "daemon/spool/errc.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "sample_messages.hpp"
#include "temp_dir.hpp"

namespace sluice::daemon::spool {
namespace {

using testing::describe;
using testing::expected_progress;
using testing::sample_message;
using testing::TempDir;

// Collects completion results from the committer thread.
class Completions {
  public:
    SpoolWriter::Completion add(std::string queue_id) {
        return [this, id = std::move(queue_id)](std::error_code ec) {
            std::lock_guard lock(mutex_);
            results_.emplace_back(id, ec);
            changed_.notify_all();
        };
    }
    std::vector<std::pair<std::string, std::error_code>> wait_for(std::size_t count) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(30), [&] { return results_.size() >= count; });
        return results_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::pair<std::string, std::error_code>> results_;
};

std::string id_for(int n) {
    std::string id = fmt::format("{:016}", n);  // digits are valid base32hex
    return id;
}

std::vector<std::string> files_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string incompressible(std::size_t size) {
    std::string bytes(size, '\0');
    std::uint64_t x = 88172645463325252ull;
    for (char& c : bytes) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        c = static_cast<char>(x);
    }
    return bytes;
}

class SpoolWriterTest : public ::testing::Test {
  protected:
    log::Logger logger_{log::Logger::Destination::terminal, log::Severity::debug};
    TempDir dir_;
    std::filesystem::path root_ = dir_.path() / "spool";
};

TEST_F(SpoolWriterTest, CommitsEverythingSubmittedFromManyThreads) {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 150;
    Completions completions;
    {
        SpoolWriter writer(root_, 3, logger_);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    std::string id = id_for(t * kPerThread + i);
                    writer.submit(sample_message(id, 1 + i % 3, fmt::format("body {}\r\n", id)),
                                  completions.add(id));
                }
            });
        }
        for (std::thread& thread : threads) thread.join();
        auto results = completions.wait_for(kThreads * kPerThread);
        ASSERT_EQ(results.size(), std::size_t{kThreads * kPerThread});
        for (const auto& [id, ec] : results) EXPECT_FALSE(ec) << id << ": " << ec.message();
    }
    std::vector<std::string> names = files_in(root_ / "queue");
    ASSERT_EQ(names.size(), std::size_t{kThreads * kPerThread}) << "want no .tmp and no loss";
    for (int n = 0; n < kThreads * kPerThread; ++n) {
        std::string id = id_for(n);
        SpooledMessage got;
        std::error_code ec = read_spool_file(root_ / "queue" / id, got);
        ASSERT_FALSE(ec) << id << ": " << ec.message();
        SpooledMessage want =
            sample_message(id, 1 + n % kPerThread % 3, fmt::format("body {}\r\n", id));
        want.progress = expected_progress(want);
        EXPECT_EQ(describe(got), describe(want));
    }
}

TEST_F(SpoolWriterTest, DestructorFinishesWhatWasSubmitted) {
    Completions completions;
    {
        SpoolWriter writer(root_, 1, logger_);
        for (int i = 0; i < 50; ++i)
            writer.submit(sample_message(id_for(i)), completions.add(id_for(i)));
    }
    auto results = completions.wait_for(50);
    ASSERT_EQ(results.size(), 50u);
    for (const auto& [id, ec] : results) EXPECT_FALSE(ec) << id << ": " << ec.message();
    EXPECT_EQ(files_in(root_ / "queue").size(), 50u);
}

TEST_F(SpoolWriterTest, RemovesFinishedMessagesInTheSameBatchAsCommits) {
    Completions committed;
    Completions removed;
    {
        SpoolWriter writer(root_, 1, logger_);
        for (int i = 0; i < 10; ++i)
            writer.submit(sample_message(id_for(i)), committed.add(id_for(i)));
        ASSERT_EQ(committed.wait_for(10).size(), 10u);
        // Removals mixed with new commits; a file that is already gone counts as removed.
        for (int i = 0; i < 5; ++i) writer.remove(id_for(i), removed.add(id_for(i)));
        writer.remove(id_for(99), removed.add(id_for(99)));
        for (int i = 10; i < 12; ++i)
            writer.submit(sample_message(id_for(i)), committed.add(id_for(i)));
        for (const auto& [id, ec] : removed.wait_for(6)) {
            EXPECT_FALSE(ec) << id << ": got " << ec.message() << ", want success";
        }
        ASSERT_EQ(committed.wait_for(12).size(), 12u);
    }
    std::vector<std::string> want;
    for (int i = 5; i < 12; ++i) want.push_back(id_for(i));
    EXPECT_EQ(files_in(root_ / "queue"), want);
}

TEST_F(SpoolWriterTest, NeverOverwritesAnExistingMessage) {
    std::filesystem::create_directories(root_ / "queue");
    std::ofstream(root_ / "queue" / id_for(1)) << "accepted earlier";
    Completions completions;
    {
        SpoolWriter writer(root_, 3, logger_);
        writer.submit(sample_message(id_for(1)), completions.add(id_for(1)));
        auto results = completions.wait_for(1);
        ASSERT_EQ(results.size(), 1u);
        EXPECT_EQ(results[0].second, errc::duplicate_queue_id)
            << "got " << results[0].second.message();
    }
    EXPECT_EQ(files_in(root_ / "queue"), std::vector<std::string>{id_for(1)});
    std::ifstream in(root_ / "queue" / id_for(1));
    std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, "accepted earlier");
}

TEST_F(SpoolWriterTest, RefusesAMessageThatCannotBeEncoded) {
    Completions completions;
    SpoolWriter writer(root_, 3, logger_);
    writer.submit(sample_message(id_for(1), 0), completions.add(id_for(1)));
    auto results = completions.wait_for(1);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].second, errc::invalid_message) << "got " << results[0].second.message();
    EXPECT_TRUE(files_in(root_ / "queue").empty());
}

TEST_F(SpoolWriterTest, CreateFailureReportsAnErrorAndLeavesNoFile) {
    Completions completions;
    SpoolWriter writer(root_, 3, logger_);
    // An immutable directory refuses new entries even to root.
    int fd = ::open((root_ / "queue").c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    int flags = 0;
    ASSERT_EQ(::ioctl(fd, FS_IOC_GETFLAGS, &flags), 0);
    int immutable = flags | FS_IMMUTABLE_FL;
    if (::ioctl(fd, FS_IOC_SETFLAGS, &immutable) != 0) {
        ::close(fd);
        GTEST_SKIP() << "cannot make a directory immutable here";
    }
    writer.submit(sample_message(id_for(1)), completions.add(id_for(1)));
    auto results = completions.wait_for(1);
    ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
    ::close(fd);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].second, errc::create_failed) << "got " << results[0].second.message();
    EXPECT_TRUE(files_in(root_ / "queue").empty());
}

TEST_F(SpoolWriterTest, DiskFullReportsDiskFullAndLeavesNoFile) {
    std::filesystem::create_directories(root_);
    if (::mount("tmpfs", root_.c_str(), "tmpfs", 0, "size=64k,mode=0700") != 0) {
        GTEST_SKIP() << "cannot mount a tmpfs here";
    }
    struct Unmount {
        std::filesystem::path path;
        ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } unmount{root_};
    Completions completions;
    SpoolWriter writer(root_, 1, logger_);
    std::uint64_t free_bytes = 0;
    ASSERT_FALSE(writer.free_space(free_bytes));
    EXPECT_GT(free_bytes, 0u);
    EXPECT_LE(free_bytes, 64u * 1024);
    writer.submit(sample_message(id_for(1), 1, incompressible(256 * 1024)),
                  completions.add(id_for(1)));
    auto results = completions.wait_for(1);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].second, errc::disk_full) << "got " << results[0].second.message();
    EXPECT_TRUE(files_in(root_ / "queue").empty());
    // The space is given back: a small message fits again.
    writer.submit(sample_message(id_for(2)), completions.add(id_for(2)));
    results = completions.wait_for(2);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_FALSE(results[1].second) << results[1].second.message();
    EXPECT_EQ(files_in(root_ / "queue"), std::vector<std::string>{id_for(2)});
}

}  // namespace
}  // namespace sluice::daemon::spool
