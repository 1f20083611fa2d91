// AccountingLog: appends one formatted AccountingRecord per call to the accounting file
// (O_APPEND, one write() per record, so a line is never split between writers) and/or to
// syslog(3) with facility mail, as sluice.conf `accounting` says; with neither it does nothing.
// Owns the file descriptor. Not thread-safe: called from the io thread only. Durability is
// accounting.sync: "none" leaves records in the page cache (they survive a crash of sluiced,
// not of the machine); "batch" makes each batch durable with one fdatasync(2): write_batch
// (and write(), a batch of one) waits for it on the calling thread, while append_batch leaves
// it to the caller as a PendingSync to run on a blocking pool (the queue manager's way: an
// fdatasync took 1.2 ms on the test VM's ext4, 3.9 ms with ten 300-byte records before it,
// against 2 us for a write() alone, far too long for the io thread).
// Errors: opening the file at start-up throws std::system_error naming it (the parent
// directory is not created); a failed write or fdatasync is counted (write_failures(),
// sync_failures(), shown by /status and /metrics) and logged at error (the first, then every
// 1000th), never silent and never thrown; reopen() returns its error and keeps the old file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <system_error>

#include "daemon/acclog/record.hpp"
#include "daemon/log/logger.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::acclog {

class AccountingLog {
  public:
    AccountingLog(const policy::config::AccountingSettings& settings, log::Logger& logger);
    ~AccountingLog();
    AccountingLog(const AccountingLog&) = delete;
    AccountingLog& operator=(const AccountingLog&) = delete;

    // Formats `record` and writes it to every configured destination (a batch of one).
    void write(const AccountingRecord& record);
    // Writes `records` in order, then (accounting.sync = "batch") makes the file durable once.
    void write_batch(std::span<const AccountingRecord> records);

    // What a batch leaves to make durable: a descriptor of the file's own (dup(2), so a
    // reopen() meanwhile cannot close it under the sync), or fd -1 when nothing is due.
    struct PendingSync {
        int fd = -1;
        std::size_t records = 0;
    };
    // Writes `records` in order; the sync, if one is due, is the caller's: run
    // sync_and_close() anywhere (it blocks), then sync_done() back on the io thread.
    [[nodiscard]] PendingSync append_batch(std::span<const AccountingRecord> records);
    // fdatasync and close `pending.fd`; 0 or the errno of the failure. Thread-safe.
    [[nodiscard]] static int sync_and_close(const PendingSync& pending);
    // Counts (and logs) the result of sync_and_close.
    void sync_done(const PendingSync& pending, int error);
    // Opens the file again by name (after logrotate moved it; SIGHUP); {} if there is no file.
    [[nodiscard]] std::error_code reopen();
    // Records that could not be written to the file since start-up.
    [[nodiscard]] std::uint64_t write_failures() const { return write_failures_; }
    // fdatasync calls that failed since start-up (the records before them may be lost in a
    // power failure).
    [[nodiscard]] std::uint64_t sync_failures() const { return sync_failures_; }
    // fdatasync calls made since start-up (successful or not).
    [[nodiscard]] std::uint64_t syncs() const { return syncs_; }

  private:
    // True if the line reached the file.
    bool write_one(const AccountingRecord& record);
    bool write_file(const std::string& line, const AccountingRecord& record);
    void note_failure(int error, const AccountingRecord& record);

    policy::config::AccountingSettings settings_;
    log::Logger& logger_;
    int fd_ = -1;
    std::uint64_t write_failures_ = 0;
    std::uint64_t sync_failures_ = 0;
    std::uint64_t syncs_ = 0;
};

}  // namespace sluice::daemon::acclog
