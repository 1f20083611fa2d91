// SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463): a value type and its wire
// form. Multi-line replies (EHLO) use "code-" on all lines but the last. Texts sent to peers stay
// bland: no paths, no internals.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::daemon::smtp {

struct Reply {
    int code = 250;
    std::string enhanced;  // "2.0.0"; empty for replies that carry none (220, 221 greeting)
    std::vector<std::string> lines;  // at least one

    Reply() = default;
    Reply(int code, std::string enhanced, std::string text);

    [[nodiscard]] bool positive() const { return code >= 200 && code < 400; }
    // "250-first\r\n250 2.0.0 last\r\n" (the enhanced code is put on every line, RFC 2034 §4).
    [[nodiscard]] std::string to_wire() const;
    // One line for logs: "250 2.0.0 text".
    [[nodiscard]] std::string summary() const;
};

}  // namespace sluice::daemon::smtp
