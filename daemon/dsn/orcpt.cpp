// find_orcpt / decode_orcpt (see orcpt.hpp).
#include "daemon/dsn/orcpt.hpp"

#include "daemon/dsn/dsn_params.hpp"
#include "daemon/smtp/xtext.hpp"

namespace sluice::daemon::dsn {
namespace {

bool is_printable_ascii(char c) {
    return c >= 0x21 && c <= 0x7e;
}

}  // namespace

std::string find_orcpt(std::string_view rcpt_params) {
    return find_param(rcpt_params, "ORCPT");
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
    const std::optional<std::string> decoded = smtp::decode_xtext(xtext);
    if (!decoded) return "";
    for (char c : *decoded) {
        if (!is_printable_ascii(c) && c != ' ') return "";  // what a status field can carry
    }
    return *decoded;
}

}  // namespace sluice::daemon::dsn
