#include "policy/engine/header_changes.hpp"

#include "policy/message/header_walker.hpp"

namespace sluice::policy::engine {

namespace {
// Where the CRLF-terminated lines of `field` end: a last line without CRLF is not counted.
std::size_t end_of_whole_lines(const message::HeaderField& field) {
    if (field.terminated()) return field.next;
    const std::size_t last_crlf = field.text.rfind("\r\n");
    return last_crlf == std::string_view::npos ? field.begin : field.begin + last_crlf + 2;
}

// `content` without the fields named `name` (with their continuation lines), header only.
// Only whole lines are header: from a last line without CRLF on, everything is copied as it
// is, like the empty line and the body.
std::string without_field(std::string_view content, std::string_view name) {
    std::string out;
    out.reserve(content.size());
    message::HeaderWalker walker(content, message::LineBreaks::crlf);
    while (const auto field = walker.next()) {
        const std::size_t whole = end_of_whole_lines(*field);
        if (!message::has_field_name(field->text, name)) {
            out.append(content.substr(field->begin, whole - field->begin));
        }
        if (whole != field->next) {
            out.append(content.substr(whole));
            return out;
        }
    }
    out.append(content.substr(walker.header_end()));
    return out;
}
}  // namespace

std::string apply_header_policies(std::string_view content,
                                  std::initializer_list<const config::HeaderPolicy*> policies) {
    std::string result(content);
    std::string added;
    for (const auto* policy : policies) {
        if (policy == nullptr) continue;
        for (const auto& name : policy->remove) result = without_field(result, name);
        for (const auto& field : policy->add) added += field + "\r\n";
    }
    return added.empty() ? result : added + result;
}

}  // namespace sluice::policy::engine
