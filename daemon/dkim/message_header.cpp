// split_message (see message_header.hpp).
#include "daemon/dkim/message_header.hpp"

namespace sluice::daemon::dkim {
namespace {

struct Line {
    std::string_view text;  // without its line break
    std::size_t next = 0;   // where the following line starts
};

Line line_at(std::string_view content, std::size_t pos) {
    std::size_t end = pos;
    while (end < content.size() && content[end] != '\r' && content[end] != '\n') ++end;
    std::size_t next = end;
    if (next < content.size()) {
        next += (content[next] == '\r' && next + 1 < content.size() && content[next + 1] == '\n')
                    ? 2
                    : 1;
    }
    return {content.substr(pos, end - pos), next};
}

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

std::string_view field_name(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return {};
    std::string_view name = text.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    return name;
}

}  // namespace

MessageParts split_message(std::string_view content) {
    MessageParts parts;
    std::size_t pos = 0;
    while (pos < content.size()) {
        const Line first = line_at(content, pos);
        if (first.text.empty()) {
            parts.body = content.substr(first.next);
            break;
        }
        // RFC 5322 §2.2.3: a line starting with whitespace continues the field above.
        std::size_t end = pos + first.text.size();
        std::size_t next = first.next;
        while (next < content.size() && is_wsp(content[next])) {
            const Line more = line_at(content, next);
            end = next + more.text.size();
            next = more.next;
        }
        const std::string_view text = content.substr(pos, end - pos);
        parts.fields.push_back({field_name(text), text});
        pos = next;
    }
    return parts;
}

}  // namespace sluice::daemon::dkim
