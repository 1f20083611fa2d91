#include "daemon/spool/progress_record.hpp"

#include <array>

#include "daemon/spool/format_errc.hpp"
#include "daemon/spool/record_format.hpp"

namespace sluice::daemon::spool {

namespace {
constexpr std::size_t kCrcOffset = 16;  // magic(1) + index(4) + state(1) + attempts(2) + next(8)

constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    return table;
}
constexpr auto kCrcTable = make_crc_table();

// The state octet: the RecipientState in the low bits, kDelayWarnedBit for delay_warned.
constexpr std::uint8_t kDelayWarnedBit = 0x80;

bool is_known_state(std::uint8_t state) {
    return (state & ~kDelayWarnedBit) <= static_cast<std::uint8_t>(RecipientState::cleared);
}

// Parses one complete record; false if its magic or CRC says it is damaged.
bool parse_record(std::string_view record, RecipientProgress& out, std::uint8_t& raw_state) {
    if (static_cast<std::uint8_t>(record[0]) != kProgressMagic) return false;
    if (crc32(record.substr(1, kCrcOffset - 1)) != get_le<std::uint32_t>(&record[kCrcOffset])) {
        return false;
    }
    out.recipient_index = get_le<std::uint32_t>(&record[1]);
    raw_state = static_cast<std::uint8_t>(record[5]);
    out.state = static_cast<RecipientState>(raw_state & ~kDelayWarnedBit);
    out.delay_warned = (raw_state & kDelayWarnedBit) != 0;
    out.attempts = get_le<std::uint16_t>(&record[6]);
    out.next_attempt_unix = get_le<std::int64_t>(&record[8]);
    return true;
}
}  // namespace

std::uint32_t crc32(std::string_view bytes) noexcept {
    std::uint32_t c = 0xFFFFFFFFu;
    for (char byte : bytes) c = kCrcTable[(c ^ static_cast<unsigned char>(byte)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void put_progress_record(std::string& out, const RecipientProgress& progress) {
    std::size_t start = out.size();
    out.push_back(static_cast<char>(kProgressMagic));
    put_le<std::uint32_t>(out, progress.recipient_index);
    const auto state = static_cast<std::uint8_t>(progress.state);
    put_le<std::uint8_t>(out, progress.delay_warned ? state | kDelayWarnedBit : state);
    put_le<std::uint16_t>(out, progress.attempts);
    put_le<std::int64_t>(out, progress.next_attempt_unix);
    put_le<std::uint32_t>(out, crc32(std::string_view(out).substr(start + 1, kCrcOffset - 1)));
}

std::error_code apply_progress_tail(std::string_view tail, std::vector<RecipientProgress>& progress,
                                    std::size_t& valid_bytes) {
    valid_bytes = 0;
    bool damaged_seen = false;
    for (std::size_t offset = 0; offset + kProgressRecordSize <= tail.size();
         offset += kProgressRecordSize) {
        RecipientProgress record;
        std::uint8_t raw_state = 0;
        if (!parse_record(tail.substr(offset, kProgressRecordSize), record, raw_state)) {
            damaged_seen = true;
            continue;
        }
        if (damaged_seen) return format_errc::progress_corrupt;
        if (record.recipient_index >= progress.size()) {
            return format_errc::progress_index_out_of_range;
        }
        if (!is_known_state(raw_state)) return format_errc::bad_record_value;
        progress[record.recipient_index] = record;
        valid_bytes = offset + kProgressRecordSize;
    }
    return {};
}

}  // namespace sluice::daemon::spool
