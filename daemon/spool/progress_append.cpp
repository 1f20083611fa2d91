#include "daemon/spool/progress_append.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "daemon/spool/file_io.hpp"
#include "daemon/spool/format_errc.hpp"
#include "daemon/spool/progress_record.hpp"
#include "daemon/spool/record_format.hpp"

namespace sluice::daemon::spool {

namespace {
std::error_code last_error() {
    return {errno, std::system_category()};
}

std::error_code read_at(int fd, std::string& out, std::size_t size, off_t offset) {
    out.resize(size);
    std::size_t used = 0;
    while (used < size) {
        ssize_t n = ::pread(fd, out.data() + used, size - used, offset + static_cast<off_t>(used));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        if (n == 0) return format_errc::truncated_frame;
        used += static_cast<std::size_t>(n);
    }
    return {};
}

// Finds where the valid records end: the offset the new records are written at.
std::error_code find_append_offset(int fd, const Preamble& preamble, off_t& offset) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) return last_error();
    auto frame_end = static_cast<off_t>(kPreambleSize + preamble.frame_size);
    if (info.st_size < frame_end) return format_errc::truncated_frame;
    std::string tail;
    if (auto ec =
            read_at(fd, tail, static_cast<std::size_t>(info.st_size - frame_end), frame_end)) {
        return ec;
    }
    std::vector<RecipientProgress> progress(preamble.recipient_count);
    std::size_t valid_bytes = 0;
    if (auto ec = apply_progress_tail(tail, progress, valid_bytes)) return ec;
    offset = frame_end + static_cast<off_t>(valid_bytes);
    // Cut a damaged tail, or the new records would follow it and make it corruption.
    if (offset != info.st_size && ::ftruncate(fd, offset) != 0) return last_error();
    return {};
}

std::error_code append_to(int fd, std::span<const RecipientProgress> records) {
    std::string head;
    if (auto ec = read_at(fd, head, kPreambleSize, 0)) {
        return ec == format_errc::truncated_frame ? format_errc::truncated_preamble : ec;
    }
    Preamble preamble;
    if (auto ec = parse_preamble(head, preamble)) return ec;
    std::string bytes;
    for (const RecipientProgress& record : records) {
        if (record.recipient_index >= preamble.recipient_count) {
            return format_errc::progress_index_out_of_range;
        }
        put_progress_record(bytes, record);
    }
    off_t offset = 0;
    if (auto ec = find_append_offset(fd, preamble, offset)) return ec;
    if (auto ec = write_fully(fd, bytes, offset)) {
        [[maybe_unused]] int ignored =
            ::ftruncate(fd, offset);  // best effort: a torn tail is ignored
        return ec;
    }
    if (::fdatasync(fd) != 0) return last_error();
    return {};
}
}  // namespace

std::error_code append_progress(const std::filesystem::path& path,
                                std::span<const RecipientProgress> records) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return last_error();
    // Two workers may finish recipients of one message at once (one per domain); without the
    // lock both would write at the same offset, or one would cut the other's half-written
    // record as a torn tail, and finished recipients would be re-sent after a restart.
    if (::flock(fd, LOCK_EX) != 0) {
        std::error_code ec = last_error();
        ::close(fd);
        return ec;
    }
    std::error_code ec = append_to(fd, records);
    ::close(fd);
    return ec;
}

}  // namespace sluice::daemon::spool
