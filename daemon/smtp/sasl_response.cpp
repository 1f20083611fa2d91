#include "daemon/smtp/sasl_response.hpp"

#include "daemon/codec/base64.hpp"

namespace sluice::daemon::smtp {

std::optional<std::string> decode_base64(std::string_view text) {
    if (text == "=") return std::string();  // RFC 4954 §4: an empty initial response
    if (text.empty()) return std::nullopt;  // an empty line is no response at all
    return codec::decode_base64(text);
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
