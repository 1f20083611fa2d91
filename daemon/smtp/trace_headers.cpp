// Trace headers: Received: in Postfix's layout (folded with CRLF TAB), Date: computed from the
// arrival time with no time-zone or locale lookups, and the header-block scan that decides
// whether Date: and Message-ID: are missing.
#include "daemon/smtp/trace_headers.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "policy/text/ascii.hpp"

namespace sluice::daemon::smtp {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::int64_t kMicrosPerSecond = 1'000'000;
// Peer-supplied fields are cut here so a header line stays under RFC 5322's 998 octets.
constexpr std::size_t kMaxFieldLength = 255;

// Peer-supplied text (HELO, names) must not break the header's folding or syntax.
std::string sanitized(std::string_view text, std::string_view if_empty) {
    if (text.empty()) return std::string(if_empty);
    std::string out(text.substr(0, kMaxFieldLength));
    for (char& c : out) {
        if ((c >= 0 && c < 32) || c == 127) c = '?';
    }
    return out;
}

// Howard Hinnant's days_from_civil inverse: days since 1970-01-01 → (year, month, day).
struct CivilDate {
    std::int64_t year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};

CivilDate civil_from_days(std::int64_t days) {
    days += 719'468;
    std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
    auto day_of_era = static_cast<unsigned>(days - era * 146'097);
    unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
    unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    unsigned shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
    unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The name of a header field line ("Name:" with optional obsolete WSP before the colon,
// RFC 5322 §3.6.8 / §4.5.3), or nullopt when the line is not a field's first line.
std::optional<std::string_view> field_name(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] >= 33 && line[i] <= 126 && line[i] != ':') ++i;
    if (i == 0) return std::nullopt;
    std::string_view name = line.substr(0, i);
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size() || line[i] != ':') return std::nullopt;
    return name;
}

struct HeaderScan {
    bool has_header_block = false;
    bool has_date = false;
    bool has_message_id = false;
};

// Walks the header block: it ends at the first empty line, or at the first line that is
// neither a field nor a continuation (SP/TAB) of one. Not policy/message/header_walker: this
// scan decides whether the content opens with a header block at all (so a line that is no
// field ends it), and it takes a bare LF as a line end too.
HeaderScan scan_headers(std::string_view content) {
    HeaderScan scan;
    for (std::size_t start = 0; start < content.size();) {
        std::size_t lf = content.find('\n', start);
        std::size_t end = lf == std::string_view::npos ? content.size() : lf;
        std::string_view line = content.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (!continuation || start == 0) {
            std::optional<std::string_view> name = field_name(line);
            if (!name) break;
            scan.has_header_block = true;
            scan.has_date = scan.has_date || policy::text::iequals(*name, "Date");
            scan.has_message_id = scan.has_message_id || policy::text::iequals(*name, "Message-ID");
        }
        start = end + 1;
    }
    return scan;
}

}  // namespace

std::string format_rfc5322_date(std::int64_t unix_seconds) {
    static constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed",
                                                               "Thu", "Fri", "Sat"};
    static constexpr std::array<std::string_view, 12> kMonths{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::int64_t days = floor_div(unix_seconds, kSecondsPerDay);
    std::int64_t second_of_day = unix_seconds - days * kSecondsPerDay;
    CivilDate date = civil_from_days(days);
    std::int64_t weekday = (days % 7 + 11) % 7;  // 1970-01-01 was a Thursday (4)
    return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", kWeekdays[weekday],
                       date.day, kMonths[date.month - 1], date.year, second_of_day / 3600,
                       second_of_day / 60 % 60, second_of_day % 60);
}

std::string make_received_header(const TraceInfo& info) {
    // RFC 5321 §4.4 TCP-info: an IPv6 address-literal carries the "IPv6:" tag.
    std::string_view tag = info.client_address.find(':') == std::string::npos ? "" : "IPv6:";
    std::string header = fmt::format(
        "Received: from {} ({} [{}{}])", sanitized(info.helo, "unknown"),
        sanitized(info.client_name, "unknown"), tag, sanitized(info.client_address, "unknown"));
    if (!info.tls.empty()) header += fmt::format("\r\n\t(using {})", sanitized(info.tls, ""));
    header +=
        fmt::format("\r\n\tby {} (Sluice) with {} id {}", sanitized(info.hostname, "localhost"),
                    sanitized(info.protocol, "SMTP"), sanitized(info.queue_id, "unknown"));
    if (!info.single_recipient.empty()) {
        header += fmt::format("\r\n\tfor <{}>", sanitized(info.single_recipient, ""));
    }
    header += "; ";
    header += format_rfc5322_date(floor_div(info.arrival_unix_us, kMicrosPerSecond));
    header += "\r\n";
    return header;
}

std::string add_trace_headers(const TraceInfo& info, std::string_view content) {
    HeaderScan scan = scan_headers(content);
    std::string out;
    out.reserve(content.size() + 1024);  // our headers are well under 1 KiB
    out += make_received_header(info);
    if (!scan.has_date) {
        out += "Date: ";
        out += format_rfc5322_date(floor_div(info.arrival_unix_us, kMicrosPerSecond));
        out += "\r\n";
    }
    if (!scan.has_message_id) {
        out += fmt::format("Message-ID: <{}@{}>\r\n", sanitized(info.queue_id, "unknown"),
                           sanitized(info.hostname, "localhost"));
    }
    if (!scan.has_header_block) out += "\r\n";  // keeps the original first line in the body
    out += content;
    return out;
}

}  // namespace sluice::daemon::smtp
