#include "daemon/spool/record_format.hpp"

#include "daemon/spool/format_errc.hpp"

namespace sluice::daemon::spool {

void put_preamble(std::string& out, const Preamble& preamble) {
    out.append(kSpoolMagic);
    put_le<std::uint16_t>(out, preamble.version);
    put_le<std::uint16_t>(out, 0);
    put_le<std::uint32_t>(out, preamble.frame_size);
    put_le<std::uint32_t>(out, preamble.recipient_count);
}

std::error_code parse_preamble(std::string_view file, Preamble& out) {
    if (file.size() < kPreambleSize) {
        // A short file that is not even a prefix of the magic is not ours at all.
        auto head = file.substr(0, kSpoolMagic.size());
        return kSpoolMagic.starts_with(head) ? format_errc::truncated_preamble
                                             : format_errc::bad_magic;
    }
    if (!file.starts_with(kSpoolMagic)) return format_errc::bad_magic;
    const char* p = file.data() + kSpoolMagic.size();
    out.version = get_le<std::uint16_t>(p);
    if (out.version != kSpoolFormatVersion) return format_errc::unsupported_version;
    if (get_le<std::uint16_t>(p + 2) != 0) return format_errc::bad_preamble;
    out.frame_size = get_le<std::uint32_t>(p + 4);
    out.recipient_count = get_le<std::uint32_t>(p + 8);
    return {};
}

void put_varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

bool take_varint(std::string_view& input, std::uint32_t& value) {
    std::uint64_t result = 0;
    for (std::size_t i = 0; i < 5 && i < input.size(); ++i) {
        auto byte = static_cast<unsigned char>(input[i]);
        result |= std::uint64_t{byte & 0x7Fu} << (7 * i);
        if ((byte & 0x80) == 0) {
            if (result > 0xFFFFFFFFu) return false;
            value = static_cast<std::uint32_t>(result);
            input.remove_prefix(i + 1);
            return true;
        }
    }
    return false;
}

void put_record_header(std::string& out, RecordType type, std::size_t payload_size) {
    out.push_back(static_cast<char>(type));
    put_varint(out, payload_size);
}

void put_record(std::string& out, RecordType type, std::string_view payload) {
    put_record_header(out, type, payload.size());
    out.append(payload);
}

std::error_code take_record(std::string_view& input, RecordView& out) {
    if (input.empty()) return format_errc::truncated_record;
    std::string_view rest = input.substr(1);
    std::uint32_t length = 0;
    if (!take_varint(rest, length) || rest.size() < length) return format_errc::truncated_record;
    out.type = static_cast<std::uint8_t>(input[0]);
    out.payload = rest.substr(0, length);
    input = rest.substr(length);
    return {};
}

}  // namespace sluice::daemon::spool
