// Errors of the spool's file operations (writer, progress appends, recovery): each names the
// step that failed, so the session can answer 451 4.3.0 and the log can say why. The errno
// behind a failure is logged where it happens; these codes carry only the class of failure.
// Decoding errors of a spool file's bytes are format_errc (format_errc.hpp).
#pragma once

#include <system_error>

namespace sluice::daemon::spool {

enum class errc {
    disk_full = 1,       // ENOSPC or EDQUOT at any step
    create_failed,       // open(O_CREAT|O_EXCL) of the temporary file failed
    write_failed,        // write() failed (other than disk full)
    sync_failed,         // the batch-wide sync or the directory fsync failed
    rename_failed,       // renaming "<id>.tmp" to "<id>" failed
    duplicate_queue_id,  // a file with this queue ID already exists: never overwritten
    invalid_message,     // the message cannot be spooled (no recipients, bad queue ID, too large)
    shutting_down,       // submitted after the writer began to stop
    progress_failed,     // append_progress could not read, truncate, write or sync the file
    layout_failed,       // the spool directories could not be created or opened
};

[[nodiscard]] const std::error_category& spool_category() noexcept;
[[nodiscard]] std::error_code make_error_code(errc e) noexcept;

// disk_full for ENOSPC/EDQUOT, duplicate_queue_id for EEXIST, else `otherwise`.
[[nodiscard]] errc errc_from_errno(int error_number, errc otherwise) noexcept;

}  // namespace sluice::daemon::spool

template <>
struct std::is_error_code_enum<sluice::daemon::spool::errc> : std::true_type {};
