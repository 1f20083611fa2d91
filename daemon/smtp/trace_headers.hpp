// The headers Sluice adds to an accepted message (pure): a Received: trace header on top
// (RFC 5321 §4.4) and, when the message has none, Date: and Message-ID: (RFC 5322 §3.6).
// Added headers go before the original content, which is kept byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::daemon::smtp {

struct TraceInfo {
    std::string hostname;        // ours
    std::string client_address;  // numeric
    std::string client_name;     // reverse name if known, else empty ("unknown" is written)
    std::string helo;
    std::string protocol;  // "ESMTP", "ESMTPS", "UTF8SMTP", ... (RFC 3848)
    std::string queue_id;
    std::string single_recipient;  // "for <...>" is written only when there is exactly one
    std::int64_t arrival_unix_us = 0;
    std::string tls;  // "TLSv1.3 with cipher ... (256 bits)" when the session used TLS, else ""
};

// "Received: from helo (name [addr])\r\n\tby host (Sluice) with ESMTP id ID\r\n\tfor <r>;
// date\r\n", with "\r\n\t(using TLS...)" after the from-clause when the session used TLS (as
// Postfix).
[[nodiscard]] std::string make_received_header(const TraceInfo& info);
// RFC 5322 date-time in UTC, e.g. "Mon, 23 Nov 2026 17:55:33 +0000".
[[nodiscard]] std::string format_rfc5322_date(std::int64_t unix_seconds);
// Received: + missing Date:/Message-ID: + content. If `content` does not start with a header
// block, an empty line is inserted so the original first line stays body.
[[nodiscard]] std::string add_trace_headers(const TraceInfo& info, std::string_view content);

}  // namespace sluice::daemon::smtp
