// Builds the text of a DKIM-Signature header field (RFC 6376 §3.5), folded so that no line is
// longer than kFoldWidth columns (a tab counts as 8): tags are separated by "; " or by CRLF TAB,
// h= breaks before a ":", base64 values (bh=, b=) break anywhere, which RFC 6376 allows
// because whitespace inside them is ignored. Pure and append-only: the text up to "b=" is the
// exact text that is hashed (with b= empty) and stays unchanged when the signature is added.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::daemon::dkim {

inline constexpr std::size_t kFoldWidth = 78;

enum class ValueBreaks {
    never,         // short values (v=, a=, d=, s=, t=)
    before_colon,  // the h= list
    anywhere,      // base64 (bh=, b=)
};

class SignatureHeader {
  public:
    SignatureHeader();

    // Appends "name=value;" (the separator goes before the next tag).
    void add_tag(std::string_view name, std::string_view value, ValueBreaks breaks);
    // Appends "b=" with no value: text() is then what RFC 6376 §3.7 hashes.
    void add_empty_signature_tag();
    // Appends the signature value after add_empty_signature_tag().
    void add_signature_value(std::string_view base64);

    // The field so far, without a final CRLF.
    [[nodiscard]] const std::string& text() const { return text_; }

  private:
    void start_tag(std::string_view first_token);
    void append(std::string_view token);
    void append_breaking_anywhere(std::string_view value);
    void new_line();

    std::string text_;
    std::size_t column_ = 0;
    bool first_tag_ = true;
};

}  // namespace sluice::daemon::dkim
