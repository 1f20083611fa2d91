// build_dsn (see dsn_builder.hpp). Every value that came from a peer or a client (addresses,
// replies, header text) is cleaned before it goes into a header-like line: control characters
// become spaces and non-ASCII bytes '?', so a reply can neither end a field early nor inject
// one. The original headers are copied byte for byte (marked 8bit when they need it).
#include "daemon/dsn/dsn_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "daemon/dsn/orcpt.hpp"
#include "daemon/smtp/trace_headers.hpp"
#include "policy/message/header_walker.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::dsn {
namespace {

constexpr std::size_t kFoldWidth = 78;              // RFC 5322 §2.1.1 "SHOULD"
constexpr std::size_t kMaxFieldText = 4000;         // a diagnostic longer than this is cut
constexpr std::size_t kMaxHeaderBlock = 64 * 1024;  // of the original message, cut at a line

std::string clean(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte < 0x20 || byte == 0x7f ? ' ' : byte >= 0x80 ? '?' : c;
    }
    return out;
}

// The lines of a reply, split at CRLF or LF, each cleaned; empty lines dropped.
std::vector<std::string> reply_lines(std::string_view reply) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= reply.size()) {
        std::size_t end = reply.find('\n', start);
        if (end == std::string_view::npos) {
            end = reply.size();
        }
        std::string_view line = reply.substr(start, end - start);
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        if (!line.empty()) {
            lines.push_back(clean(line));
        }
        start = end + 1;
    }
    return lines;
}

// "Name: value" folded at spaces to kFoldWidth where it can be (RFC 5322 §2.2.3), CRLF ended.
std::string field(std::string_view name, std::string_view value) {
    while (value.ends_with(' ')) {
        value.remove_suffix(1);  // a folded field must not end in a blank line
    }
    std::string out(name);
    out += ':';
    std::size_t line_length = out.size();
    std::size_t pos = 0;
    while (pos < value.size()) {
        std::size_t word_end = value.find(' ', pos + 1);
        if (word_end == std::string_view::npos) {
            word_end = value.size();
        }
        std::string_view word = value.substr(pos, word_end - pos);  // starts with its space
        if (!word.starts_with(' ')) {
            out += ' ';
            ++line_length;
        } else if (line_length + word.size() > kFoldWidth && line_length > name.size() + 2) {
            out += "\r\n";
            line_length = 0;
        }
        out += word;
        line_length += word.size();
        pos = word_end;
    }
    return out + "\r\n";
}

bool is_enhanced_status(std::string_view status) {
    // RFC 3463 §2: class "." subject "." detail, class 2, 4 or 5, up to 3 digits each part.
    if (status.size() < 5 || (status[0] != '2' && status[0] != '4' && status[0] != '5') ||
        status[1] != '.') {
        return false;
    }
    int dots = 0;
    std::size_t digits = 0;
    for (char c : status.substr(2)) {
        if (c == '.') {
            dots += 1;
            if (digits == 0) {
                return false;
            }
            digits = 0;
        } else if (c >= '0' && c <= '9' && ++digits <= 3) {
            continue;
        } else {
            return false;
        }
    }
    return dots == 1 && digits > 0;
}

std::string status_of(const DsnRecipient& recipient) {
    if (is_enhanced_status(recipient.status)) {
        return recipient.status;
    }
    switch (recipient.action) {
        case Action::failed:
            return "5.0.0";
        case Action::delayed:
            return "4.0.0";
        case Action::relayed:
            return "2.0.0";
    }
    return "5.0.0";
}

// The original header block: up to the empty line, at most kMaxHeaderBlock bytes (cut at a
// line end), always CRLF-terminated.
std::string_view header_block(std::string_view content) {
    std::size_t end = policy::message::find_header_end(content, policy::message::LineBreaks::crlf);
    if (end > kMaxHeaderBlock) {
        end = content.rfind("\r\n", kMaxHeaderBlock - 2);
        end = end == std::string_view::npos ? 0 : end + 2;
    }
    std::string_view block = content.substr(0, end);
    if (!block.ends_with("\r\n")) {
        const std::size_t last = block.rfind("\r\n");
        block = last == std::string_view::npos ? std::string_view{} : block.substr(0, last + 2);
    }
    return block;
}

bool any_with(const DsnInput& input, Action action) {
    return std::any_of(input.recipients.begin(), input.recipients.end(),
                       [action](const DsnRecipient& r) { return r.action == action; });
}

bool any_failed(const DsnInput& input) {
    return any_with(input, Action::failed);
}

const char* action_name(Action action) {
    switch (action) {
        case Action::failed:
            return "failed";
        case Action::delayed:
            return "delayed";
        case Action::relayed:
            return "relayed";
    }
    return "failed";
}

const char* what_happened(Action action) {
    switch (action) {
        case Action::failed:
            return "delivery failed";
        case Action::delayed:
            return "delivery delayed";
        case Action::relayed:
            return "relayed to a server that sends no delivery reports";
    }
    return "delivery failed";
}

// What the notification says of the message in its first lines and its Subject.
struct Kind {
    const char* subject;
    const char* summary;
};

Kind kind_of(const DsnInput& input) {
    if (any_failed(input)) {
        return {"Undelivered Mail Returned to Sender",
                "Your message could not be delivered to one or more recipients.\r\n"};
    }
    if (any_with(input, Action::delayed)) {
        return {"Delayed Mail (still being retried)",
                "Your message has not been delivered yet to the recipients below.\r\n"
                "The mail system will keep trying; you do not need to send it again.\r\n"};
    }
    return {"Successful Mail Delivery Report",
            "Your message was passed on to the recipients' mail servers below, as you asked to\r\n"
            "be told (NOTIFY=SUCCESS). They send no delivery reports of their own.\r\n"};
}

// Whether the report returns the whole message (RET=FULL on a failure report, not too large).
bool returns_full_message(const DsnInput& input) {
    return input.return_full && any_failed(input) &&
           input.original_content.size() <= kMaxReturnedMessage;
}

// FNV-1a over the recipients, so that two notifications about one message differ.
std::uint32_t recipients_hash(const DsnInput& input) {
    std::uint32_t hash = 2166136261u;
    for (const DsnRecipient& recipient : input.recipients) {
        for (char c : recipient.address + '\n') {
            hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
        }
    }
    return hash;
}

std::string human_part(const DsnInput& input) {
    std::string text =
        fmt::format("This is the mail delivery system at {}.\r\n\r\n", clean(input.hostname));
    text += kind_of(input).summary;
    if (any_failed(input)) {
        text += returns_full_message(input) ? "It is attached below.\r\n"
                                            : "It is attached below (headers only).\r\n";
    }
    text += fmt::format("It was accepted on {} with queue ID {}.\r\n",
                        smtp::format_rfc5322_date(input.arrival_unix), clean(input.queue_id));
    for (const DsnRecipient& recipient : input.recipients) {
        text += fmt::format("\r\n<{}>: {}\r\n", clean(recipient.address),
                            what_happened(recipient.action));
        const std::vector<std::string> lines = reply_lines(recipient.diagnostic);
        if (!recipient.remote_mta.empty()) {
            text += fmt::format("    {} said:\r\n", clean(recipient.remote_mta));
        }
        for (const std::string& line : lines) {
            text += "    " + line.substr(0, 900) + "\r\n";
        }
    }
    return text;
}

std::string recipient_fields(const DsnRecipient& recipient, std::int64_t now_unix) {
    std::string out = "\r\n";  // RFC 3464 §2.1: per-recipient groups follow an empty line
    if (std::string original = decode_orcpt(recipient.orcpt); !original.empty()) {
        out += field("Original-Recipient", original);
    }
    out += field("Final-Recipient", "rfc822; " + clean(recipient.address));
    out += field("Action", action_name(recipient.action));
    out += field("Status", status_of(recipient));
    if (!recipient.remote_mta.empty()) {
        out += field("Remote-MTA", "dns; " + clean(recipient.remote_mta));
    }
    std::string diagnostic;
    for (const std::string& line : reply_lines(recipient.diagnostic)) {
        diagnostic += (diagnostic.empty() ? "" : " ") + line;
    }
    if (!diagnostic.empty()) {
        // A reply from a server is an smtp diagnostic; our own reasons (DNS, expiry) are not.
        const std::string_view type = recipient.remote_mta.empty() ? "X-Sluice" : "smtp";
        out += field("Diagnostic-Code",
                     fmt::format("{}; {}", type, diagnostic.substr(0, kMaxFieldText)));
    }
    const std::int64_t last =
        recipient.last_attempt_unix != 0 ? recipient.last_attempt_unix : now_unix;
    out += field("Last-Attempt-Date", smtp::format_rfc5322_date(last));
    if (recipient.action == Action::delayed && recipient.will_retry_until_unix) {
        out +=
            field("Will-Retry-Until", smtp::format_rfc5322_date(*recipient.will_retry_until_unix));
    }
    return out;
}

std::string status_part(const DsnInput& input) {
    std::string out = field("Reporting-MTA", "dns; " + clean(input.hostname));
    out += field("X-Sluice-Queue-ID", clean(input.queue_id));
    if (std::string envid = decode_xtext(input.envid); !envid.empty()) {
        out += field("Original-Envelope-Id", envid);
    }
    out += field("Arrival-Date", smtp::format_rfc5322_date(input.arrival_unix));
    for (const DsnRecipient& recipient : input.recipients) {
        out += recipient_fields(recipient, input.now_unix);
    }
    return out;
}

// A boundary that occurs in none of the parts (RFC 2046 §5.1.1).
std::string choose_boundary(const DsnInput& input, const std::array<std::string_view, 3>& parts) {
    for (unsigned n = 0;; ++n) {
        std::string boundary = fmt::format("=_sluice_{}_{}", clean(input.queue_id), n);
        if (boundary.size() > 70) {
            boundary = fmt::format("=_sluice_dsn_{}", n);  // RFC 2046: at most 70 characters
        }
        if (std::none_of(parts.begin(), parts.end(), [&](std::string_view part) {
                return part.find(boundary) != std::string_view::npos;
            })) {
            return boundary;
        }
    }
}

}  // namespace

std::string build_dsn(const DsnInput& input) {
    if (input.sender.empty() || input.recipients.empty()) {
        return "";  // RFC 3461 §6.2: never a DSN about a DSN (null reverse-path)
    }
    const std::string host = clean(input.hostname);
    const std::string text = human_part(input);
    const std::string status = status_part(input);
    const bool full = returns_full_message(input);
    // The returned part: the whole message, or its header block.
    const std::string_view returned =
        full ? input.original_content : header_block(input.original_content);
    const std::string boundary = choose_boundary(input, {text, status, returned});

    std::string out;
    out.reserve(text.size() + status.size() + returned.size() + 1024);
    out += field("From", fmt::format("\"Mail Delivery System\" <MAILER-DAEMON@{}>", host));
    out += field("To", fmt::format("<{}>", clean(input.sender)));
    out += field("Subject", kind_of(input).subject);
    out += field("Date", smtp::format_rfc5322_date(input.now_unix));
    out += field("Message-ID", fmt::format("<{}.{}.{:08x}.dsn@{}>", clean(input.queue_id),
                                           input.now_unix, recipients_hash(input), host));
    out += field("Auto-Submitted", "auto-replied");  // RFC 3834 §5
    out += field("MIME-Version", "1.0");
    out += fmt::format(
        "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{}\"\r\n",
        boundary);
    out += "\r\nThis is a MIME-encapsulated message.\r\n";

    out += fmt::format("\r\n--{}\r\n", boundary);
    out +=
        "Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
    out += text;
    out += fmt::format("\r\n--{}\r\n", boundary);
    out += "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n";
    out += status;
    out += fmt::format("\r\n--{}\r\n", boundary);
    if (full) {
        out += "Content-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n";
    } else {
        out += fmt::format("Content-Description: {}\r\nContent-Type: text/rfc822-headers\r\n",
                           any_failed(input) ? "Undelivered Message Headers" : "Message Headers");
    }
    if (policy::text::has_eight_bit(returned)) {
        out += "Content-Transfer-Encoding: 8bit\r\n";
    }
    out += "\r\n";
    out += returned;
    out += fmt::format("\r\n--{}--\r\n", boundary);
    return out;
}

}  // namespace sluice::daemon::dsn
