// AccountingLog (see accounting_log.hpp).
#include "daemon/acclog/accounting_log.hpp"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/acclog/record_format.hpp"

namespace sluice::daemon::acclog {
namespace {

constexpr std::uint64_t kFailureLogEvery = 1000;

int open_file(const std::string& path) {
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

}  // namespace

AccountingLog::AccountingLog(const policy::config::AccountingSettings& settings,
                             log::Logger& logger)
    : settings_(settings), logger_(logger) {
    if (settings_.file.empty()) {
        return;
    }
    fd_ = open_file(settings_.file);
    if (fd_ < 0) {
        throw std::system_error(errno, std::system_category(),
                                "cannot open accounting log " + settings_.file);
    }
}

AccountingLog::~AccountingLog() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void AccountingLog::write(const AccountingRecord& record) {
    write_batch(std::span(&record, 1));
}

void AccountingLog::write_batch(std::span<const AccountingRecord> records) {
    const PendingSync pending = append_batch(records);
    if (pending.fd >= 0) sync_done(pending, sync_and_close(pending));
}

AccountingLog::PendingSync AccountingLog::append_batch(std::span<const AccountingRecord> records) {
    if (fd_ < 0 && !settings_.syslog) {
        return {};
    }
    std::size_t written = 0;
    for (const AccountingRecord& record : records) {
        written += write_one(record) ? 1 : 0;
    }
    if (written == 0 || settings_.sync != policy::config::AccountingSync::batch) {
        return {};
    }
    const int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        sync_done({-1, written}, errno);
        return {};
    }
    return {fd, written};
}

int AccountingLog::sync_and_close(const PendingSync& pending) {
    // fdatasync: the file's size is metadata it does flush, so appended lines are durable.
    const int error = ::fdatasync(pending.fd) == 0 ? 0 : errno;
    ::close(pending.fd);
    return error;
}

bool AccountingLog::write_one(const AccountingRecord& record) {
    const std::string line = format_record(record, settings_.format);
    bool written = false;
    if (fd_ >= 0) {
        written = write_file(line, record);
    }
    if (settings_.syslog) {
        // syslog(3) reports no errors; the message goes without its newline.
        ::syslog(LOG_MAIL | LOG_INFO, "%.*s", static_cast<int>(line.size() - 1), line.data());
    }
    return written;
}

bool AccountingLog::write_file(const std::string& line, const AccountingRecord& record) {
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            note_failure(n < 0 ? errno : EIO, record);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void AccountingLog::sync_done(const PendingSync& pending, int error) {
    syncs_ += 1;
    if (error == 0) {
        return;
    }
    sync_failures_ += 1;
    if (sync_failures_ == 1 || sync_failures_ % kFailureLogEvery == 0) {
        logger_.error(
            "accounting log {}: fdatasync failed: {}; the last {} records may be lost in a power "
            "failure; {} failed so far (logged for the first and every {}th)",
            settings_.file, std::strerror(error), pending.records, sync_failures_,
            kFailureLogEvery);
    }
}

void AccountingLog::note_failure(int error, const AccountingRecord& record) {
    write_failures_ += 1;
    if (write_failures_ == 1 || write_failures_ % kFailureLogEvery == 0) {
        logger_.error(
            "accounting log {}: write failed: {}; record lost ({} {} {} {}); {} lost "
            "so far (logged for the first and every {}th)",
            settings_.file, std::strerror(error), record.type, record.queue_id, record.recipient,
            to_string(record.outcome), write_failures_, kFailureLogEvery);
    }
}

std::error_code AccountingLog::reopen() {
    if (settings_.file.empty()) {
        return {};
    }
    const int fd = open_file(settings_.file);
    if (fd < 0) {
        return {errno, std::system_category()};
    }
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
    return {};
}

}  // namespace sluice::daemon::acclog
