// Reply formatting. Lines are sanitised here, at the last step before the wire, so no caller
// can emit a CR or LF inside a reply line (which would let a text forge an extra reply).
#include "daemon/smtp/reply.hpp"

#include <fmt/format.h>

#include <utility>

namespace sluice::daemon::smtp {
namespace {

// CR, LF and NUL would break the reply framing (RFC 5321 §4.2); they become spaces.
void append_sanitized(std::string& out, std::string_view text) {
    for (char c : text) {
        out.push_back(c == '\r' || c == '\n' || c == '\0' ? ' ' : c);
    }
}

void append_line(std::string& out, int code, char separator, std::string_view enhanced,
                 std::string_view text) {
    fmt::format_to(std::back_inserter(out), "{:03d}{}", code, separator);
    if (!enhanced.empty()) {
        append_sanitized(out, enhanced);
        if (!text.empty()) out.push_back(' ');
    }
    append_sanitized(out, text);
}

}  // namespace

Reply::Reply(int code, std::string enhanced, std::string text)
    : code(code), enhanced(std::move(enhanced)), lines{std::move(text)} {}

std::string Reply::to_wire() const {
    std::string out;
    if (lines.empty()) {  // a malformed value still yields one well-formed line
        append_line(out, code, ' ', enhanced, {});
        out += "\r\n";
        return out;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        append_line(out, code, i + 1 < lines.size() ? '-' : ' ', enhanced, lines[i]);
        out += "\r\n";
    }
    return out;
}

std::string Reply::summary() const {
    std::string out;
    fmt::format_to(std::back_inserter(out), "{:03d}", code);
    if (!enhanced.empty()) {
        out.push_back(' ');
        append_sanitized(out, enhanced);
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += i == 0 ? " " : " / ";
        append_sanitized(out, lines[i]);
    }
    return out;
}

}  // namespace sluice::daemon::smtp
