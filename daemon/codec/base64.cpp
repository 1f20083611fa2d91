#include "daemon/codec/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace sluice::daemon::codec {

namespace {
bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}
}  // namespace

std::string encode_base64(std::string_view bytes) {
    // 4 output characters per 3 input bytes, plus the NUL EVP_EncodeBlock writes.
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
    if (text.empty()) return std::string();
    if (text.size() % 4 != 0) return std::nullopt;
    // "=" allowed only as the last one or two characters.
    const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
    if (!std::all_of(text.begin(), text.end() - padding, is_base64_char)) return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0 || static_cast<std::size_t>(n) < padding) return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - padding);  // the padding decodes to NULs
    return out;
}

}  // namespace sluice::daemon::codec
