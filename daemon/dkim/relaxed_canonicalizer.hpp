// DKIM "relaxed" canonicalization (RFC 6376 §3.4.2 headers, §3.4.4 body): pure functions over
// text, no OpenSSL, no state, no allocation beyond the result, so that they can be fuzzed and
// table-tested alone. A line break is CRLF, a bare CR or a bare LF, exactly as the outbound
// DotStuffer treats them (it sends each as CRLF), so the canonical form matches what is sent.
// They never fail: any input has a canonical form.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::dkim {

// One header field ("Name : value", possibly folded, with or without its final line break) in
// relaxed form: name lower-cased, continuation line breaks removed, runs of SP/HTAB turned into
// one SP, whitespace around the colon and at the end deleted, then CRLF.
[[nodiscard]] std::string canonicalize_header_relaxed(std::string_view field);

// A message body (everything after the blank line) in relaxed form: whitespace at line ends
// deleted, runs of SP/HTAB inside a line turned into one SP, empty lines at the end deleted,
// and a final CRLF for a non-empty body. An empty body stays empty.
[[nodiscard]] std::string canonicalize_body_relaxed(std::string_view body);

}  // namespace sluice::daemon::dkim
