// ASCII case folding: the one copy that everything comparing text without case uses (SMTP verbs
// and parameters, RFC 5321 §2.4; header field names, RFC 5322 §1.2.2; domain names, RFC 4343;
// HTTP auth schemes and media types). Only A-Z and a-z fold; every other byte, UTF-8 included,
// stands for itself, whatever the process locale (std::tolower would depend on it).
// Pure: no state, no errors.
#pragma once

#include <string>
#include <string_view>

namespace sluice::policy::text {

// `c` with A-Z mapped to a-z; any other byte unchanged.
[[nodiscard]] constexpr char to_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `c` with a-z mapped to A-Z; any other byte unchanged.
[[nodiscard]] constexpr char to_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// A copy of `text` with A-Z mapped to a-z.
[[nodiscard]] std::string to_lower(std::string_view text);

// A copy of `text` with a-z mapped to A-Z.
[[nodiscard]] std::string to_upper(std::string_view text);

// Maps A-Z to a-z in `text` itself.
void lower_in_place(std::string& text);

// Whether `a` and `b` are equal when A-Z and a-z are taken as the same.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

// Whether `text` begins with `prefix`, A-Z and a-z taken as the same.
[[nodiscard]] bool istarts_with(std::string_view text, std::string_view prefix);

// Whether `text` has a byte outside US-ASCII (0x80 and above): 8-bit content in the sense of
// RFC 6152, whatever its sender declared.
[[nodiscard]] bool has_eight_bit(std::string_view text);

}  // namespace sluice::policy::text
