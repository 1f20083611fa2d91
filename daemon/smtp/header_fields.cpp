#include "daemon/smtp/header_fields.hpp"

#include "policy/message/header_walker.hpp"

namespace sluice::daemon::smtp {

namespace {
// Calls visit(field_begin, field_end, value_begin) for each header field (field_end past its
// last CRLF, continuation lines included) whose name is `name`; stops when visit returns false.
template <typename Visit>
void for_each_field(std::string_view content, std::string_view name, Visit visit) {
    policy::message::HeaderWalker walker(content, policy::message::LineBreaks::crlf);
    while (const auto field = walker.next()) {
        // A first line without CRLF is no complete field and ends the header here; a last
        // continuation line without one still belongs to its field.
        if (!field->terminated() && field->text.find("\r\n") == std::string_view::npos) return;
        if (policy::message::has_field_name(field->text, name)) {
            if (!visit(field->begin, field->next, field->begin + name.size() + 1)) return;
        }
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
