// Durable per-recipient delivery progress: append_progress adds fixed-size records after a spool
// file's frame (format and rules in record_format.hpp) and fdatasyncs before returning, so the
// caller may act on the outcome (log it, unlink the file when every recipient is final) only
// once it survives a crash. A damaged tail left by an earlier crash is cut off first.
// Blocking file I/O; concurrent appends to one file are serialized with flock(2).
// Errors: the system call's errno (std::system_category; ENOENT if the file is gone), or a
// format_errc when the file's preamble/tail is unusable or an index is out of range.
#pragma once

#include <filesystem>
#include <span>
#include <system_error>

#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::spool {

// Appends `records` to the spool file at `path`, then fdatasync.
[[nodiscard]] std::error_code append_progress(const std::filesystem::path& path,
                                              std::span<const RecipientProgress> records);

}  // namespace sluice::daemon::spool
