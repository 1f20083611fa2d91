#include "daemon/smtp/header_fields.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::daemon::smtp {

namespace {
// Calls visit(field_begin, field_end, value_begin) for each header field (field_end past its
// last CRLF, continuation lines included) whose name is `name`; stops when visit returns false.
template <typename Visit>
void for_each_field(std::string_view content, std::string_view name, Visit visit) {
    std::size_t line = 0;
    while (line < content.size()) {
        const auto end = content.find("\r\n", line);
        if (end == std::string_view::npos || end == line) return;  // end of the header block
        std::size_t field_end = end + 2;
        while (field_end < content.size() &&
               (content[field_end] == ' ' || content[field_end] == '\t')) {
            const auto next = content.find("\r\n", field_end);
            if (next == std::string_view::npos) {
                field_end = content.size();
                break;
            }
            field_end = next + 2;
        }
        const std::string_view text = content.substr(line, end - line);
        if (text.size() > name.size() && text[name.size()] == ':' &&
            policy::text::istarts_with(text, name)) {
            if (!visit(line, field_end, line + name.size() + 1)) return;
        }
        line = field_end;
    }
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}
}  // namespace

std::string header_value(std::string_view content, std::string_view name) {
    std::string value;
    for_each_field(content, name, [&](std::size_t, std::size_t end, std::size_t value_begin) {
        std::string unfolded;
        for (char c : content.substr(value_begin, end - value_begin)) {
            if (c != '\r' && c != '\n') unfolded += c;
        }
        value = trim(unfolded);
        return false;
    });
    return value;
}

bool has_header(std::string_view content, std::string_view name) {
    bool found = false;
    for_each_field(content, name, [&](std::size_t, std::size_t, std::size_t) {
        found = true;
        return false;
    });
    return found;
}

std::string remove_header(std::string_view content, std::string_view name) {
    std::string out;
    std::size_t copied = 0;
    for_each_field(content, name, [&](std::size_t begin, std::size_t end, std::size_t) {
        out.append(content.substr(copied, begin - copied));
        copied = end;
        return true;
    });
    out.append(content.substr(copied));
    return out;
}

}  // namespace sluice::daemon::smtp
