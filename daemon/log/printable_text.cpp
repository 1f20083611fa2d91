#include "daemon/log/printable_text.hpp"

#include "common/utf8.hpp"

namespace sluice::daemon::log {

namespace {
// U+0080..U+009F: C1 controls (a terminal may take U+009B as CSI).
bool is_c1_control(std::string_view text) {
    return text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0xc2 &&
           static_cast<unsigned char>(text[1]) < 0xa0;
}
}  // namespace

std::string printable_text(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto byte = static_cast<unsigned char>(text.front());
        const std::size_t length = common::utf8_sequence_length(text);
        if (byte == '\\') {
            out += "\\\\";
        } else if ((length > 1 && !is_c1_control(text)) ||
                   (length == 1 && byte >= 0x20 && byte != 0x7f)) {
            out.append(text.substr(0, length));
            text.remove_prefix(length);
            continue;
        } else {
            out += {'\\', 'x', kHex[byte >> 4], kHex[byte & 15]};
        }
        text.remove_prefix(1);
    }
    return out;
}

}  // namespace sluice::daemon::log
