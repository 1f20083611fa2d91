// The spool file format, version 1. Pure definitions and framing helpers; no I/O.
// SpoolEncoder and SpoolDecoder build on these; the writer, reader and recovery own the files.
//
//   file     = preamble frame progress*
//   preamble = "SLUICEQ1" version:u16 reserved:u16(0) frame_size:u32 recipient_count:u32
//              (20 bytes, little-endian; frame_size lets progress appends find the frame's end
//              without decompressing, recipient_count lets them refuse a bad index)
//   frame    = ONE zstd frame with content size and content checksum (ZSTD_c_checksumFlag), of
//   records  = record* END;  record = type:u8 length:varint(LEB128, <= 2^32-1) payload
//
// Record types (RecordType): envelope fields once each (queue id, arrival i64 LE microseconds,
// client address/name, helo, protocol, listener, sender, mail params, body type u8, smtputf8
// u8), AUTH_USER (optional: only written when someone authenticated, so files without it are
// as before and older builds skip it), one RECIPIENT per recipient (varint address length, address,
// params), CONTENT chunks concatenated in order, then END with an empty payload. Types with
// kOptionalRecordBit set may be skipped by a reader that does not know them; any other unknown type
// is an error, so an older build never silently drops something a newer one depends on.
//
// Delivery progress. The frame is compressed and checksummed, so it cannot be edited in place;
// a recipient's progress is instead an appended fixed-size record (progress_record.hpp):
//   progress = 0xB5 recipient_index:u32 state:u8 attempts:u16 next_attempt_unix:i64 crc32:u32
// The CRC covers the 15 bytes from recipient_index to next_attempt_unix. The state octet's top
// bit (0x80) marks a recipient whose delay DSN was sent (delivery.delay_warning); builds before
// it refuse such a record as an unknown state rather than warn twice. The delivery side
// appends one record per attempt outcome and fdatasyncs before acting on it (append_progress):
// once "delivered" is durable that recipient is never re-sent after a restart, and only an
// attempt that was in flight at a crash (its record not yet durable) may be repeated. The last
// valid record per recipient wins; a recipient without one is pending with 0 attempts. A crash
// mid-append can leave a torn (short) or garbage (bad magic/CRC) tail: such records are ignored
// when every record after them is damaged too (they were never acknowledged), and the next
// append cuts them off first. A damaged record followed by a valid one is corruption, as is a
// valid record naming a recipient index >= recipient_count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::daemon::spool {

inline constexpr std::string_view kSpoolMagic = "SLUICEQ1";
inline constexpr std::uint16_t kSpoolFormatVersion = 1;
inline constexpr std::size_t kPreambleSize = 20;
inline constexpr std::size_t kContentChunkSize = 256 * 1024;
// Sanity cap on a frame's decompressed size (far above any configured message size).
inline constexpr std::size_t kMaxPlainSize = std::size_t{1} << 30;

enum class RecordType : std::uint8_t {
    queue_id = 0x01,
    arrival = 0x02,
    client_address = 0x03,
    client_name = 0x04,
    helo = 0x05,
    protocol = 0x06,
    listener = 0x07,
    sender = 0x08,
    mail_params = 0x09,
    body_type = 0x0A,
    smtputf8 = 0x0B,
    recipient = 0x0C,
    content = 0x0D,
    end = 0x0E,
    auth_user = 0x4F,  // kOptionalRecordBit | 0x0F
};
inline constexpr std::uint8_t kOptionalRecordBit = 0x40;

struct Preamble {
    std::uint16_t version = kSpoolFormatVersion;
    std::uint32_t frame_size = 0;
    std::uint32_t recipient_count = 0;
};

// Appends the 20-byte preamble to `out`.
void put_preamble(std::string& out, const Preamble& preamble);
// Parses the first kPreambleSize bytes of `file`.
[[nodiscard]] std::error_code parse_preamble(std::string_view file, Preamble& out);

// Appends one record: type, varint length, payload.
void put_record(std::string& out, RecordType type, std::string_view payload);
// Appends only a record's header (for payloads appended separately).
void put_record_header(std::string& out, RecordType type, std::size_t payload_size);

struct RecordView {
    std::uint8_t type = 0;
    std::string_view payload;
};
// Takes the next record off the front of `input`; truncated_record if it does not fit.
[[nodiscard]] std::error_code take_record(std::string_view& input, RecordView& out);

void put_varint(std::string& out, std::uint64_t value);
// Takes a varint of at most 5 bytes (value <= 2^32-1) off the front of `input`.
[[nodiscard]] bool take_varint(std::string_view& input, std::uint32_t& value);

template <typename Int>
void put_le(std::string& out, Int value) {
    for (std::size_t i = 0; i < sizeof(Int); ++i) {
        out.push_back(static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * i) & 0xFF));
    }
}

template <typename Int>
[[nodiscard]] Int get_le(const char* bytes) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < sizeof(Int); ++i) {
        value |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
    }
    return static_cast<Int>(value);
}

}  // namespace sluice::daemon::spool
