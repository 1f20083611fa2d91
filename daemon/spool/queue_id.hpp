// Queue IDs: 16 characters of base32hex ("0-9A-V", uppercase, filename-safe) encoding 80 bits:
//   microseconds since the epoch (52 bits, until 2112) | process ID (22 bits) | sequence (6 bits)
// Fixed width and an order-preserving alphabet make string order equal arrival order. Within a
// process IDs are strictly increasing even if the clock stalls or steps back (the generator
// continues from its last value); two live processes differ in the pid field; a restart lands on
// a later microsecond. The writer additionally refuses to overwrite an existing file (O_EXCL,
// RENAME_NOREPLACE), so a collision can only cost a 451, never a message.
// The time is passed in (no clock reads here). QueueIdGenerator is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace sluice::daemon::spool {

inline constexpr std::size_t kQueueIdLength = 16;

class QueueIdGenerator {
  public:
    // `process_id` is getpid() (Linux pids are < 2^22).
    explicit QueueIdGenerator(std::uint32_t process_id);

    // A new ID for a message accepted at `now_unix_us`; always greater than the previous one.
    [[nodiscard]] std::string next(std::int64_t now_unix_us);

  private:
    std::mutex mutex_;
    std::uint32_t process_id_;
    std::uint64_t last_us_ = 0;
    std::uint32_t sequence_ = 0;
};

// True if `text` is exactly kQueueIdLength characters of "0-9A-V" (so it is safe as a file name).
[[nodiscard]] bool is_valid_queue_id(std::string_view text) noexcept;

// The arrival microseconds encoded in a valid queue ID.
[[nodiscard]] std::int64_t queue_id_time_us(std::string_view queue_id) noexcept;

}  // namespace sluice::daemon::spool
