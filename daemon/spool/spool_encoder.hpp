// Encodes a SpooledMessage into the bytes of a spool file (record_format.hpp): preamble, one
// checksummed zstd frame of records, and a progress record per entry of message.progress.
// Pure (no I/O). One encoder per thread: it owns a reusable ZSTD_CCtx and scratch buffer, so
// the committer thread compresses without per-message allocations. Errors are format_errc
// values describing why the message cannot be encoded (a programming error upstream).
#pragma once

#include <memory>
#include <string>
#include <system_error>

#include "daemon/spool/spooled_message.hpp"

struct ZSTD_CCtx_s;

namespace sluice::daemon::spool {

class SpoolEncoder {
  public:
    // `compression_level` is a zstd level, clamped to 1..19.
    explicit SpoolEncoder(int compression_level);
    ~SpoolEncoder();
    SpoolEncoder(const SpoolEncoder&) = delete;
    SpoolEncoder& operator=(const SpoolEncoder&) = delete;

    // Replaces `out` with the complete file for `message`. Errors: bad_queue_id, no_recipients,
    // too_large, corrupt_frame (zstd failed).
    [[nodiscard]] std::error_code encode(const SpooledMessage& message, std::string& out);
    // The uncompressed size of the records of the last message encoded.
    [[nodiscard]] std::size_t plain_size() const { return plain_.size(); }

  private:
    struct FreeContext {
        void operator()(ZSTD_CCtx_s* context) const noexcept;
    };
    std::unique_ptr<ZSTD_CCtx_s, FreeContext> context_;
    std::string plain_;  // the records before compression, reused between messages
};

}  // namespace sluice::daemon::spool
