// Reading one spool file: the whole file is read, decoded and its progress records applied
// (spool_decoder.hpp). Blocking file I/O; call from a worker thread, not the io thread.
// Errors: the system call's errno (std::errc::no_such_file_or_directory when the message is
// gone) or a format_errc when the bytes do not decode.
#pragma once

#include <filesystem>
#include <system_error>

#include "daemon/spool/spool_decoder.hpp"
#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::spool {

// Reads and decodes the spool file at `path` into `out`.
[[nodiscard]] std::error_code read_spool_file(const std::filesystem::path& path,
                                              SpooledMessage& out);

// Same, reusing a caller-owned decoder (one per thread).
[[nodiscard]] std::error_code read_spool_file(const std::filesystem::path& path,
                                              SpoolDecoder& decoder, SpooledMessage& out);

}  // namespace sluice::daemon::spool
