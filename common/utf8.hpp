// UTF-8 well-formedness (RFC 3629 §4: no overlong forms, no surrogates, nothing above
// U+10FFFF), header-only and pure: the one copy that the SMTP address checks, the daemon's log
// and the accounting log share.
#pragma once

#include <cstddef>
#include <string_view>

namespace sluice::common {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 when it is
// malformed (or `text` is empty). ASCII bytes, control bytes included, have length 1.
[[nodiscard]] inline std::size_t utf8_sequence_length(std::string_view text) {
    if (text.empty()) return 0;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) min_second = 0xa0;  // overlong
        if (lead == 0xed) max_second = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) min_second = 0x90;  // overlong
        if (lead == 0xf4) max_second = 0x8f;  // above U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < min_second || byte(1) > max_second) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
    }
    return length;
}

[[nodiscard]] inline bool is_valid_utf8(std::string_view text) {
    while (!text.empty()) {
        const std::size_t length = utf8_sequence_length(text);
        if (length == 0) return false;
        text.remove_prefix(length);
    }
    return true;
}

}  // namespace sluice::common
