// format_json / format_kv / format_akmta (see record_format.hpp). json and kv walk the same
// field list, so those two cannot drift apart; akmta has its own fixed list (AKMTA's).
#include "daemon/acclog/record_format.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <string_view>
#include <variant>
#include <vector>

#include "common/utf8.hpp"

namespace sluice::daemon::acclog {
namespace {

using Value = std::variant<std::string, std::int64_t>;

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const std::size_t length = common::utf8_sequence_length(text);
        if (length == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, for one bad byte
            text.remove_prefix(1);
        } else {
            out += text.substr(0, length);
            text.remove_prefix(length);
        }
    }
    return out;
}

// The fields of a record in log order.
std::vector<std::pair<std::string_view, Value>> fields(const AccountingRecord& r) {
    return {
        {"time", format_iso_time(r.time_unix_us)},
        {"time_unix_us", r.time_unix_us},
        {"type", r.type},
        {"queue_id", r.queue_id},
        {"message_id", r.message_id},
        {"sender", r.sender},
        {"recipient", r.recipient},
        {"queue", r.queue},
        {"source_ip", r.source_ip},
        {"mx_host", r.mx_host},
        {"mx_ip", r.mx_ip},
        {"attempt", static_cast<std::int64_t>(r.attempt)},
        {"duration_ms", r.duration_ms},
        {"outcome", std::string(to_string(r.outcome))},
        {"enhanced_code", r.enhanced_code},
        {"reply", r.reply},
        {"dsn_queue_id", r.dsn_queue_id},
        {"bounce_class", r.bounce_class},
        {"bounce_category", r.bounce_category},
        {"bounce_pattern", r.bounce_pattern},
        {"auth_user", r.auth_user},
        {"tls", r.tls},
    };
}

bool is_bare(std::string_view value) {
    if (value.empty()) {
        return false;
    }
    for (char c : value) {
        if (c <= ' ' || c > '~' || c == '"' || c == '\\' || c == '=') {
            return false;
        }
    }
    return true;
}

// Appends `value` with \r \n \t \xHH escapes for control bytes, and a backslash before
// `quote` and before a backslash.
void append_escaped(std::string& out, std::string_view value, char quote) {
    for (char c : value) {
        if (c == quote) {
            out += '\\';
            out += c;
            continue;
        }
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
                } else {
                    out += c;  // printable ASCII and (valid) UTF-8
                }
        }
    }
}

void append_kv_value(std::string& out, std::string_view value) {
    if (is_bare(value)) {
        out += value;
        return;
    }
    out += '"';
    append_escaped(out, value, '"');
    out += '"';
}

// The ISP of a destination queue "ISP/source".
std::string_view isp_of(std::string_view queue) {
    return queue.substr(0, queue.find('/'));
}

std::string_view domain_of(std::string_view address) {
    const std::size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

// "<id@host>" -> "id@host": the Message-ID without its angle brackets (RFC 5322 §3.6.4).
std::string_view bare_message_id(std::string_view id) {
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') {
        return id.substr(1, id.size() - 2);
    }
    return id;
}

// "2023/11/14 22:13:20" (UTC), AKMTA's leading date and time.
std::string format_akmta_time(std::int64_t unix_us) {
    const std::string iso = format_iso_time(unix_us);  // 2023-11-14T22:13:20.123456Z
    return iso.substr(0, 4) + "/" + iso.substr(5, 2) + "/" + iso.substr(8, 2) + " " +
           iso.substr(11, 8);
}

}  // namespace

std::string format_iso_time(std::int64_t unix_us) {
    using namespace std::chrono;
    const sys_time<microseconds> time{microseconds(unix_us)};
    const sys_days day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss clock{time - day};
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z",
                       static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                       static_cast<unsigned>(date.day()), clock.hours().count(),
                       clock.minutes().count(), clock.seconds().count(),
                       clock.subseconds().count());
}

std::string format_json(const AccountingRecord& record) {
    boost::json::object object;
    for (auto& [key, value] : fields(record)) {
        if (const auto* text = std::get_if<std::string>(&value)) {
            object[key] = valid_utf8(*text);
        } else {
            object[key] = std::get<std::int64_t>(value);
        }
    }
    return boost::json::serialize(object) + "\n";
}

std::string format_kv(const AccountingRecord& record) {
    std::string out;
    for (auto& [key, value] : fields(record)) {
        if (!out.empty()) {
            out += ' ';
        }
        out += key;
        out += '=';
        if (const auto* text = std::get_if<std::string>(&value)) {
            append_kv_value(out, valid_utf8(*text));
        } else {
            out += std::to_string(std::get<std::int64_t>(value));
        }
    }
    return out + "\n";
}

std::string akmta_command(const AccountingRecord& record) {
    if (record.outcome == Outcome::admin_cleared) {
        return "";  // nothing was sent
    }
    if (record.mx_ip.empty()) {
        return "DIAL";  // no connection: DNS, route, MTA-STS or DANE failed before connecting
    }
    if (record.outcome == Outcome::delivered || record.outcome == Outcome::possibly_delivered) {
        return "DATA";  // accepted (or lost) at the end of the message
    }
    // RFC 3463: the subject of the enhanced status code says what the server objected to.
    const std::string_view code = record.enhanced_code;
    if (code.size() < 5 || code[1] != '.' || code[3] != '.') {
        return "";
    }
    const std::string_view detail = code.substr(2);
    if (detail == "4.1") {
        return "DIAL";  // X.4.1 no answer from host
    }
    if (detail == "1.7" || detail == "1.8") {
        return "MAIL";  // X.1.7 / X.1.8 the sender's address or system
    }
    if (detail.starts_with("1.") || detail.starts_with("2.")) {
        return "RCPT";  // X.1.* addressing, X.2.* the mailbox
    }
    if (detail == "3.4" || detail.starts_with("6.")) {
        return "DATA";  // X.3.4 too big, X.6.* the content
    }
    return "";
}

std::vector<std::string> akmta_fields(const AccountingRecord& r) {
    const std::string outcome(to_string(r.outcome));
    const std::string status = r.type == "final" ? "final-" + outcome : outcome;
    return {
        r.queue_id,                                  // local storage id
        "",                                          // template id
        "",                                          // sender (MTA) id
        std::string(isp_of(r.queue)),                // ISP name
        r.source_ip,                                 // sender IP
        r.sender,                                    // sender address
        std::string(domain_of(r.sender)),            // sender domain
        r.recipient,                                 // recipient
        r.mx_ip,                                     // MX IP
        r.mx_host,                                   // MX host
        r.reply,                                     // server response
        status,                                      // status
        akmta_command(r),                            // command the response answered
        "",                                          // account id
        "",                                          // mailing id
        "",                                          // database id
        "",                                          // resource id
        r.message_id,                                // full message id
        std::string(bare_message_id(r.message_id)),  // email-safe message id
        "<nil>",  // extra error: Sluice has no other error than the reply
    };
}

std::string format_akmta(const AccountingRecord& record) {
    std::string out = format_akmta_time(record.time_unix_us) + " ";
    bool first = true;
    for (const std::string& field : akmta_fields(record)) {
        if (!first) {
            out += ',';
        }
        first = false;
        out += '\'';
        append_escaped(out, valid_utf8(field), '\'');
        out += '\'';
    }
    return out + "\n";
}

std::string format_record(const AccountingRecord& record, policy::config::AccountingFormat format) {
    switch (format) {
        case policy::config::AccountingFormat::kv:
            return format_kv(record);
        case policy::config::AccountingFormat::akmta:
            return format_akmta(record);
        case policy::config::AccountingFormat::json:
            break;
    }
    return format_json(record);
}

}  // namespace sluice::daemon::acclog
