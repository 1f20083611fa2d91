// Fuzz target: reading spool files (daemon/spool/record_format.hpp, spool_decoder.hpp,
// spool_reader.hpp). Byte 0 picks how the rest is used:
//  - even: the rest is a whole spool file, as found on disk;
//  - odd: byte 1 is the recipient count, bytes 2..3 the length L of a record stream; the next L
//    bytes are compressed into a valid checksummed frame behind a valid preamble and the bytes
//    after them are the progress tail. Random bytes almost never pass the zstd checksum, so this
//    is what lets the fuzzer reach the record and progress parsers.
// Invariants:
//  - decode() and summarize() agree on success or the error, and on the counts;
//  - read_spool_file() of the same bytes on disk gives the same result as decode();
//  - a decoded message, encoded again (SpoolEncoder) and decoded, is the same message: whatever
//    the reader accepts, the writer can write and the reader reads back unchanged;
//  - take_record() on the raw bytes uses exactly what the record spans, and put_record() of
//    what it took reads back the same record.
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "daemon/spool/record_format.hpp"
#include "daemon/spool/spool_decoder.hpp"
#include "daemon/spool/spool_encoder.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "fuzz/fuzz_check.hpp"

namespace spool = sluice::daemon::spool;

namespace {

std::string frame_file(std::string_view rest) {
    if (rest.size() < 3) return {};
    const std::uint32_t recipients = static_cast<unsigned char>(rest[0]);
    std::size_t plain_size = static_cast<unsigned char>(rest[1]) |
                             static_cast<std::size_t>(static_cast<unsigned char>(rest[2])) << 8;
    rest.remove_prefix(3);
    plain_size = std::min(plain_size, rest.size());
    const std::string_view plain = rest.substr(0, plain_size);
    const std::string_view tail = rest.substr(plain_size);

    std::string frame(ZSTD_compressBound(plain.size()), '\0');
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1);
    const std::size_t n =
        ZSTD_compress2(context, frame.data(), frame.size(), plain.data(), plain.size());
    ZSTD_freeCCtx(context);
    FUZZ_CHECK(!ZSTD_isError(n));
    frame.resize(n);

    std::string file;
    spool::put_preamble(file,
                        {spool::kSpoolFormatVersion, static_cast<std::uint32_t>(n), recipients});
    return file + frame + std::string(tail);
}

bool same_message(const spool::SpooledMessage& a, const spool::SpooledMessage& b) {
    const spool::Envelope& x = a.envelope;
    const spool::Envelope& y = b.envelope;
    bool recipients_equal = x.recipients.size() == y.recipients.size();
    for (std::size_t i = 0; recipients_equal && i < x.recipients.size(); ++i) {
        recipients_equal = x.recipients[i].address == y.recipients[i].address &&
                           x.recipients[i].params == y.recipients[i].params;
    }
    return recipients_equal && x.queue_id == y.queue_id && x.arrival_unix_us == y.arrival_unix_us &&
           x.client_address == y.client_address && x.client_name == y.client_name &&
           x.helo == y.helo && x.protocol == y.protocol && x.listener == y.listener &&
           x.sender == y.sender && x.mail_params == y.mail_params && x.body_type == y.body_type &&
           x.smtputf8 == y.smtputf8 && a.content == b.content && a.progress == b.progress;
}

// The same bytes through the file path: a memfd named by /proc/self/fd, no disk involved.
std::error_code read_as_file(std::string_view file, spool::SpooledMessage& out) {
    const int fd = memfd_create("spool-fuzz", 0);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size()));
    const std::error_code ec = spool::read_spool_file("/proc/self/fd/" + std::to_string(fd), out);
    close(fd);
    return ec;
}

void check_take_record(std::string_view input) {
    const std::string_view before = input;
    spool::RecordView record;
    if (spool::take_record(input, record)) return;
    FUZZ_CHECK(input.size() + 1 + record.payload.size() <= before.size());
    FUZZ_CHECK(record.payload.data() + record.payload.size() == input.data());
    std::string again;
    spool::put_record(again, static_cast<spool::RecordType>(record.type), record.payload);
    std::string_view view = again;
    spool::RecordView reread;
    FUZZ_CHECK(!spool::take_record(view, reread) && view.empty());
    FUZZ_CHECK(reread.type == record.type && reread.payload == record.payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view rest = sluice::fuzz::as_view(data + 1, size - 1);
    const std::string file = (data[0] & 1) ? frame_file(rest) : std::string(rest);
    check_take_record(rest);

    static spool::SpoolDecoder decoder;
    spool::SpooledMessage message;
    const std::error_code decoded = decoder.decode(file, message);
    spool::SpoolSummary summary;
    const std::error_code summarized = decoder.summarize(file, summary);
    FUZZ_CHECK(decoded == summarized);

    spool::SpooledMessage from_file;
    FUZZ_CHECK(read_as_file(file, from_file) == decoded);
    if (decoded) return 0;
    FUZZ_CHECK(same_message(message, from_file));

    FUZZ_CHECK(summary.recipients_total == message.envelope.recipients.size());
    FUZZ_CHECK(summary.content_size == message.content.size());
    FUZZ_CHECK(summary.queue_id == message.envelope.queue_id);
    FUZZ_CHECK(summary.valid_size <= file.size());
    const auto pending = std::count_if(message.progress.begin(), message.progress.end(),
                                       [](const spool::RecipientProgress& p) {
                                           return p.state == spool::RecipientState::pending;
                                       });
    FUZZ_CHECK(summary.recipients_pending == static_cast<std::uint32_t>(pending));

    static spool::SpoolEncoder encoder(1);
    std::string encoded;
    FUZZ_CHECK(!encoder.encode(message, encoded));
    spool::SpooledMessage again;
    FUZZ_CHECK(!decoder.decode(encoded, again));
    FUZZ_CHECK(same_message(message, again));
    return 0;
}
