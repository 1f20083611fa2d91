// Command-line parsing: verb lookup and the MAIL/RCPT/BDAT argument grammars (RFC 5321 §4.1.1,
// §4.1.2, RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 3461 NOTIFY/ORCPT, RFC 3030
// BDAT). Every rejection is one of the replies in REPLIES.md; nothing here knows session state.
#include "daemon/smtp/command.hpp"

#include <array>
#include <utility>

#include "daemon/smtp/address_syntax.hpp"
#include "daemon/smtp/xtext.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::smtp {
namespace {

using policy::text::iequals;  // verbs, keywords and parameter values (RFC 5321 §2.4)

constexpr std::size_t kMaxUint64Digits = 20;
constexpr std::size_t kMaxEchoedKeyword = 64;  // keeps a 555 reply line well under 512 octets
constexpr std::size_t kMaxOrcptSize = 500;     // RFC 3461 §4.2
constexpr std::size_t kMaxEnvidSize = 100;     // RFC 3461 §4.4

struct VerbName {
    std::string_view name;
    Verb verb;
};

constexpr std::array<VerbName, 14> kVerbs{{
    {"HELO", Verb::helo},
    {"EHLO", Verb::ehlo},
    {"MAIL", Verb::mail},
    {"RCPT", Verb::rcpt},
    {"DATA", Verb::data},
    {"BDAT", Verb::bdat},
    {"RSET", Verb::rset},
    {"NOOP", Verb::noop},
    {"QUIT", Verb::quit},
    {"VRFY", Verb::vrfy},
    {"EXPN", Verb::expn},
    {"HELP", Verb::help},
    {"STARTTLS", Verb::starttls},
    {"AUTH", Verb::auth},
}};

// What differs between MAIL and RCPT when parsing "KEYWORD:<path> params".
struct PathGrammar {
    std::string_view keyword;  // "FROM:" / "TO:"
    Reply syntax_error;
    Reply address_error;
};

const PathGrammar& mail_grammar() {
    static const PathGrammar grammar{"FROM:",
                                     {501, "5.5.4", "Syntax: MAIL FROM:<address>"},
                                     {501, "5.1.7", "Bad sender address syntax"}};
    return grammar;
}

const PathGrammar& rcpt_grammar() {
    static const PathGrammar grammar{"TO:",
                                     {501, "5.5.4", "Syntax: RCPT TO:<address>"},
                                     {501, "5.1.3", "Bad recipient address syntax"}};
    return grammar;
}

Reply unsupported_option(std::string_view name) {
    return {555, "5.5.4", "Unsupported option: " + std::string(name.substr(0, kMaxEchoedKeyword))};
}

bool is_control(char c) {
    return (c >= 0 && c < 32 && c != '\t') || c == 127;
}

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Takes the next space-separated token off `s`; empty when none is left.
std::string_view next_token(std::string_view& s) {
    s = trim_spaces(s);
    std::size_t space = s.find(' ');
    std::string_view token = s.substr(0, space);
    s.remove_prefix(space == std::string_view::npos ? s.size() : space);
    return token;
}

std::optional<std::uint64_t> parse_decimal(std::string_view digits) {
    if (digits.empty() || digits.size() > kMaxUint64Digits) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

// esmtp-param = esmtp-keyword ["=" esmtp-value] (RFC 5321 §4.1.2; UTF-8 values, RFC 6531).
struct Param {
    std::string_view keyword;
    std::optional<std::string_view> value;
};

std::optional<Param> split_param(std::string_view token) {
    std::size_t equals = token.find('=');
    Param param{token.substr(0, equals), std::nullopt};
    if (param.keyword.empty() || param.keyword.front() == '-') return std::nullopt;
    for (char c : param.keyword) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!ok && c != '-') return std::nullopt;
    }
    if (equals == std::string_view::npos) return param;
    std::string_view value = token.substr(equals + 1);
    if (value.empty() || !is_valid_utf8(value)) return std::nullopt;
    for (char c : value) {
        if (c == '=' || is_control(c) || c == '\t') return std::nullopt;
    }
    param.value = value;
    return param;
}

// "KEYWORD:<path> params" → path (inside the brackets) and params, or nullopt on a syntax error.
struct PathArgument {
    std::string_view path;
    std::string_view params;
};

std::optional<PathArgument> split_path_argument(std::string_view argument,
                                                std::string_view keyword) {
    if (!policy::text::istarts_with(argument, keyword)) {
        return std::nullopt;
    }
    argument.remove_prefix(keyword.size());
    if (!argument.empty() && argument.front() == ' ') argument.remove_prefix(1);  // Postfix-lenient
    if (argument.empty() || argument.front() != '<') return std::nullopt;
    bool quoted = false;
    for (std::size_t i = 1; i < argument.size(); ++i) {
        char c = argument[i];
        if (quoted && c == '\\') {
            ++i;  // quoted-pair: the next octet cannot close the quote or the path
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == '>' && !quoted) {
            std::string_view rest = argument.substr(i + 1);
            if (!rest.empty() && rest.front() != ' ') return std::nullopt;
            return PathArgument{argument.substr(1, i - 1), trim_spaces(rest)};
        }
    }
    return std::nullopt;
}

// The mailbox of a non-null path, or nullopt when the address is not valid.
std::optional<std::string_view> parse_mailbox(std::string_view path) {
    std::optional<std::string_view> mailbox = strip_source_route(path);
    if (!mailbox || !is_valid_mailbox(*mailbox)) return std::nullopt;
    return mailbox;
}

// RFC 3461 §4.1: "NEVER" alone, or a list of SUCCESS, FAILURE and DELAY.
bool is_valid_notify(std::string_view value) {
    if (iequals(value, "NEVER")) return true;
    while (true) {
        std::size_t comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        if (!iequals(item, "SUCCESS") && !iequals(item, "FAILURE") && !iequals(item, "DELAY")) {
            return false;
        }
        if (comma == std::string_view::npos) return true;
        value.remove_prefix(comma + 1);
    }
}

// RFC 3461 §4.2: ORCPT=addr-type ";" xtext, addr-type an atom ("rfc822", "utf-8").
bool is_valid_orcpt(std::string_view value) {
    const std::size_t semicolon = value.find(';');
    if (value.size() > kMaxOrcptSize || semicolon == 0 || semicolon == std::string_view::npos) {
        return false;
    }
    for (char c : value.substr(0, semicolon)) {
        const bool atom =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!atom) return false;
    }
    const std::optional<std::string> address = decode_xtext(value.substr(semicolon + 1));
    return address && !address->empty();
}

// RFC 3461 §4.4: ENVID=xtext, at most 100 characters.
bool is_valid_envid(std::string_view value) {
    return value.size() <= kMaxEnvidSize && decode_xtext(value).has_value();
}

// Applies one MAIL parameter to `mail`; a reply when it must be refused.
// Which MAIL parameters a transaction already had (each may come once).
struct SeenMailParams {
    bool body = false;
    bool ret = false;
    bool envid = false;
};

std::optional<Reply> apply_mail_param(const Param& param, MailFrom& mail, SeenMailParams& seen) {
    const Reply& syntax = mail_grammar().syntax_error;
    if (iequals(param.keyword, "SIZE")) {  // RFC 1870
        if (mail.size || !param.value) return syntax;
        mail.size = parse_decimal(*param.value);
        if (!mail.size) return syntax;
    } else if (iequals(param.keyword, "BODY")) {  // RFC 6152, RFC 3030 §3
        if (seen.body || !param.value) return syntax;
        seen.body = true;
        if (iequals(*param.value, "7BIT")) {
            mail.body_type = spool::BodyType::seven_bit;
        } else if (iequals(*param.value, "8BITMIME")) {
            mail.body_type = spool::BodyType::eight_bit_mime;
        } else if (iequals(*param.value, "BINARYMIME")) {
            return unsupported_option("BODY=BINARYMIME");  // we do not offer BINARYMIME
        } else {
            return syntax;
        }
    } else if (iequals(param.keyword, "SMTPUTF8")) {  // RFC 6531 §3.4: no value
        if (mail.smtputf8 || param.value) return syntax;
        mail.smtputf8 = true;
    } else if (iequals(param.keyword, "RET")) {  // RFC 3461 §4.3
        if (seen.ret || !param.value) return syntax;
        if (!iequals(*param.value, "FULL") && !iequals(*param.value, "HDRS")) return syntax;
        seen.ret = mail.dsn = true;
    } else if (iequals(param.keyword, "ENVID")) {  // RFC 3461 §4.4
        if (seen.envid || !param.value || !is_valid_envid(*param.value)) return syntax;
        seen.envid = mail.dsn = true;
    } else if (iequals(param.keyword, "AUTH")) {
        // RFC 4954 §5: accepted and ignored; who submitted is what AUTH proved, not this.
        if (!param.value) return syntax;
    } else {
        return unsupported_option(param.keyword);
    }
    return std::nullopt;
}

std::optional<Reply> apply_rcpt_param(const Param& param, RcptTo& rcpt, bool& seen_notify,
                                      bool& seen_orcpt) {
    const Reply& syntax = rcpt_grammar().syntax_error;
    if (iequals(param.keyword, "NOTIFY")) {
        if (seen_notify || !param.value || !is_valid_notify(*param.value)) return syntax;
        seen_notify = rcpt.dsn = true;
    } else if (iequals(param.keyword, "ORCPT")) {
        if (seen_orcpt || !param.value || !is_valid_orcpt(*param.value)) return syntax;
        seen_orcpt = rcpt.dsn = true;
    } else {
        return unsupported_option(param.keyword);
    }
    return std::nullopt;
}

}  // namespace

Command parse_command(std::string_view line) {
    for (char c : line) {
        if (is_control(c)) return {};
    }
    std::size_t space = line.find(' ');
    std::string_view name = line.substr(0, space);
    for (const VerbName& candidate : kVerbs) {
        if (iequals(name, candidate.name)) {
            std::string_view rest = space == std::string_view::npos ? "" : line.substr(space);
            return {candidate.verb, std::string(trim_spaces(rest))};
        }
    }
    return {};
}

std::variant<MailFrom, Reply> parse_mail_from(std::string_view argument) {
    const PathGrammar& grammar = mail_grammar();
    std::optional<PathArgument> split = split_path_argument(argument, grammar.keyword);
    if (!split) return grammar.syntax_error;
    MailFrom mail;
    if (!split->path.empty()) {  // "<>" is the null sender (RFC 5321 §4.5.5)
        std::optional<std::string_view> mailbox = parse_mailbox(split->path);
        if (!mailbox) return grammar.address_error;
        mail.address = *mailbox;
    }
    SeenMailParams seen;
    for (std::string_view rest = split->params; !rest.empty();) {
        std::optional<Param> param = split_param(next_token(rest));
        if (!param) return grammar.syntax_error;
        if (auto refusal = apply_mail_param(*param, mail, seen)) return *std::move(refusal);
    }
    // Only now is SMTPUTF8 known (it may follow the address's parameters in any order).
    if (!mail.smtputf8 && !is_ascii(mail.address)) {
        return Reply{553, "5.6.7", "Non-ASCII address requires SMTPUTF8"};
    }
    mail.params = split->params;
    return mail;
}

std::variant<RcptTo, Reply> parse_rcpt_to(std::string_view argument) {
    const PathGrammar& grammar = rcpt_grammar();
    std::optional<PathArgument> split = split_path_argument(argument, grammar.keyword);
    if (!split) return grammar.syntax_error;
    RcptTo rcpt;
    if (iequals(split->path, "Postmaster")) {  // RFC 5321 §4.1.1.3: no domain needed
        rcpt.address = split->path;
    } else {
        std::optional<std::string_view> mailbox = parse_mailbox(split->path);
        if (!mailbox) return grammar.address_error;
        rcpt.address = *mailbox;
    }
    bool seen_notify = false;
    bool seen_orcpt = false;
    for (std::string_view rest = split->params; !rest.empty();) {
        std::optional<Param> param = split_param(next_token(rest));
        if (!param) return grammar.syntax_error;
        if (auto refusal = apply_rcpt_param(*param, rcpt, seen_notify, seen_orcpt)) {
            return *std::move(refusal);
        }
    }
    rcpt.params = split->params;
    return rcpt;
}

std::variant<Bdat, Reply> parse_bdat(std::string_view argument) {
    Reply syntax{501, "5.5.4", "Syntax: BDAT size [LAST]"};
    std::string_view rest = argument;
    std::optional<std::uint64_t> size = parse_decimal(next_token(rest));
    if (!size) return syntax;
    Bdat bdat{*size, false};
    std::string_view last = next_token(rest);
    if (!last.empty()) {
        if (!iequals(last, "LAST")) return syntax;
        bdat.last = true;
    }
    if (!trim_spaces(rest).empty()) return syntax;
    return bdat;
}

bool is_ascii(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

}  // namespace sluice::daemon::smtp
