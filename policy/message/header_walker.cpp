// HeaderWalker (see header_walker.hpp).
#include "policy/message/header_walker.hpp"

#include "common/assert.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::policy::message {
namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

std::string_view name_of(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return {};
    std::string_view name = text.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    return name;
}

}  // namespace

HeaderWalker::HeaderWalker(std::string_view content, LineBreaks breaks)
    : content_(content), breaks_(breaks) {}

HeaderWalker::Line HeaderWalker::line_at(std::size_t pos) const {
    if (breaks_ == LineBreaks::crlf) {
        const std::size_t end = content_.find("\r\n", pos);
        if (end == std::string_view::npos) return {content_.size() - pos, content_.size()};
        return {end - pos, end + 2};
    }
    std::size_t end = pos;
    while (end < content_.size() && content_[end] != '\r' && content_[end] != '\n') ++end;
    std::size_t next = end;
    if (next < content_.size()) {
        const bool crlf =
            content_[next] == '\r' && next + 1 < content_.size() && content_[next + 1] == '\n';
        next += crlf ? 2 : 1;
    }
    return {end - pos, next};
}

void HeaderWalker::finish(std::size_t header_end, std::size_t body_begin) {
    done_ = true;
    header_end_ = header_end;
    body_begin_ = body_begin;
}

std::optional<HeaderField> HeaderWalker::next() {
    if (done_) return std::nullopt;
    if (pos_ == content_.size()) {
        finish(pos_, pos_);
        return std::nullopt;
    }
    const Line first = line_at(pos_);
    if (first.length == 0) {  // the empty line
        finish(pos_, first.next);
        return std::nullopt;
    }
    std::size_t end = pos_ + first.length;
    std::size_t next = first.next;
    while (next < content_.size() && is_wsp(content_[next])) {
        const Line more = line_at(next);
        end = next + more.length;
        next = more.next;
    }
    const std::string_view text = content_.substr(pos_, end - pos_);
    const HeaderField field{name_of(text), text, pos_, next};
    pos_ = next;
    return field;
}

std::size_t HeaderWalker::header_end() const {
    SLUICE_ASSERT(done_, "header_end() before the walk reached it");
    return header_end_;
}

std::size_t HeaderWalker::body_begin() const {
    SLUICE_ASSERT(done_, "body_begin() before the walk reached it");
    return body_begin_;
}

bool has_field_name(std::string_view text, std::string_view name) {
    return text.size() > name.size() && text[name.size()] == ':' && text::istarts_with(text, name);
}

std::size_t find_header_end(std::string_view content, LineBreaks breaks) {
    HeaderWalker walker(content, breaks);
    while (walker.next()) {
    }
    return walker.header_end();
}

}  // namespace sluice::policy::message
