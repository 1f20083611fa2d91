// Fuzz target: the SMTP command parser (daemon/smtp/command.hpp). The input is one command line.
// Invariants beyond "no crash":
//  - a recognised command's argument has no leading space, no trailing space or TAB and no
//    control character, and the line rebuilt from verb and argument parses to the same command;
//  - an accepted MAIL / RCPT / BDAT argument, written back in canonical form, parses to the same
//    value (the parser is a fixed point on its own output), and a MAIL address without SMTPUTF8
//    is ASCII;
//  - a refusal is one of the reply codes daemon/smtp/REPLIES.md lists for it, and its wire form
//    is one CRLF-terminated line shorter than RFC 5321's 512 octets.
#include <cstdint>
#include <string>
#include <variant>

#include "daemon/smtp/command.hpp"
#include "fuzz/fuzz_check.hpp"

namespace smtp = sluice::daemon::smtp;
using sluice::fuzz::as_view;

namespace {

std::string_view verb_name(smtp::Verb verb) {
    switch (verb) {
        case smtp::Verb::helo:
            return "HELO";
        case smtp::Verb::ehlo:
            return "EHLO";
        case smtp::Verb::mail:
            return "MAIL";
        case smtp::Verb::rcpt:
            return "RCPT";
        case smtp::Verb::data:
            return "DATA";
        case smtp::Verb::bdat:
            return "BDAT";
        case smtp::Verb::rset:
            return "RSET";
        case smtp::Verb::noop:
            return "NOOP";
        case smtp::Verb::quit:
            return "QUIT";
        case smtp::Verb::vrfy:
            return "VRFY";
        case smtp::Verb::expn:
            return "EXPN";
        case smtp::Verb::help:
            return "HELP";
        case smtp::Verb::starttls:
            return "STARTTLS";
        case smtp::Verb::auth:
            return "AUTH";
        case smtp::Verb::unknown:
            break;
    }
    return "";
}

bool has_control(std::string_view s) {
    for (char c : s) {
        if ((c >= 0 && c < 32 && c != '\t') || c == 127) return true;
    }
    return false;
}

void check_refusal(const smtp::Reply& reply, std::initializer_list<int> allowed) {
    bool listed = false;
    for (int code : allowed) listed = listed || reply.code == code;
    FUZZ_CHECK(listed);
    const std::string wire = reply.to_wire();
    FUZZ_CHECK(wire.size() < 512);
    FUZZ_CHECK(wire.find('\n') == wire.size() - 1 && wire.find('\r') == wire.size() - 2);
}

void check_mail(std::string_view argument) {
    auto parsed = smtp::parse_mail_from(argument);
    if (auto* reply = std::get_if<smtp::Reply>(&parsed))
        return check_refusal(*reply, {501, 553, 555});
    const auto& mail = std::get<smtp::MailFrom>(parsed);
    FUZZ_CHECK(mail.smtputf8 || smtp::is_ascii(mail.address));
    FUZZ_CHECK(!has_control(mail.address));
    std::string canonical = "FROM:<" + mail.address + ">";
    if (!mail.params.empty()) canonical += " " + mail.params;
    auto again = smtp::parse_mail_from(canonical);
    const auto* same = std::get_if<smtp::MailFrom>(&again);
    FUZZ_CHECK(same != nullptr);
    FUZZ_CHECK(same->address == mail.address && same->size == mail.size &&
               same->body_type == mail.body_type && same->smtputf8 == mail.smtputf8 &&
               same->params == mail.params);
}

void check_rcpt(std::string_view argument) {
    auto parsed = smtp::parse_rcpt_to(argument);
    if (auto* reply = std::get_if<smtp::Reply>(&parsed)) return check_refusal(*reply, {501, 555});
    const auto& rcpt = std::get<smtp::RcptTo>(parsed);
    FUZZ_CHECK(!rcpt.address.empty() && !has_control(rcpt.address));
    std::string canonical = "TO:<" + rcpt.address + ">";
    if (!rcpt.params.empty()) canonical += " " + rcpt.params;
    auto again = smtp::parse_rcpt_to(canonical);
    const auto* same = std::get_if<smtp::RcptTo>(&again);
    FUZZ_CHECK(same != nullptr);
    FUZZ_CHECK(same->address == rcpt.address && same->params == rcpt.params);
}

void check_bdat(std::string_view argument) {
    auto parsed = smtp::parse_bdat(argument);
    if (auto* reply = std::get_if<smtp::Reply>(&parsed)) return check_refusal(*reply, {501});
    const auto& bdat = std::get<smtp::Bdat>(parsed);
    std::string canonical = std::to_string(bdat.chunk_size) + (bdat.last ? " LAST" : "");
    auto again = smtp::parse_bdat(canonical);
    const auto* same = std::get_if<smtp::Bdat>(&again);
    FUZZ_CHECK(same != nullptr && same->chunk_size == bdat.chunk_size && same->last == bdat.last);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line = as_view(data, size);
    const smtp::Command command = smtp::parse_command(line);
    if (command.verb == smtp::Verb::unknown) {
        FUZZ_CHECK(command.argument.empty());
    } else {
        const std::string_view arg = command.argument;
        FUZZ_CHECK(!has_control(arg) && arg.size() < line.size());
        FUZZ_CHECK(arg.empty() || (arg.front() != ' ' && arg.back() != ' ' && arg.back() != '\t'));
        std::string rebuilt(verb_name(command.verb));
        if (!arg.empty()) rebuilt += " " + command.argument;
        const smtp::Command again = smtp::parse_command(rebuilt);
        FUZZ_CHECK(again.verb == command.verb && again.argument == command.argument);
    }
    // The argument grammars are fuzzed on the raw input too, not only behind a matching verb,
    // so the fuzzer need not discover "MAIL " first.
    check_mail(command.verb == smtp::Verb::mail ? std::string_view(command.argument) : line);
    check_rcpt(command.verb == smtp::Verb::rcpt ? std::string_view(command.argument) : line);
    check_bdat(command.verb == smtp::Verb::bdat ? std::string_view(command.argument) : line);
    return 0;
}
