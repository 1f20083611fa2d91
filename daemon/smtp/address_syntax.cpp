// Path and mailbox syntax (RFC 5321 §4.1.2 / §4.1.3, RFC 6531 §3.3). Each check walks the text
// once; nothing is copied.
#include "daemon/smtp/address_syntax.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "common/utf8.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::smtp {
namespace {

constexpr std::size_t kMaxDomainLength = 255;
constexpr std::size_t kMaxLabelLength = 63;

bool is_non_ascii(char c) {
    return static_cast<unsigned char>(c) >= 0x80;
}
bool is_alpha_digit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5321 atext, extended with UTF-8 octets by RFC 6531 §3.3.
bool is_atext(char c) {
    if (is_alpha_digit(c) || is_non_ascii(c)) return true;
    constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
    return c != '\0' && kSpecials.find(c) != std::string_view::npos;
}

// qtextSMTP: %d32-33 / %d35-91 / %d93-126, plus UTF-8 (RFC 6531).
bool is_qtext(char c) {
    return is_non_ascii(c) || (c >= 32 && c <= 126 && c != '"' && c != '\\');
}

// Dot-string: Atom *("." Atom).
bool is_dot_string(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char previous = '\0';
    for (char c : s) {
        if (c == '.' ? previous == '.' : !is_atext(c)) return false;
        previous = c;
    }
    return true;
}

// The length of the quoted-string that opens `s`, or 0 when there is none.
std::size_t quoted_string_length(std::string_view s) {
    if (s.empty() || s.front() != '"') return 0;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '"') return i + 1;
        if (s[i] == '\\') {  // quoted-pair: %d92 %d32-126
            if (++i == s.size() || s[i] < 32 || s[i] > 126) return 0;
        } else if (!is_qtext(s[i])) {
            return 0;
        }
    }
    return 0;
}

bool is_valid_label(std::string_view label) {
    if (label.empty() || label.size() > kMaxLabelLength) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
        if (!is_alpha_digit(c) && c != '-' && !is_non_ascii(c)) return false;
    }
    return true;
}

bool parses_as_address(int family, std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return false;
    std::string copy(text);  // inet_pton needs a terminated string
    in6_addr storage{};
    return inet_pton(family, copy.c_str(), &storage) == 1;
}

}  // namespace

std::optional<std::string_view> strip_source_route(std::string_view path) {
    if (path.empty() || path.front() != '@') return path;
    // A-d-l ":" where A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain.
    std::size_t colon = path.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view route = path.substr(0, colon);
    while (!route.empty()) {
        std::size_t comma = route.find(',');
        std::string_view hop = route.substr(0, comma);
        if (hop.size() < 2 || hop.front() != '@' || !is_valid_domain(hop.substr(1))) {
            return std::nullopt;
        }
        if (comma == std::string_view::npos) break;
        route.remove_prefix(comma + 1);
        if (route.empty()) return std::nullopt;  // trailing comma
    }
    return path.substr(colon + 1);
}

bool is_valid_mailbox(std::string_view mailbox) {
    if (mailbox.empty() || mailbox.size() > kMaxAddressLength || !is_valid_utf8(mailbox)) {
        return false;
    }
    std::size_t at = 0;
    if (mailbox.front() == '"') {
        at = quoted_string_length(mailbox);
        if (at == 0 || at >= mailbox.size() || mailbox[at] != '@') return false;
    } else {
        at = mailbox.rfind('@');  // a dot-string holds no '@'; the check below proves it
        if (at == std::string_view::npos || !is_dot_string(mailbox.substr(0, at))) return false;
    }
    std::string_view domain = mailbox.substr(at + 1);
    if (!domain.empty() && domain.front() == '[') return is_valid_address_literal(domain);
    return is_valid_domain(domain);
}

bool is_valid_domain(std::string_view domain) {
    if (domain.empty() || domain.size() > kMaxDomainLength) return false;
    while (true) {
        std::size_t dot = domain.find('.');
        if (!is_valid_label(domain.substr(0, dot))) return false;
        if (dot == std::string_view::npos) return true;
        domain.remove_prefix(dot + 1);
    }
}

bool is_valid_address_literal(std::string_view literal) {
    if (literal.size() < 3 || literal.front() != '[' || literal.back() != ']') return false;
    std::string_view inside = literal.substr(1, literal.size() - 2);
    constexpr std::string_view kIpv6Tag = "IPv6:";
    if (inside.size() > kIpv6Tag.size() && policy::text::istarts_with(inside, kIpv6Tag)) {
        return parses_as_address(AF_INET6, inside.substr(kIpv6Tag.size()));
    }
    return parses_as_address(AF_INET, inside);
}

bool is_valid_utf8(std::string_view text) {
    return common::is_valid_utf8(text);
}

}  // namespace sluice::daemon::smtp
