#include "daemon/spool/format_errc.hpp"

#include <string>

namespace sluice::daemon::spool {

namespace {
class FormatCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sluice.spool.format"; }
    std::string message(int value) const override {
        switch (static_cast<format_errc>(value)) {
            case format_errc::truncated_preamble:
                return "truncated preamble";
            case format_errc::bad_magic:
                return "not a spool file (bad magic)";
            case format_errc::unsupported_version:
                return "unsupported spool format version";
            case format_errc::bad_preamble:
                return "bad preamble";
            case format_errc::truncated_frame:
                return "truncated compressed frame";
            case format_errc::frame_size_mismatch:
                return "frame size does not match preamble";
            case format_errc::corrupt_frame:
                return "corrupt compressed frame";
            case format_errc::missing_checksum:
                return "compressed frame has no checksum";
            case format_errc::checksum_mismatch:
                return "content checksum mismatch";
            case format_errc::too_large:
                return "message too large for a spool file";
            case format_errc::truncated_record:
                return "truncated record";
            case format_errc::unknown_record_type:
                return "unknown required record type";
            case format_errc::duplicate_record:
                return "duplicate record";
            case format_errc::bad_record_value:
                return "bad record value";
            case format_errc::missing_record:
                return "missing required record";
            case format_errc::bad_queue_id:
                return "invalid queue ID";
            case format_errc::missing_end:
                return "missing END record";
            case format_errc::trailing_data:
                return "data after END record";
            case format_errc::no_recipients:
                return "no recipients";
            case format_errc::recipient_count_mismatch:
                return "recipient count mismatch";
            case format_errc::progress_corrupt:
                return "corrupt progress record";
            case format_errc::progress_index_out_of_range:
                return "progress record for a nonexistent recipient";
        }
        return "unknown spool format error";
    }
};
}  // namespace

const std::error_category& format_category() noexcept {
    static const FormatCategory category;
    return category;
}

std::error_code make_error_code(format_errc e) noexcept {
    return {static_cast<int>(e), format_category()};
}

}  // namespace sluice::daemon::spool
