// Decodes the bytes of a spool file (record_format.hpp) into a SpooledMessage, or into a compact
// SpoolSummary without copying envelope strings or content (for recovery's index). Validates
// everything: preamble, frame size, zstd checksum, record framing and required records, END,
// recipient count, progress records. Never trusts a length from the file for an allocation
// beyond what the data proves. Pure (no I/O). One decoder per thread: it reuses a ZSTD_DCtx
// and scratch buffers. Errors are format_errc values.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/spool/record_format.hpp"
#include "daemon/spool/spooled_message.hpp"

struct ZSTD_DCtx_s;

namespace sluice::daemon::spool {

struct SpoolSummary {
    std::string_view queue_id;  // valid until the decoder is used again
    std::int64_t arrival_unix_us = 0;
    std::uint64_t content_size = 0;
    std::uint32_t recipients_total = 0;
    std::uint32_t recipients_pending = 0;
    std::uint64_t valid_size = 0;  // file bytes up to the last valid progress record
};

class SpoolDecoder {
  public:
    SpoolDecoder();
    ~SpoolDecoder();
    SpoolDecoder(const SpoolDecoder&) = delete;
    SpoolDecoder& operator=(const SpoolDecoder&) = delete;

    // Decodes `file`; out.progress gets one entry per recipient (pending/0 where no record).
    [[nodiscard]] std::error_code decode(std::string_view file, SpooledMessage& out);

    // Validates `file` exactly as decode() does, keeping only the counts.
    [[nodiscard]] std::error_code summarize(std::string_view file, SpoolSummary& out);

  private:
    struct FreeContext {
        void operator()(ZSTD_DCtx_s* context) const noexcept;
    };
    // Checks the preamble and frame; leaves the records in plain_[0, plain_size_).
    [[nodiscard]] std::error_code decompress(std::string_view file, Preamble& preamble,
                                             std::string_view& tail);

    std::unique_ptr<ZSTD_DCtx_s, FreeContext> context_;
    std::string plain_;  // kept at its high-water size; plain_size_ bytes are valid
    std::size_t plain_size_ = 0;
    std::vector<RecipientProgress> progress_;
};

}  // namespace sluice::daemon::spool
