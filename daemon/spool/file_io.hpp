// Small POSIX file helpers for the spool: whole-file reads and full writes that retry EINTR and
// short transfers. Errors are the system call's errno (std::system_category). No buffering,
// no ownership beyond the call.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::daemon::spool {

// Replaces `out` with the contents of `path` (opened relative to `dir_fd`, or AT_FDCWD).
[[nodiscard]] std::error_code read_whole_file(int dir_fd, const char* path, std::string& out);

// Writes all of `bytes` to `fd` at `offset` (pwrite), or at the current position if offset < 0.
[[nodiscard]] std::error_code write_fully(int fd, std::string_view bytes, off_t offset = -1);

// Replaces `path` with `bytes` so that a crash leaves the old or the new file, never a mix:
// `temp` (same directory, mode 0600) written and fsynced, renamed over `path`, the directory
// fsynced. On failure `temp` is removed and `path` is untouched.
[[nodiscard]] std::error_code replace_file_durably(const std::filesystem::path& path,
                                                   const std::filesystem::path& temp,
                                                   std::string_view bytes);

}  // namespace sluice::daemon::spool
