#include "daemon/spool/spool_writer.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <sys/statvfs.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "common/assert.hpp"
#include "daemon/spool/file_io.hpp"
#include "daemon/spool/queue_id.hpp"
#include "daemon/spool/record_format.hpp"

namespace sluice::daemon::spool {

// Making a batch durable. Measured on the dev machine (ext4 on virtio, 2 cores, one fsync
// ~0.45 ms), create + write 2 KiB + sync + rename + directory fsync per batch, medians of 15:
//   files   syncfs(queue dir)   fdatasync each   fdatasync on 2 threads
//       1   0.40-0.58 ms        0.41-0.86 ms     0.56-0.82 ms
//      20   1.95-2.38 ms        4.45-7.51 ms     4.28-8.03 ms
//     100   9.06-10.83 ms       28.96-32.12 ms   21.19-24.73 ms
// With the machine loaded (load average 10, other builds writing), medians of 15:
//       1   7.7 ms              7.8 ms           4.0 ms
//      20   8.0 ms              87.9 ms          52.8 ms
//     100   26.4 ms             451 ms           154 ms
// syncfs wins from 2 files on: one journal commit and one cache flush cover every file, where
// each fdatasync pays its own. It is correct: syncfs writes back every dirty inode's data and
// metadata of the filesystem and waits for it, and since Linux 5.8 it reports writeback errors
// raised on the filesystem since the fd was opened (or last synced), so an EIO on any file of
// the batch fails the whole batch. Its cost is that other processes' dirty data on the same
// filesystem is flushed too (give the spool its own filesystem for steady latency). A batch of
// one file uses fdatasync: equal cost, and immune to others' dirty data.
struct SpoolWriter::Staged {
    enum class Step { failed, written, renamed };
    std::string queue_id;
    Completion done;
    int fd = -1;
    Step step = Step::failed;
    std::error_code ec;
    std::uint64_t plain_bytes = 0;  // for SpoolUsage
    std::uint64_t file_bytes = 0;
};

namespace {
std::string temp_name(const std::string& queue_id) {
    return queue_id + std::string(kTempSuffix);
}
}  // namespace

SpoolWriter::SpoolWriter(std::filesystem::path directory, int compression_level,
                         log::Logger& logger)
    : layout_(std::move(directory)), logger_(logger), encoder_(compression_level) {
    if (auto ec = create_spool_layout(layout_)) {
        throw std::system_error(ec, "cannot create spool " + layout_.root().string());
    }
    queue_fd_ = ::open(layout_.queue_dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (queue_fd_ < 0) {
        throw std::system_error(errno, std::system_category(),
                                "cannot open " + layout_.queue_dir().string());
    }
    committer_ = std::thread([this] { run(); });
}

SpoolWriter::~SpoolWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    committer_.join();
    ::close(queue_fd_);
}

void SpoolWriter::submit(SpooledMessage message, Completion done) {
    SLUICE_ASSERT(done != nullptr, "submit needs a completion");
    enqueue(Job{std::move(message), {}, std::move(done)});
}

void SpoolWriter::remove(std::string queue_id, Completion done) {
    SLUICE_ASSERT(done != nullptr, "remove needs a completion");
    SLUICE_ASSERT(is_valid_queue_id(queue_id), "remove needs a queue ID");
    enqueue(Job{{}, std::move(queue_id), std::move(done)});
}

void SpoolWriter::enqueue(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            pending_.push_back(std::move(job));
            job.done = nullptr;
        }
    }
    if (job.done) {
        job.done(errc::shutting_down);
        return;
    }
    wake_.notify_one();
}

std::error_code SpoolWriter::free_space(std::uint64_t& bytes) const {
    struct statvfs info {};
    if (::fstatvfs(queue_fd_, &info) != 0) return {errno, std::system_category()};
    bytes = std::uint64_t{info.f_bavail} * info.f_frsize;
    return {};
}

void SpoolWriter::run() {
    std::deque<Job> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
            if (pending_.empty()) return;  // stopping, and everything submitted is done
            batch.swap(pending_);
        }
        commit(batch);
        batch.clear();
    }
}

void SpoolWriter::commit(std::deque<Job>& jobs) {
    std::vector<Staged> batch;
    std::vector<Removal> removals;
    batch.reserve(jobs.size());
    for (Job& job : jobs) {
        if (!job.remove_id.empty()) {
            removals.push_back({std::move(job.remove_id), std::move(job.done), {}});
            continue;
        }
        stage(job, batch.emplace_back());
        job.message = SpooledMessage{};  // the bytes are on disk: free the content now
    }
    sync_batch(batch);
    const bool renamed = rename_batch(batch);
    const bool removed = remove_batch(removals);
    // One directory fsync makes every rename and unlink of the batch durable.
    if ((renamed || removed) && ::fsync(queue_fd_) != 0) {
        const int e = errno;
        for (Staged& staged : batch) {
            if (staged.step == Staged::Step::renamed) {
                fail(staged, errc_from_errno(e, errc::sync_failed), "directory fsync", e);
            }
        }
        for (Removal& removal : removals) {
            if (!removal.ec) removal.ec = errc_from_errno(e, errc::sync_failed);
        }
        (void)::fsync(queue_fd_);  // best effort to make the removals of failed files durable
    }
    for (Staged& staged : batch) staged.done(staged.ec);
    for (Removal& removal : removals) removal.done(removal.ec);
}

bool SpoolWriter::remove_batch(std::vector<Removal>& removals) {
    bool removed = false;
    for (Removal& removal : removals) {
        account_removal(removal.queue_id);
        if (::unlinkat(queue_fd_, removal.queue_id.c_str(), 0) == 0) {
            removed = true;
        } else if (errno != ENOENT) {
            const int e = errno;
            logger_.error("spool: {}: cannot remove: {}", removal.queue_id, std::strerror(e));
            removal.ec = std::error_code(e, std::system_category());
        }
    }
    return removed;
}

// Reads the sizes SpoolUsage counted back from the file's preamble and zstd frame header (38
// bytes), so no per-message table is kept in memory.
void SpoolWriter::account_removal(const std::string& queue_id) {
    const int fd = ::openat(queue_fd_, queue_id.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    constexpr std::size_t kZstdFrameHeaderMax = 18;  // ZSTD_FRAMEHEADERSIZE_MAX
    char head[kPreambleSize + kZstdFrameHeaderMax];
    const ssize_t got = ::pread(fd, head, sizeof head, 0);
    ::close(fd);
    Preamble preamble;
    if (got < static_cast<ssize_t>(kPreambleSize) ||
        parse_preamble(std::string_view(head, static_cast<std::size_t>(got)), preamble)) {
        return;
    }
    const auto plain = ZSTD_getFrameContentSize(head + kPreambleSize,
                                                static_cast<std::size_t>(got) - kPreambleSize);
    const bool known = plain != ZSTD_CONTENTSIZE_UNKNOWN && plain != ZSTD_CONTENTSIZE_ERROR;
    usage_.removed(known ? plain : 0, kPreambleSize + preamble.frame_size);
}

void SpoolWriter::stage(Job& job, Staged& staged) {
    staged.queue_id = job.message.envelope.queue_id;
    staged.done = std::move(job.done);
    if (auto ec = encoder_.encode(job.message, buffer_)) {
        logger_.error("spool: {}: cannot encode message: {}", staged.queue_id, ec.message());
        staged.ec = errc::invalid_message;
        return;
    }
    staged.plain_bytes = encoder_.plain_size();
    staged.file_bytes = buffer_.size();
    staged.fd = ::openat(queue_fd_, temp_name(staged.queue_id).c_str(),
                         O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (staged.fd < 0) {
        int e = errno;
        // EEXIST: someone else's file; fail() removes only files this batch created.
        fail(staged, errc_from_errno(e, errc::create_failed), "create", e);
        return;
    }
    staged.step = Staged::Step::written;
    if (auto ec = write_fully(staged.fd, buffer_)) {
        fail(staged, errc_from_errno(ec.value(), errc::write_failed), "write", ec.value());
    }
}

void SpoolWriter::sync_batch(std::vector<Staged>& batch) {
    Staged* only = nullptr;
    std::size_t written = 0;
    for (Staged& staged : batch) {
        if (staged.step == Staged::Step::written) {
            only = &staged;
            ++written;
        }
    }
    if (written == 0) return;
    int result = written == 1 ? ::fdatasync(only->fd) : ::syncfs(queue_fd_);
    int e = result == 0 ? 0 : errno;
    for (Staged& staged : batch) {
        if (staged.fd >= 0) ::close(staged.fd);  // after a successful sync close cannot lose data
        staged.fd = -1;
        if (e != 0 && staged.step == Staged::Step::written) {
            fail(staged, errc_from_errno(e, errc::sync_failed), "sync", e);
        }
    }
}

bool SpoolWriter::rename_batch(std::vector<Staged>& batch) {
    bool renamed = false;
    for (Staged& staged : batch) {
        if (staged.step != Staged::Step::written) continue;
        // RENAME_NOREPLACE: a queue ID collision must fail, never replace an accepted message.
        if (::renameat2(queue_fd_, temp_name(staged.queue_id).c_str(), queue_fd_,
                        staged.queue_id.c_str(), RENAME_NOREPLACE) != 0) {
            int e = errno;
            fail(staged, errc_from_errno(e, errc::rename_failed), "rename", e);
            continue;
        }
        staged.step = Staged::Step::renamed;
        usage_.added(staged.plain_bytes, staged.file_bytes);
        renamed = true;
    }
    return renamed;
}

void SpoolWriter::fail(Staged& staged, errc why, const char* step, int error_number) {
    logger_.error("spool: {}: {} failed: {}", staged.queue_id, step, std::strerror(error_number));
    if (staged.fd >= 0) ::close(staged.fd);
    staged.fd = -1;
    if (staged.step == Staged::Step::written) {
        ::unlinkat(queue_fd_, temp_name(staged.queue_id).c_str(), 0);
    } else if (staged.step == Staged::Step::renamed) {
        ::unlinkat(queue_fd_, staged.queue_id.c_str(), 0);
    }
    staged.step = Staged::Step::failed;
    staged.ec = why;
}

}  // namespace sluice::daemon::spool
