// canonicalize_header_relaxed / canonicalize_body_relaxed (see relaxed_canonicalizer.hpp).
#include "daemon/dkim/relaxed_canonicalizer.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::daemon::dkim {
namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}
bool is_line_break(char c) {
    return c == '\r' || c == '\n';
}

// Appends `text` with every run of SP/HTAB as one SP and without trailing whitespace. Line
// break characters are skipped: in a header field that is unfolding (RFC 6376 §3.4.2).
void append_compressed(std::string_view text, std::string& out) {
    bool pending_space = false;
    for (char c : text) {
        if (is_line_break(c)) {
            continue;  // only reached for headers: bodies are split into lines first
        }
        if (is_wsp(c)) {
            pending_space = true;
            continue;
        }
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        out += c;
    }
}

std::string_view trim_leading_whitespace(std::string_view text) {
    while (!text.empty() && (is_wsp(text.front()) || is_line_break(text.front()))) {
        text.remove_prefix(1);
    }
    return text;
}

}  // namespace

std::string canonicalize_header_relaxed(std::string_view field) {
    std::string out;
    out.reserve(field.size() + 2);
    const std::size_t colon = field.find(':');
    std::string_view name = field.substr(0, colon);
    // Whitespace before the colon is deleted; inside a name it cannot legally occur.
    while (!name.empty() && (is_wsp(name.back()) || is_line_break(name.back()))) {
        name.remove_suffix(1);
    }
    for (char c : name) {
        if (!is_line_break(c))
            out += policy::text::to_lower(c);  // a break inside a name is unfolded too
    }
    if (colon != std::string_view::npos) {
        out += ':';
        append_compressed(trim_leading_whitespace(field.substr(colon + 1)), out);
    }
    out += "\r\n";
    return out;
}

std::string canonicalize_body_relaxed(std::string_view body) {
    std::string out;
    out.reserve(body.size() + 2);
    std::size_t empty_lines = 0;  // held back: empty lines at the very end are deleted
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = pos;
        while (end < body.size() && !is_line_break(body[end])) ++end;
        std::string line;
        append_compressed(body.substr(pos, end - pos), line);
        if (line.empty()) {
            ++empty_lines;
        } else {
            for (; empty_lines > 0; --empty_lines) out += "\r\n";
            out += line;
            out += "\r\n";
        }
        // CRLF, bare CR or bare LF each end one line.
        if (end + 1 < body.size() && body[end] == '\r' && body[end + 1] == '\n') {
            pos = end + 2;
        } else {
            pos = end + 1;
        }
    }
    return out;
}

}  // namespace sluice::daemon::dkim
