// Fixed-size delivery progress records appended after a spool file's frame (the layout and the
// torn-tail rules are in record_format.hpp). Pure encoding and parsing; append_progress
// (progress_append.hpp) does the file I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::spool {

inline constexpr std::size_t kProgressRecordSize = 20;
inline constexpr std::uint8_t kProgressMagic = 0xB5;

// Appends one 20-byte record for `progress` to `out`.
void put_progress_record(std::string& out, const RecipientProgress& progress);

// Reads the records in `tail` (the bytes after the frame) into `progress`, which holds one entry
// per recipient (index == position); the last valid record per index wins. `valid_bytes` is set
// to the length of the prefix up to and including the last valid record: the damaged suffix
// after it was never acknowledged and is ignored. Errors: progress_corrupt (a damaged record
// before a valid one), progress_index_out_of_range, bad_record_value (unknown state).
[[nodiscard]] std::error_code apply_progress_tail(std::string_view tail,
                                                  std::vector<RecipientProgress>& progress,
                                                  std::size_t& valid_bytes);

// CRC-32 (IEEE 802.3, as zlib's crc32) of `bytes`.
[[nodiscard]] std::uint32_t crc32(std::string_view bytes) noexcept;

}  // namespace sluice::daemon::spool
