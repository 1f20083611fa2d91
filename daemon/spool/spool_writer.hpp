// Durable acceptance of messages with group commit. submit() hands a message to the committer
// thread, which takes every message waiting at that moment as one batch: each is encoded and
// compressed (record_format), written to "<queue>/<id>.tmp", the batch is made durable with one
// sync, renamed to "<queue>/<id>", and the queue directory is fsync'd once. Only then is each
// submitter told success; so one sync covers many sessions and throughput is not capped by
// fsync latency. Any failure for a message removes its file and reports an error (the session
// answers 451 4.3.0); a message that was not reported committed is never left for delivery.
// Thread-safe; the completion callback runs on the committer thread and must only hand off.
// Errors are spool::errc (errc.hpp); the errno behind each is logged with the queue ID.
// The constructor creates the layout and throws std::system_error if it cannot (start-up).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "daemon/log/logger.hpp"
#include "daemon/spool/errc.hpp"
#include "daemon/spool/spool_encoder.hpp"
#include "daemon/spool/spool_layout.hpp"
#include "daemon/spool/spool_usage.hpp"
#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::spool {

class SpoolWriter {
  public:
    using Completion = std::function<void(std::error_code)>;

    // `directory` is the spool root (see spool_layout.hpp); starts the committer thread.
    SpoolWriter(std::filesystem::path directory, int compression_level, log::Logger& logger);
    ~SpoolWriter();  // finishes batches already submitted, then joins
    SpoolWriter(const SpoolWriter&) = delete;
    SpoolWriter& operator=(const SpoolWriter&) = delete;

    // Queues `message` for the next batch; `done` is called exactly once.
    void submit(SpooledMessage message, Completion done);

    // Removes the spool file of a finished message with the next batch: the unlinks of a batch
    // share its directory fsync, so `done` reports the removal durable. A file already gone is
    // success. `done` is called exactly once.
    void remove(std::string queue_id, Completion done);

    // Free bytes for an unprivileged writer on the spool filesystem (statvfs), or an error.
    [[nodiscard]] std::error_code free_space(std::uint64_t& bytes) const;

    // What the spool holds (spool_usage.hpp); seed it from recovery before mail flows.
    [[nodiscard]] SpoolUsage& usage() { return usage_; }
    [[nodiscard]] const SpoolUsage& usage() const { return usage_; }

  private:
    struct Job {
        SpooledMessage message;  // to commit, unless `remove_id` is set
        std::string remove_id;   // a finished message's file to remove
        Completion done;
    };
    struct Removal {
        std::string queue_id;
        Completion done;
        std::error_code ec;
    };
    struct Staged;

    void run();
    void commit(std::deque<Job>& batch);
    void stage(Job& job, Staged& staged);
    void sync_batch(std::vector<Staged>& batch);
    [[nodiscard]] bool rename_batch(std::vector<Staged>& batch);
    [[nodiscard]] bool remove_batch(std::vector<Removal>& removals);
    void account_removal(const std::string& queue_id);
    void enqueue(Job job);
    void fail(Staged& staged, errc why, const char* step, int error_number);

    SpoolLayout layout_;
    log::Logger& logger_;
    SpoolUsage usage_;
    int queue_fd_ = -1;  // the queue directory, open for the writer's lifetime
    // Committer thread only:
    SpoolEncoder encoder_;
    std::string buffer_;
    // Shared, under mutex_:
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> pending_;
    bool stopping_ = false;
    std::thread committer_;  // last: starts once everything above exists
};

}  // namespace sluice::daemon::spool
