#include "daemon/spool/spool_encoder.hpp"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "daemon/spool/format_errc.hpp"
#include "daemon/spool/progress_record.hpp"
#include "daemon/spool/queue_id.hpp"
#include "daemon/spool/record_format.hpp"

namespace sluice::daemon::spool {

namespace {
constexpr std::size_t kKeepScratchBytes = 4 * 1024 * 1024;

void put_envelope_records(std::string& plain, const Envelope& envelope) {
    put_record(plain, RecordType::queue_id, envelope.queue_id);
    std::string arrival;
    put_le<std::int64_t>(arrival, envelope.arrival_unix_us);
    put_record(plain, RecordType::arrival, arrival);
    put_record(plain, RecordType::client_address, envelope.client_address);
    put_record(plain, RecordType::client_name, envelope.client_name);
    put_record(plain, RecordType::helo, envelope.helo);
    put_record(plain, RecordType::protocol, envelope.protocol);
    put_record(plain, RecordType::listener, envelope.listener);
    put_record(plain, RecordType::sender, envelope.sender);
    put_record(plain, RecordType::mail_params, envelope.mail_params);
    char body_type = static_cast<char>(envelope.body_type);
    put_record(plain, RecordType::body_type, std::string_view(&body_type, 1));
    put_record(plain, RecordType::smtputf8,
               envelope.smtputf8 ? std::string_view("\1", 1) : std::string_view("\0", 1));
    if (!envelope.auth_user.empty()) put_record(plain, RecordType::auth_user, envelope.auth_user);
    std::string address_length;
    for (const Recipient& recipient : envelope.recipients) {
        address_length.clear();
        put_varint(address_length, recipient.address.size());
        put_record_header(
            plain, RecordType::recipient,
            address_length.size() + recipient.address.size() + recipient.params.size());
        plain.append(address_length).append(recipient.address).append(recipient.params);
    }
}
}  // namespace

void SpoolEncoder::FreeContext::operator()(ZSTD_CCtx_s* context) const noexcept {
    ZSTD_freeCCtx(context);
}

SpoolEncoder::SpoolEncoder(int compression_level) : context_(ZSTD_createCCtx()) {
    if (!context_) throw std::bad_alloc();
    ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_compressionLevel,
                           std::clamp(compression_level, 1, 19));
    ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_contentSizeFlag, 1);
}

SpoolEncoder::~SpoolEncoder() = default;

std::error_code SpoolEncoder::encode(const SpooledMessage& message, std::string& out) {
    const Envelope& envelope = message.envelope;
    if (!is_valid_queue_id(envelope.queue_id)) return format_errc::bad_queue_id;
    if (envelope.recipients.empty()) return format_errc::no_recipients;
    if (message.content.size() > kMaxPlainSize / 2) return format_errc::too_large;

    plain_.clear();
    put_envelope_records(plain_, envelope);
    std::string_view content = message.content;
    plain_.reserve(plain_.size() + content.size() + content.size() / kContentChunkSize * 8 + 16);
    for (std::size_t at = 0; at < content.size(); at += kContentChunkSize) {
        put_record(plain_, RecordType::content, content.substr(at, kContentChunkSize));
    }
    put_record(plain_, RecordType::end, {});
    if (plain_.size() > kMaxPlainSize) return format_errc::too_large;

    out.clear();
    out.resize(kPreambleSize + ZSTD_compressBound(plain_.size()));
    std::size_t frame_size =
        ZSTD_compress2(context_.get(), out.data() + kPreambleSize, out.size() - kPreambleSize,
                       plain_.data(), plain_.size());
    if (ZSTD_isError(frame_size)) return format_errc::corrupt_frame;
    out.resize(kPreambleSize + frame_size);

    std::string preamble;
    put_preamble(preamble, Preamble{kSpoolFormatVersion, static_cast<std::uint32_t>(frame_size),
                                    static_cast<std::uint32_t>(envelope.recipients.size())});
    std::memcpy(out.data(), preamble.data(), kPreambleSize);
    for (const RecipientProgress& progress : message.progress) put_progress_record(out, progress);

    if (plain_.capacity() > kKeepScratchBytes) std::string().swap(plain_);
    return {};
}

}  // namespace sluice::daemon::spool
