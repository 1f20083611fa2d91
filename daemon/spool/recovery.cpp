#include "daemon/spool/recovery.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <thread>

#include "daemon/spool/file_io.hpp"
#include "daemon/spool/spool_decoder.hpp"
#include "daemon/spool/spool_layout.hpp"

namespace sluice::daemon::spool {

namespace {
constexpr unsigned kMaxThreads = 4;

std::error_code last_error() {
    return {errno, std::system_category()};
}

struct DirectoryEntry {
    std::string name;
    unsigned char type = DT_UNKNOWN;
};

std::error_code list_directory(int dir_fd, std::vector<DirectoryEntry>& out) {
    int fd = ::dup(dir_fd);
    if (fd < 0) return last_error();
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        std::error_code ec = last_error();
        ::close(fd);
        return ec;
    }
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
        std::string_view name = entry->d_name;
        if (name != "." && name != "..") out.push_back({std::string(name), entry->d_type});
        errno = 0;
    }
    std::error_code ec = errno != 0 ? last_error() : std::error_code{};
    ::closedir(dir);
    return ec;
}

// One thread's share of the queue directory: every `stride`-th entry from `first`.
class RecoveryWorker {
  public:
    RecoveryWorker(int queue_fd, int corrupt_fd, log::Logger& logger)
        : queue_fd_(queue_fd), corrupt_fd_(corrupt_fd), logger_(logger) {}

    void run(const std::vector<DirectoryEntry>& entries, std::size_t first, std::size_t stride) {
        for (std::size_t i = first; i < entries.size(); i += stride) process(entries[i]);
    }

    std::vector<SpoolIndexEntry> messages;
    SpoolTotals totals;

  private:
    void process(const DirectoryEntry& entry) {
        const std::string& name = entry.name;
        if (entry.type == DT_DIR) {
            logger_.warning("spool recovery: skipping directory queue/{}", name);
        } else if (name.ends_with(kTempSuffix)) {
            // A batch that never completed: its sessions got no 250.
            if (::unlinkat(queue_fd_, name.c_str(), 0) == 0) ++totals.temp_removed;
        } else if (!is_valid_queue_id(name)) {
            move_to_corrupt(name, "unexpected file name");
        } else {
            index(name);
        }
    }

    void index(const std::string& name) {
        if (auto ec = read_whole_file(queue_fd_, name.c_str(), bytes_)) {
            if (ec != std::errc::no_such_file_or_directory) move_to_corrupt(name, ec.message());
            return;
        }
        SpoolSummary summary;
        if (auto ec = decoder_.summarize(bytes_, summary)) {
            move_to_corrupt(name, ec.message());
            return;
        }
        if (summary.queue_id != name) {
            move_to_corrupt(name, "queue ID record does not match the file name");
            return;
        }
        SpoolIndexEntry entry;
        std::copy(name.begin(), name.end(), entry.queue_id.begin());
        entry.arrival_unix_us = summary.arrival_unix_us;
        entry.content_size = static_cast<std::uint32_t>(summary.content_size);
        entry.file_size = static_cast<std::uint32_t>(bytes_.size());
        entry.recipients_total = summary.recipients_total;
        entry.recipients_pending = summary.recipients_pending;
        messages.push_back(entry);
        ++totals.messages;
        totals.recipients_total += entry.recipients_total;
        totals.recipients_pending += entry.recipients_pending;
        totals.content_bytes += entry.content_size;
        totals.file_bytes += entry.file_size;
    }

    void move_to_corrupt(const std::string& name, const std::string& reason) {
        std::string target = name;
        for (int n = 1; n < 100; ++n) {
            if (::renameat2(queue_fd_, name.c_str(), corrupt_fd_, target.c_str(),
                            RENAME_NOREPLACE) == 0) {
                logger_.error("spool recovery: moved queue/{} to corrupt/{}: {}", name, target,
                              reason);
                ++totals.corrupt_moved;
                return;
            }
            if (errno != EEXIST) break;
            target = name + "." + std::to_string(n);
        }
        logger_.error("spool recovery: cannot move queue/{} to corrupt/ ({}): {}; left in place",
                      name, std::strerror(errno), reason);
    }

    int queue_fd_;
    int corrupt_fd_;
    log::Logger& logger_;
    SpoolDecoder decoder_;
    std::string bytes_;
};

void merge(RecoveryWorker& worker, RecoveryResult& out) {
    out.messages.insert(out.messages.end(), worker.messages.begin(), worker.messages.end());
    SpoolTotals& t = out.totals;
    t.messages += worker.totals.messages;
    t.recipients_total += worker.totals.recipients_total;
    t.recipients_pending += worker.totals.recipients_pending;
    t.content_bytes += worker.totals.content_bytes;
    t.file_bytes += worker.totals.file_bytes;
    t.temp_removed += worker.totals.temp_removed;
    t.corrupt_moved += worker.totals.corrupt_moved;
}

std::error_code scan_queue(int queue_fd, int corrupt_fd, log::Logger& logger, unsigned threads,
                           RecoveryResult& out) {
    std::vector<DirectoryEntry> entries;
    if (auto ec = list_directory(queue_fd, entries)) return ec;
    if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, entries.size() / 64 + 1));
    std::deque<RecoveryWorker> workers;  // not movable (owns a decoder)
    for (unsigned i = 0; i < threads; ++i) workers.emplace_back(queue_fd, corrupt_fd, logger);
    std::vector<std::thread> helpers;
    for (unsigned i = 1; i < threads; ++i) {
        helpers.emplace_back([&, i] { workers[i].run(entries, i, threads); });
    }
    workers[0].run(entries, 0, threads);
    for (std::thread& helper : helpers) helper.join();
    out.messages.reserve(entries.size());
    for (RecoveryWorker& worker : workers) merge(worker, out);
    std::sort(
        out.messages.begin(), out.messages.end(),
        [](const SpoolIndexEntry& a, const SpoolIndexEntry& b) { return a.queue_id < b.queue_id; });
    return {};
}
}  // namespace

std::error_code recover_spool(const std::filesystem::path& root, log::Logger& logger,
                              RecoveryResult& out, unsigned threads) {
    out = RecoveryResult{};
    SpoolLayout layout(root);
    if (auto ec = create_spool_layout(layout)) return ec;
    int queue_fd = ::open(layout.queue_dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (queue_fd < 0) return last_error();
    int corrupt_fd = ::open(layout.corrupt_dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (corrupt_fd < 0) {
        std::error_code ec = last_error();
        ::close(queue_fd);
        return ec;
    }
    std::error_code ec = scan_queue(queue_fd, corrupt_fd, logger, threads, out);
    const SpoolTotals& t = out.totals;
    // Make the removals and moves durable before anything new is written.
    if (!ec && (t.temp_removed != 0 || t.corrupt_moved != 0)) {
        if (::fsync(corrupt_fd) != 0 || ::fsync(queue_fd) != 0) ec = last_error();
    }
    ::close(corrupt_fd);
    ::close(queue_fd);
    if (ec) return ec;
    logger.notice(
        "spool recovery: {} messages, {} of {} recipients pending, {} content bytes in {} file "
        "bytes; {} temporary files removed, {} corrupt files moved to {}",
        t.messages, t.recipients_pending, t.recipients_total, t.content_bytes, t.file_bytes,
        t.temp_removed, t.corrupt_moved, layout.corrupt_dir().string());
    return {};
}

}  // namespace sluice::daemon::spool
