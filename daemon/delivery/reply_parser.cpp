#include "daemon/delivery/reply_parser.hpp"

#include <algorithm>
#include <utility>

#include "common/assert.hpp"
#include "daemon/delivery/errc.hpp"

namespace sluice::daemon::delivery {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// One to three digits (RFC 3463 §2: subject and detail are 1*3digit); returns the length used.
std::size_t digits_at(std::string_view text, std::size_t at) {
    std::size_t n = 0;
    while (at + n < text.size() && n < 4 && is_digit(text[at + n])) ++n;
    return n >= 1 && n <= 3 ? n : 0;
}

}  // namespace

std::string_view leading_enhanced_code(int code, std::string_view text) {
    // class "." subject "." detail, the class matching the reply's (2, 4 or 5).
    if (text.size() < 5 || text[0] != static_cast<char>('0' + code / 100) || text[1] != '.') {
        return {};
    }
    std::size_t at = 2;
    const std::size_t subject = digits_at(text, at);
    if (subject == 0 || at + subject >= text.size() || text[at + subject] != '.') return {};
    at += subject + 1;
    const std::size_t detail = digits_at(text, at);
    if (detail == 0) return {};
    at += detail;
    if (at < text.size() && text[at] != ' ') return {};
    return text.substr(0, at);
}

ReplyParser::ReplyParser(ReplyLimits limits) : limits_(limits) {}

std::size_t ReplyParser::consume(std::string_view input) {
    std::size_t used = 0;
    while (state_ == State::need_more && used < input.size()) {
        const std::string_view rest = input.substr(used);
        const std::size_t lf = rest.find('\n');
        const std::size_t take = lf == std::string_view::npos ? rest.size() : lf + 1;
        reply_bytes_ += take;
        // A line without its LF yet may hold at most max_line_length - 1 bytes.
        if (line_.size() + take > limits_.max_line_length ||
            (lf == std::string_view::npos && line_.size() + take == limits_.max_line_length) ||
            reply_bytes_ > limits_.max_reply_bytes) {
            fail(errc::reply_too_long);
            break;
        }
        line_.append(rest.data(), lf == std::string_view::npos ? take : lf);
        used += take;
        if (lf != std::string_view::npos) finish_line();
    }
    return used;
}

void ReplyParser::finish_line() {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    // RFC 5321 §4.2: Reply-code [ SP textstring ] CRLF, or "-" between lines of a multi-line reply.
    const std::string_view line = line_;
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) ||
        !is_digit(line[2]) || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        return fail(errc::malformed_reply);
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!texts_.empty() && code != code_) return fail(errc::malformed_reply);
    if (texts_.size() == limits_.max_lines) return fail(errc::reply_too_long);
    code_ = code;
    texts_.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view{});
    const bool last = line.size() == 3 || line[3] == ' ';
    line_.clear();
    if (last) state_ = State::complete;
}

void ReplyParser::fail(std::error_code error) {
    state_ = State::failed;
    error_ = error;
    line_.clear();
    texts_.clear();
}

smtp::Reply ReplyParser::take_reply() {
    SLUICE_ASSERT(state_ == State::complete, "take_reply before a reply is complete");
    smtp::Reply reply;
    reply.code = code_;
    reply.enhanced = std::string(leading_enhanced_code(code_, texts_.front()));
    reply.lines = std::exchange(texts_, {});
    if (!reply.enhanced.empty()) {
        for (std::string& text : reply.lines) {
            if (leading_enhanced_code(code_, text) != reply.enhanced) continue;
            text.erase(0, std::min(text.size(), reply.enhanced.size() + 1));
        }
    }
    state_ = State::need_more;
    reply_bytes_ = 0;
    code_ = 0;
    return reply;
}

}  // namespace sluice::daemon::delivery
