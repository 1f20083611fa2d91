// AccountingLog: appends one formatted AccountingRecord per call to the accounting file
// (O_APPEND, one write() per record, so a line is never split between writers) and/or to
// syslog(3) with facility mail, as sluice.conf `accounting` says; with neither it does nothing.
// Owns the file descriptor. Not thread-safe: called from the io thread only (a record is a few
// hundred bytes into the page cache; there is no fsync). Errors: opening the file at start-up
// throws std::system_error naming it (the parent directory is not created); a failed write
// is counted and logged at error (the first, then every 1000th), never silent and never
// thrown; reopen() returns its error and keeps the old file.
#pragma once

#include <cstdint>
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

    // Formats `record` and writes it to every configured destination.
    void write(const AccountingRecord& record);
    // Opens the file again by name (after logrotate moved it; SIGHUP); {} if there is no file.
    [[nodiscard]] std::error_code reopen();
    // Records that could not be written to the file since start-up.
    [[nodiscard]] std::uint64_t write_failures() const { return write_failures_; }

  private:
    void write_file(const std::string& line, const AccountingRecord& record);
    void note_failure(int error, const AccountingRecord& record);

    policy::config::AccountingSettings settings_;
    log::Logger& logger_;
    int fd_ = -1;
    std::uint64_t write_failures_ = 0;
};

}  // namespace sluice::daemon::acclog
