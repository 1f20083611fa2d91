// decode_xtext (see xtext.hpp).
#include "daemon/smtp/xtext.hpp"

namespace sluice::daemon::smtp {
namespace {

int upper_hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;  // RFC 3461 §4: upper case only
    return -1;
}

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

}  // namespace

std::optional<std::string> decode_xtext(std::string_view xtext) {
    std::string decoded;
    decoded.reserve(xtext.size());
    for (std::size_t i = 0; i < xtext.size(); ++i) {
        const char c = xtext[i];
        if (c != '+') {
            if (c < '!' || c > '~' || c == '=') return std::nullopt;
            decoded += c;
            continue;
        }
        if (i + 2 >= xtext.size()) return std::nullopt;  // "+" needs two digits after it
        const int high = upper_hex_value(xtext[i + 1]);
        const int low = upper_hex_value(xtext[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        const auto octet = static_cast<unsigned char>(high * 16 + low);
        if (is_control(octet)) return std::nullopt;
        decoded += static_cast<char>(octet);
        i += 2;
    }
    return decoded;
}

}  // namespace sluice::daemon::smtp
