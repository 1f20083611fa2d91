#include "policy/engine/header_changes.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::policy::engine {

namespace {
// Whether the header line starting at `line` begins the field `name` ("Name:").
bool starts_field(std::string_view line, std::string_view name) {
    return line.size() > name.size() && line[name.size()] == ':' && text::istarts_with(line, name);
}

// `content` without the fields named `name` (with their continuation lines), header only.
std::string without_field(std::string_view content, std::string_view name) {
    std::string out;
    out.reserve(content.size());
    std::size_t line = 0;
    bool dropping = false;
    while (line < content.size()) {
        const auto end = content.find("\r\n", line);
        const auto next = end == std::string_view::npos ? content.size() : end + 2;
        const std::string_view text = content.substr(line, next - line);
        if (text == "\r\n" || end == std::string_view::npos) {  // the body: copied as it is
            out.append(content.substr(line));
            return out;
        }
        const bool continuation = text.front() == ' ' || text.front() == '\t';
        if (!continuation) dropping = starts_field(text, name);
        if (!dropping) out.append(text);
        line = next;
    }
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
