// from_domain (see from_domain.hpp). Not a full RFC 5322 parser: it finds the first mailbox's
// addr-spec (inside <...> when angle brackets are used) outside quoted strings and comments,
// and takes what follows its last "@".
#include "daemon/dkim/from_domain.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::daemon::dkim {
namespace {

bool is_domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || static_cast<unsigned char>(c) >= 0x80;  // IDN as UTF-8
}

// The value with quoted strings and comments blanked out (kept as spaces so positions stay
// meaningful), and only up to the first "," that separates mailboxes.
std::string first_mailbox(std::string_view value) {
    std::string out;
    bool quoted = false;
    int comment_depth = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\\' && (quoted || comment_depth > 0)) {
            ++i;  // a quoted-pair: skip the escaped character
            out += ' ';
            continue;
        }
        if (quoted) {
            quoted = c != '"';
            out += ' ';
        } else if (c == '(') {
            ++comment_depth;
            out += ' ';
        } else if (comment_depth > 0) {
            comment_depth -= c == ')' ? 1 : 0;
            out += ' ';
        } else if (c == '"') {
            quoted = true;
            out += ' ';
        } else if (c == ',') {
            break;
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> domain_of(std::string_view mailbox) {
    if (auto open = mailbox.find('<'); open != std::string_view::npos) {
        const auto close = mailbox.find('>', open);
        const auto length = close == std::string_view::npos ? close : close - open - 1;
        mailbox = mailbox.substr(open + 1, length);
    }
    const auto at = mailbox.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = mailbox.substr(at + 1);
    while (!rest.empty() && !is_domain_char(rest.front())) rest.remove_prefix(1);
    std::string domain;
    for (char c : rest) {
        if (!is_domain_char(c)) break;
        domain += policy::text::to_lower(c);
    }
    while (!domain.empty() && domain.back() == '.') domain.pop_back();
    if (domain.empty()) return std::nullopt;
    return domain;
}

}  // namespace

std::optional<std::string> from_domain(const std::vector<HeaderField>& fields) {
    for (const HeaderField& field : fields) {
        if (!policy::text::iequals(field.name, "From")) continue;
        const std::string_view value = field.text.substr(field.text.find(':') + 1);
        return domain_of(first_mailbox(value));
    }
    return std::nullopt;
}

}  // namespace sluice::daemon::dkim
