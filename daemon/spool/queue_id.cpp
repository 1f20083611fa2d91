#include "daemon/spool/queue_id.hpp"

namespace sluice::daemon::spool {

namespace {
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";  // RFC 4648 base32hex
constexpr int kTimeBits = 52;
constexpr int kPidBits = 22;
constexpr int kSequenceBits = 6;
constexpr std::uint64_t kTimeMask = (std::uint64_t{1} << kTimeBits) - 1;
constexpr std::uint32_t kPidMask = (1u << kPidBits) - 1;
constexpr std::uint32_t kSequenceLimit = 1u << kSequenceBits;

// Writes 8 base32hex characters for the low 40 bits of `value`.
void put_40_bits(char* out, std::uint64_t value) {
    for (int i = 7; i >= 0; --i) {
        out[i] = kAlphabet[value & 0x1F];
        value >>= 5;
    }
}

int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'V') return c - 'A' + 10;
    return -1;
}
}  // namespace

QueueIdGenerator::QueueIdGenerator(std::uint32_t process_id) : process_id_(process_id & kPidMask) {}

std::string QueueIdGenerator::next(std::int64_t now_unix_us) {
    std::uint64_t now = now_unix_us < 0 ? 0 : static_cast<std::uint64_t>(now_unix_us) & kTimeMask;
    std::uint64_t time_us = 0;
    std::uint32_t sequence = 0;
    {
        std::lock_guard lock(mutex_);
        if (now > last_us_) {
            last_us_ = now;
            sequence_ = 0;
        } else if (++sequence_ == kSequenceLimit) {
            ++last_us_;  // borrow the next microsecond rather than repeat an ID
            sequence_ = 0;
        }
        time_us = last_us_;
        sequence = sequence_;
    }
    // 80 bits = time(52) pid(22) sequence(6), written as two 40-bit halves.
    std::uint64_t low28 = std::uint64_t{process_id_} << kSequenceBits | sequence;
    std::string id(kQueueIdLength, '0');
    put_40_bits(id.data(), time_us >> 12);
    put_40_bits(id.data() + 8, (time_us & 0xFFF) << 28 | low28);
    return id;
}

bool is_valid_queue_id(std::string_view text) noexcept {
    if (text.size() != kQueueIdLength) return false;
    for (char c : text) {
        if (digit_value(c) < 0) return false;
    }
    return true;
}

std::int64_t queue_id_time_us(std::string_view queue_id) noexcept {
    std::uint64_t value = 0;  // the first 11 characters: 55 bits, of which the top 52 are time
    for (std::size_t i = 0; i < 11 && i < queue_id.size(); ++i) {
        value = value << 5 | static_cast<std::uint64_t>(digit_value(queue_id[i]) & 0x1F);
    }
    return static_cast<std::int64_t>(value >> (55 - kTimeBits));
}

}  // namespace sluice::daemon::spool
