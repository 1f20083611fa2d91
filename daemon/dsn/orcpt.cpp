// find_orcpt / decode_orcpt (see orcpt.hpp).
#include "daemon/dsn/orcpt.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::daemon::dsn {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;  // RFC 3461 §4: hexchar is upper case only
    }
    return -1;
}

bool is_printable_ascii(char c) {
    return c >= 0x21 && c <= 0x7e;
}

}  // namespace

std::string find_orcpt(std::string_view rcpt_params) {
    std::size_t pos = 0;
    while (pos < rcpt_params.size()) {
        std::size_t end = rcpt_params.find(' ', pos);
        if (end == std::string_view::npos) {
            end = rcpt_params.size();
        }
        std::string_view param = rcpt_params.substr(pos, end - pos);
        if (param.size() > 6 && policy::text::istarts_with(param, "ORCPT=")) {
            return std::string(param.substr(6));
        }
        pos = end + 1;
    }
    return "";
}

std::string decode_orcpt(std::string_view value) {
    const std::size_t semicolon = value.find(';');
    if (semicolon == 0 || semicolon == std::string_view::npos) {
        return "";
    }
    const std::string_view type = value.substr(0, semicolon);
    for (char c : type) {
        if (!is_printable_ascii(c)) {
            return "";  // addr-type is an atom
        }
    }
    const std::string address = decode_xtext(value.substr(semicolon + 1));
    return address.empty() ? "" : std::string(type) + "; " + address;
}

std::string decode_xtext(std::string_view xtext) {
    std::string decoded;
    for (std::size_t i = 0; i < xtext.size(); ++i) {
        char c = xtext[i];
        if (c == '+') {
            // RFC 3461 §4: "+" followed by two upper-case hex digits.
            if (i + 2 >= xtext.size() || hex_value(xtext[i + 1]) < 0 ||
                hex_value(xtext[i + 2]) < 0) {
                return "";
            }
            c = static_cast<char>(hex_value(xtext[i + 1]) * 16 + hex_value(xtext[i + 2]));
            i += 2;
        }
        if (!is_printable_ascii(c) && c != ' ') {
            return "";
        }
        decoded += c;
    }
    return decoded;
}

}  // namespace sluice::daemon::dsn
