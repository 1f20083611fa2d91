#include "daemon/smtp/sasl_response.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace sluice::daemon::smtp {

namespace {
bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}
}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
    if (text == "=") return std::string();
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    // EVP_DecodeBlock skips whitespace and trusts the padding; check the alphabet first, with
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

std::string encode_base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<Credentials> parse_plain(std::string_view message) {
    const std::size_t first = message.find('\0');
    if (first == std::string_view::npos) return std::nullopt;
    const std::size_t second = message.find('\0', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const std::string_view authzid = message.substr(0, first);
    const std::string_view user = message.substr(first + 1, second - first - 1);
    const std::string_view password = message.substr(second + 1);
    if (user.empty() || password.empty() || password.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    if (!authzid.empty() && authzid != user) return std::nullopt;
    return Credentials{std::string(user), std::string(password)};
}

}  // namespace sluice::daemon::smtp
