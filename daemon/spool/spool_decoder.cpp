#include "daemon/spool/spool_decoder.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <array>
#include <new>

#include "daemon/spool/format_errc.hpp"
#include "daemon/spool/progress_record.hpp"
#include "daemon/spool/queue_id.hpp"

namespace sluice::daemon::spool {

namespace {
constexpr std::size_t kInitialOutput = 8 * 1024 * 1024;
constexpr std::size_t kKeepScratchBytes = 8 * 1024 * 1024;
// Frames we write use at most window log 23 (level 19); refuse to allocate more for a bad one.
constexpr int kWindowLogMax = 24;

// What the records say, as views into the decompressed bytes.
struct FrameFields {
    std::array<std::string_view, 16> text{};  // indexed by RecordType
    std::uint32_t seen = 0;                   // bit per singleton RecordType
    std::int64_t arrival = 0;
    BodyType body_type = BodyType::seven_bit;
    bool smtputf8 = false;
    std::uint32_t recipients = 0;
    std::uint64_t content_size = 0;
};

bool is_singleton(std::uint8_t type) {
    return type >= static_cast<std::uint8_t>(RecordType::queue_id) &&
           type <= static_cast<std::uint8_t>(RecordType::smtputf8);
}

std::error_code check_fixed(RecordType type, std::string_view payload, FrameFields& fields) {
    switch (type) {
        case RecordType::queue_id:
            if (!is_valid_queue_id(payload)) return format_errc::bad_queue_id;
            break;
        case RecordType::arrival:
            if (payload.size() != 8) return format_errc::bad_record_value;
            fields.arrival = get_le<std::int64_t>(payload.data());
            break;
        case RecordType::body_type:
            if (payload.size() != 1 || static_cast<std::uint8_t>(payload[0]) > 2) {
                return format_errc::bad_record_value;
            }
            fields.body_type = static_cast<BodyType>(payload[0]);
            break;
        case RecordType::smtputf8:
            if (payload.size() != 1 || static_cast<std::uint8_t>(payload[0]) > 1) {
                return format_errc::bad_record_value;
            }
            fields.smtputf8 = payload[0] == 1;
            break;
        default:
            break;
    }
    return {};
}

// Walks the records; appends recipients and content to `full` when it is given.
std::error_code parse_records(std::string_view plain, FrameFields& fields, SpooledMessage* full) {
    bool ended = false;
    while (!plain.empty()) {
        if (ended) return format_errc::trailing_data;
        RecordView record;
        if (auto ec = take_record(plain, record)) return ec;
        auto type = static_cast<RecordType>(record.type);
        if (is_singleton(record.type)) {
            std::uint32_t bit = 1u << record.type;
            if (fields.seen & bit) return format_errc::duplicate_record;
            fields.seen |= bit;
            if (auto ec = check_fixed(type, record.payload, fields)) return ec;
            fields.text[record.type] = record.payload;
        } else if (type == RecordType::recipient) {
            std::string_view rest = record.payload;
            std::uint32_t address_size = 0;
            if (!take_varint(rest, address_size) || rest.size() < address_size) {
                return format_errc::bad_record_value;
            }
            ++fields.recipients;
            if (full) {
                full->envelope.recipients.push_back({std::string(rest.substr(0, address_size)),
                                                     std::string(rest.substr(address_size))});
            }
        } else if (type == RecordType::content) {
            fields.content_size += record.payload.size();
            if (full) full->content.append(record.payload);
        } else if (type == RecordType::auth_user) {
            if (full) full->envelope.auth_user = std::string(record.payload);
        } else if (type == RecordType::end) {
            if (!record.payload.empty()) return format_errc::bad_record_value;
            ended = true;
        } else if ((record.type & kOptionalRecordBit) == 0) {
            return format_errc::unknown_record_type;
        }
    }
    if (!ended) return format_errc::missing_end;
    for (RecordType required : {RecordType::queue_id, RecordType::arrival, RecordType::sender}) {
        if ((fields.seen & 1u << static_cast<int>(required)) == 0) {
            return format_errc::missing_record;
        }
    }
    if (fields.recipients == 0) return format_errc::no_recipients;
    return {};
}

std::error_code zstd_error(std::size_t result) {
    switch (ZSTD_getErrorCode(result)) {
        case ZSTD_error_checksum_wrong:
            return format_errc::checksum_mismatch;
        case ZSTD_error_srcSize_wrong:
            return format_errc::truncated_frame;
        default:
            return format_errc::corrupt_frame;
    }
}

std::string text_of(const FrameFields& fields, RecordType type) {
    return std::string(fields.text[static_cast<int>(type)]);
}
}  // namespace

void SpoolDecoder::FreeContext::operator()(ZSTD_DCtx_s* context) const noexcept {
    ZSTD_freeDCtx(context);
}

SpoolDecoder::SpoolDecoder() : context_(ZSTD_createDCtx()) {
    if (!context_) throw std::bad_alloc();
    ZSTD_DCtx_setParameter(context_.get(), ZSTD_d_windowLogMax, kWindowLogMax);
}

SpoolDecoder::~SpoolDecoder() = default;

std::error_code SpoolDecoder::decompress(std::string_view file, Preamble& preamble,
                                         std::string_view& tail) {
    plain_size_ = 0;
    if (auto ec = parse_preamble(file, preamble)) return ec;
    if (file.size() - kPreambleSize < preamble.frame_size) return format_errc::truncated_frame;
    std::string_view frame = file.substr(kPreambleSize, preamble.frame_size);
    tail = file.substr(kPreambleSize + preamble.frame_size);

    std::size_t found = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
    if (ZSTD_isError(found)) {
        return ZSTD_getErrorCode(found) == ZSTD_error_srcSize_wrong
                   ? format_errc::frame_size_mismatch
                   : format_errc::corrupt_frame;
    }
    if (found != frame.size()) return format_errc::frame_size_mismatch;
    // RFC 8878 §3.1.1.1.1: bit 2 of the frame header descriptor (after the 4-byte magic).
    if ((static_cast<unsigned char>(frame[4]) & 0x04) == 0) return format_errc::missing_checksum;
    unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
        return format_errc::corrupt_frame;
    }
    if (declared > kMaxPlainSize) return format_errc::too_large;

    // The declared size is only a hint: grow as data really arrives, one byte of slack so the
    // last call can finish the frame (and its checksum) without running out of room.
    std::size_t limit = static_cast<std::size_t>(declared) + 1;
    std::size_t capacity = std::min(limit, kInitialOutput);
    if (plain_.size() < capacity) plain_.resize(capacity);
    ZSTD_DCtx_reset(context_.get(), ZSTD_reset_session_only);
    ZSTD_inBuffer in{frame.data(), frame.size(), 0};
    ZSTD_outBuffer out{plain_.data(), capacity, 0};
    for (;;) {
        std::size_t in_before = in.pos;
        std::size_t out_before = out.pos;
        std::size_t result = ZSTD_decompressStream(context_.get(), &out, &in);
        if (ZSTD_isError(result)) return zstd_error(result);
        if (result == 0) break;
        if (out.pos == out.size && out.size < limit) {
            capacity = std::min(limit, out.size * 2);
            if (plain_.size() < capacity) plain_.resize(capacity);
            out.dst = plain_.data();
            out.size = capacity;
            continue;
        }
        if (in.pos == in.size) return format_errc::truncated_frame;
        if (in.pos == in_before && out.pos == out_before) return format_errc::corrupt_frame;
    }
    if (in.pos != in.size || out.pos != declared) return format_errc::corrupt_frame;
    plain_size_ = out.pos;
    return {};
}

std::error_code SpoolDecoder::decode(std::string_view file, SpooledMessage& out) {
    out = SpooledMessage{};
    Preamble preamble;
    std::string_view tail;
    FrameFields fields;
    std::error_code ec = decompress(file, preamble, tail);
    if (!ec) {
        out.content.reserve(plain_size_);
        ec = parse_records(std::string_view(plain_.data(), plain_size_), fields, &out);
    }
    if (!ec && fields.recipients != preamble.recipient_count) {
        ec = format_errc::recipient_count_mismatch;
    }
    std::size_t valid_tail = 0;
    if (!ec) {
        out.progress.resize(fields.recipients);
        for (std::uint32_t i = 0; i < fields.recipients; ++i) out.progress[i].recipient_index = i;
        ec = apply_progress_tail(tail, out.progress, valid_tail);
    }
    if (!ec) {
        Envelope& envelope = out.envelope;
        envelope.queue_id = text_of(fields, RecordType::queue_id);
        envelope.arrival_unix_us = fields.arrival;
        envelope.client_address = text_of(fields, RecordType::client_address);
        envelope.client_name = text_of(fields, RecordType::client_name);
        envelope.helo = text_of(fields, RecordType::helo);
        envelope.protocol = text_of(fields, RecordType::protocol);
        envelope.listener = text_of(fields, RecordType::listener);
        envelope.sender = text_of(fields, RecordType::sender);
        envelope.mail_params = text_of(fields, RecordType::mail_params);
        envelope.body_type = fields.body_type;
        envelope.smtputf8 = fields.smtputf8;
    }
    if (plain_.size() > kKeepScratchBytes) std::string().swap(plain_);
    if (ec) out = SpooledMessage{};
    return ec;
}

std::error_code SpoolDecoder::summarize(std::string_view file, SpoolSummary& out) {
    out = SpoolSummary{};
    Preamble preamble;
    std::string_view tail;
    FrameFields fields;
    if (auto ec = decompress(file, preamble, tail)) return ec;
    if (auto ec = parse_records(std::string_view(plain_.data(), plain_size_), fields, nullptr)) {
        return ec;
    }
    if (fields.recipients != preamble.recipient_count) {
        return format_errc::recipient_count_mismatch;
    }
    progress_.assign(fields.recipients, RecipientProgress{});
    std::size_t valid_tail = 0;
    if (auto ec = apply_progress_tail(tail, progress_, valid_tail)) return ec;
    out.queue_id = fields.text[static_cast<int>(RecordType::queue_id)];
    out.arrival_unix_us = fields.arrival;
    out.content_size = fields.content_size;
    out.recipients_total = fields.recipients;
    out.recipients_pending = static_cast<std::uint32_t>(std::count_if(
        progress_.begin(), progress_.end(),
        [](const RecipientProgress& p) { return p.state == RecipientState::pending; }));
    out.valid_size = file.size() - tail.size() + valid_tail;
    return {};
}

}  // namespace sluice::daemon::spool
