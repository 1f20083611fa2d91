#include "daemon/delivery/dot_stuffer.hpp"

namespace sluice::daemon::delivery {

void DotStuffer::end_line(std::string& out) {
    out += "\r\n";
    at_line_start_ = true;
}

void DotStuffer::encode(std::string_view content, std::string& out) {
    out.reserve(out.size() + content.size() + content.size() / 64 + 8);
    std::size_t at = 0;
    while (at < content.size()) {
        if (pending_cr_) {
            pending_cr_ = false;
            end_line(out);  // CRLF, or a bare CR made into one
            if (content[at] == '\n') {
                ++at;
                continue;
            }
        }
        const char c = content[at];
        if (c == '\r') {
            pending_cr_ = true;
            ++at;
            continue;
        }
        if (c == '\n') {  // a bare LF
            end_line(out);
            ++at;
            continue;
        }
        if (at_line_start_ && c == '.') out.push_back('.');  // RFC 5321 §4.5.2
        // The rest of the line up to the next CR or LF goes over as is.
        std::size_t end = content.find_first_of("\r\n", at);
        if (end == std::string_view::npos) end = content.size();
        out.append(content.data() + at, end - at);
        at_line_start_ = false;
        at = end;
    }
}

void DotStuffer::finish(std::string& out) {
    if (pending_cr_ || !at_line_start_) end_line(out);
    pending_cr_ = false;
    out += ".\r\n";
}

std::string dot_stuff(std::string_view content) {
    DotStuffer stuffer;
    std::string out;
    stuffer.encode(content, out);
    stuffer.finish(out);
    return out;
}

}  // namespace sluice::daemon::delivery
