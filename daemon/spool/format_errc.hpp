// Why the bytes of a spool file do not decode (record_format.hpp describes the format). Every
// check of the decoder has its own code so tests can assert the exact reason and recovery can
// log it when it moves a file to corrupt/. Pure values; no I/O.
#pragma once

#include <system_error>

namespace sluice::daemon::spool {

enum class format_errc {
    truncated_preamble = 1,       // shorter than the fixed preamble
    bad_magic,                    // does not start with "SLUICEQ1"
    unsupported_version,          // a preamble version this build does not read
    bad_preamble,                 // reserved preamble bits set
    truncated_frame,              // the file ends inside the zstd frame
    frame_size_mismatch,          // the preamble's frame size disagrees with the frame
    corrupt_frame,                // zstd rejects the frame
    missing_checksum,             // the frame carries no content checksum
    checksum_mismatch,            // the frame's content checksum does not match
    too_large,                    // content beyond what a spool file may hold
    truncated_record,             // a record's header or payload runs past the frame's end
    unknown_record_type,          // a required record type this build does not know
    duplicate_record,             // a record that may appear once appears twice
    bad_record_value,             // a fixed-size record with the wrong length or value
    missing_record,               // queue ID, arrival or sender record absent
    bad_queue_id,                 // the queue ID record is not a valid queue ID
    missing_end,                  // the frame does not end with an END record
    trailing_data,                // bytes after the END record inside the frame
    no_recipients,                // a message without recipients
    recipient_count_mismatch,     // the preamble's recipient count disagrees with the records
    progress_corrupt,             // a damaged progress record followed by a valid one
    progress_index_out_of_range,  // a progress record names a recipient that does not exist
};

[[nodiscard]] const std::error_category& format_category() noexcept;
[[nodiscard]] std::error_code make_error_code(format_errc e) noexcept;

}  // namespace sluice::daemon::spool

template <>
struct std::is_error_code_enum<sluice::daemon::spool::format_errc> : std::true_type {};
