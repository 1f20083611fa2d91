// Start-up recovery of the spool: removes "*.tmp" files left by a crash mid-batch (never
// acknowledged), moves files that do not decode to corrupt/ (one log line each, naming the file
// and the reason), and returns a compact index of every valid message, sorted by queue ID
// (= arrival order). Every file is fully validated (checksum included), on a few threads.
// The index keeps 40 bytes per message (a million fit in 40 MB): bodies and envelopes stay on
// disk and are read again when a message is delivered. Entries with recipients_pending == 0 are
// finished messages whose file was not yet removed; the queue manager should unlink them.
// Blocking; run it before the writer and the queue manager start. Errors: the errno of what
// made the whole spool unusable (layout creation, opening or listing queue/); per-file problems
// are logged and counted, not returned.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/log/logger.hpp"
#include "daemon/spool/queue_id.hpp"

namespace sluice::daemon::spool {

struct SpoolIndexEntry {
    std::array<char, kQueueIdLength> queue_id{};
    std::int64_t arrival_unix_us = 0;
    std::uint32_t content_size = 0;  // decompressed message bytes
    std::uint32_t file_size = 0;     // bytes on disk
    std::uint32_t recipients_total = 0;
    std::uint32_t recipients_pending = 0;

    [[nodiscard]] std::string_view id() const { return {queue_id.data(), queue_id.size()}; }
};

struct SpoolTotals {
    std::uint64_t messages = 0;
    std::uint64_t recipients_total = 0;
    std::uint64_t recipients_pending = 0;
    std::uint64_t content_bytes = 0;
    std::uint64_t file_bytes = 0;
    std::uint64_t temp_removed = 0;
    std::uint64_t corrupt_moved = 0;
};

struct RecoveryResult {
    std::vector<SpoolIndexEntry> messages;  // sorted by queue ID
    SpoolTotals totals;
};

// Recovers the spool at `root` (creating its layout if needed). `threads` == 0 picks the number
// of cores (at most 4).
[[nodiscard]] std::error_code recover_spool(const std::filesystem::path& root, log::Logger& logger,
                                            RecoveryResult& out, unsigned threads = 0);

}  // namespace sluice::daemon::spool
