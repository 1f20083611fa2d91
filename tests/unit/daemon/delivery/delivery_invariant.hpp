// The delivery client's invariant, judged from the server's side: a recipient may be counted
// delivered only if, at that server, its RCPT got a 2xx and the message content got a 2xx.
// "Got" is what the server meant, not what a client could guess from positions: the server's
// exchanges are groups of things the client said (several when pipelined) each followed by
// the bytes the server sent before the client said more. A group answered with exactly one
// well-formed reply per thing said is in step and its replies belong to what was said, in
// order; once a group is answered with fewer or more replies, or with malformed bytes, nothing
// after it is attributable and no later content can confirm anyone (the first replies of an
// over-long answer still belong to their commands). Header-only and pure: the client's unit
// tests and the fuzz target share it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::daemon::delivery::testing {

struct ServerExchange {
    struct Said {
        bool content = false;  // the message content up to its final dot, else a command line
        std::string text;
    };
    std::vector<Said> said;  // empty for the greeting
    std::string answer;      // every byte the server sent before the client said more
};
using ServerExchanges = std::vector<ServerExchange>;

// The replies at the start of `bytes` that are complete and well-formed (RFC 5321 §4.2: lines
// "ddd-..." ending in "ddd ..." or "ddd", one code, first digit 2 to 5); `clean` is false when
// anything else follows them.
struct AnswerShape {
    std::vector<int> codes;
    bool clean = true;
};

inline AnswerShape shape_of(std::string_view bytes) {
    AnswerShape shape;
    int code = 0;  // of the reply in progress
    while (!bytes.empty()) {
        const std::size_t lf = bytes.find('\n');
        if (lf == std::string_view::npos) break;  // a partial line
        std::string_view line = bytes.substr(0, lf);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const bool well_formed = line.size() >= 3 && line[0] >= '2' && line[0] <= '5' &&
                                 line[1] >= '0' && line[1] <= '9' && line[2] >= '0' &&
                                 line[2] <= '9' &&
                                 (line.size() == 3 || line[3] == ' ' || line[3] == '-');
        if (!well_formed) break;
        const int line_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (code != 0 && line_code != code) break;
        bytes.remove_prefix(lf + 1);
        if (line.size() > 3 && line[3] == '-') {
            code = line_code;
            continue;
        }
        shape.codes.push_back(line_code);
        code = 0;
    }
    shape.clean = bytes.empty() && code == 0;
    return shape;
}

// "RCPT TO:<a@b>\r\n" -> "a@b"; "" for anything else.
inline std::string rcpt_address(std::string_view line) {
    constexpr std::string_view kPrefix = "RCPT TO:<";
    if (line.substr(0, kPrefix.size()) != kPrefix) return {};
    const std::size_t close = line.find('>');
    if (close == std::string_view::npos) return {};
    return std::string(line.substr(kPrefix.size(), close - kPrefix.size()));
}

// The recipients the server confirmed: RCPT answered 2xx, then the content answered 2xx, in
// one transaction (a MAIL starts a new one), while the session was in step.
inline std::set<std::string> confirmed_recipients(const ServerExchanges& exchanges) {
    std::set<std::string> confirmed;
    std::set<std::string> accepted;  // in the open transaction
    for (const auto& exchange : exchanges) {
        const AnswerShape shape = shape_of(exchange.answer);
        // The greeting answers nothing said: it is one reply too.
        const std::size_t expected = std::max<std::size_t>(1, exchange.said.size());
        const bool in_step = shape.clean && shape.codes.size() == expected;
        const std::size_t attributable = std::min(shape.codes.size(), exchange.said.size());
        // Fewer replies than things said: which one is missing is unknowable.
        const std::size_t usable = shape.codes.size() < exchange.said.size() ? 0 : attributable;
        for (std::size_t i = 0; i < usable; ++i) {
            const auto& said = exchange.said[i];
            const bool positive = shape.codes[i] / 100 == 2;
            if (said.content) {
                if (positive) confirmed.insert(accepted.begin(), accepted.end());
                accepted.clear();
            } else if (said.text.starts_with("MAIL ") || said.text.starts_with("RSET")) {
                accepted.clear();
            } else if (const auto address = rcpt_address(said.text); !address.empty()) {
                if (positive) accepted.insert(address);
            }
        }
        if (!in_step) break;
    }
    return confirmed;
}

// "" when every recipient counted delivered was confirmed, else which one was not.
inline std::string invariant_violation(const ServerExchanges& exchanges,
                                       const std::vector<std::string>& delivered) {
    const auto confirmed = confirmed_recipients(exchanges);
    for (const auto& recipient : delivered) {
        if (!confirmed.contains(recipient)) {
            return recipient + " counted delivered, but the server never confirmed it";
        }
    }
    return {};
}

}  // namespace sluice::daemon::delivery::testing
