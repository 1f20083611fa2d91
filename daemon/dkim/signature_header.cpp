// SignatureHeader (see signature_header.hpp).
#include "daemon/dkim/signature_header.hpp"

namespace sluice::daemon::dkim {
namespace {
constexpr std::size_t kTabWidth = 8;
// Tokens fill a line up to here, leaving a column for the ";" that may end the tag.
constexpr std::size_t kTokenWidth = kFoldWidth - 1;
}  // namespace

SignatureHeader::SignatureHeader() : text_("DKIM-Signature:"), column_(text_.size()) {}

void SignatureHeader::new_line() {
    text_ += "\r\n\t";
    column_ = kTabWidth;
}

void SignatureHeader::append(std::string_view token) {
    if (column_ + token.size() > kTokenWidth && column_ > kTabWidth) new_line();
    text_ += token;
    column_ += token.size();
}

// The separator before a tag: a space if the tag's first token fits, else a new line.
void SignatureHeader::start_tag(std::string_view first_token) {
    if (!first_tag_) {
        text_ += ';';
        ++column_;
    }
    first_tag_ = false;
    if (column_ + 1 + first_token.size() > kTokenWidth) {
        new_line();
    } else {
        text_ += ' ';
        ++column_;
    }
    text_ += first_token;
    column_ += first_token.size();
}

void SignatureHeader::append_breaking_anywhere(std::string_view value) {
    while (!value.empty()) {
        if (column_ >= kTokenWidth) new_line();
        const std::size_t room = kTokenWidth - column_;
        const std::string_view piece = value.substr(0, room);
        text_ += piece;
        column_ += piece.size();
        value.remove_prefix(piece.size());
    }
}

void SignatureHeader::add_tag(std::string_view name, std::string_view value, ValueBreaks breaks) {
    const std::string head = std::string(name) + "=";
    switch (breaks) {
        case ValueBreaks::never:
            start_tag(head + std::string(value));
            break;
        case ValueBreaks::before_colon: {
            const std::size_t colon = value.find(':');
            start_tag(head + std::string(value.substr(0, colon)));
            for (std::size_t pos = colon; pos != std::string_view::npos;) {
                const std::size_t next = value.find(':', pos + 1);
                append(value.substr(pos, next == std::string_view::npos ? next : next - pos));
                pos = next;
            }
            break;
        }
        case ValueBreaks::anywhere:
            start_tag(head);
            append_breaking_anywhere(value);
            break;
    }
}

void SignatureHeader::add_empty_signature_tag() {
    start_tag("b=");
}

void SignatureHeader::add_signature_value(std::string_view base64) {
    append_breaking_anywhere(base64);
}

}  // namespace sluice::daemon::dkim
