// Walks the header block of a message (RFC 5322 §2.2) field by field, without copying: each
// field is its raw text as written (name, colon, value and folded continuation lines) and where
// it lies in the content. A line that begins with SP or HTAB continues the field above
// (§2.2.3); the header ends at the first empty line (the body starts after its line break) or
// at the end of the content; a last line without a line break is still a line. The caller
// chooses what ends a line (LineBreaks). It does not validate, unfold or decode anything.
// It lives in the pure policy library, not in daemon/, because policy/engine/header_changes
// needs it and dependencies point one way (policy <- daemon); the daemon's SMTP header fields,
// DSN builder and DKIM signer use it from here. Pure; the views point into the content, which
// must outlive them. Never fails.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sluice::policy::message {

enum class LineBreaks {
    crlf,        // only CRLF ends a line (RFC 5322 §2.2); a bare CR or LF is text
    crlf_cr_lf,  // CRLF, a bare CR and a bare LF each end a line, as the outbound dot-stuffer
                 // sends them (DKIM signs what is sent: daemon/dkim/relaxed_canonicalizer.hpp)
};

struct HeaderField {
    std::string_view name;  // before the first colon, trailing WSP trimmed; empty without colon
    std::string_view text;  // the whole field as written, without its final line break
    std::size_t begin = 0;  // offset of `text` in the content
    std::size_t next = 0;   // offset just past the final line break (= end of `text` if none)

    // Whether a line break ends the field (only the content's last line may lack one).
    [[nodiscard]] bool terminated() const { return next > begin + text.size(); }
};

class HeaderWalker {
  public:
    HeaderWalker(std::string_view content, LineBreaks breaks);

    // The next field in message order, or nullopt once the header has ended.
    [[nodiscard]] std::optional<HeaderField> next();

    // Valid once next() has returned nullopt: the offset of the empty line that ends the
    // header (content size when there is none), and of the body after that line's break.
    [[nodiscard]] std::size_t header_end() const;
    [[nodiscard]] std::size_t body_begin() const;

  private:
    struct Line {
        std::size_t length = 0;  // without its line break
        std::size_t next = 0;    // where the following line starts
    };
    [[nodiscard]] Line line_at(std::size_t pos) const;
    void finish(std::size_t header_end, std::size_t body_begin);

    std::string_view content_;
    LineBreaks breaks_;
    std::size_t pos_ = 0;
    bool done_ = false;
    std::size_t header_end_ = 0;
    std::size_t body_begin_ = 0;
};

// Whether the field `text` starts with `name` directly followed by ':', ignoring ASCII case.
// Stricter than HeaderField::name: "Name :" (obsolete WSP before the colon) does not count.
// `name` is a field name (no CR or LF).
[[nodiscard]] bool has_field_name(std::string_view text, std::string_view name);

// The offset of the empty line that ends the header of `content`, or its size if none does.
[[nodiscard]] std::size_t find_header_end(std::string_view content, LineBreaks breaks);

}  // namespace sluice::policy::message
