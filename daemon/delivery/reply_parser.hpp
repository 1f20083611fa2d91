// Cuts SMTP server replies (RFC 5321 §4.2) out of a byte stream, sans-I/O: the caller feeds
// whatever it read, the parser says how much it used and whether a reply is complete. Bytes after
// a complete reply stay with the caller (pipelined replies, RFC 2920). Limits on line length,
// lines and bytes per reply keep a hostile server from exhausting memory; breaking one, or a
// malformed line, is a sticky error (the connection is then unusable). Owned by one connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/smtp/reply.hpp"

namespace sluice::daemon::delivery {

struct ReplyLimits {
    // CRLF included. RFC 5321 §4.5.3.1.5 says 512, but real servers send longer texts.
    std::size_t max_line_length = 2048;
    std::size_t max_lines = 100;
    std::size_t max_reply_bytes = 64 * 1024;
};

class ReplyParser {
  public:
    enum class State { need_more, complete, failed };

    explicit ReplyParser(ReplyLimits limits = {});

    // Consumes bytes from the front of `input`, up to the end of one reply or to the error;
    // returns how many it used. Uses nothing once complete (take the reply first) or failed.
    [[nodiscard]] std::size_t consume(std::string_view input);
    [[nodiscard]] State state() const { return state_; }
    // True when no part of a reply has been consumed since the last take_reply().
    [[nodiscard]] bool idle() const {
        return state_ == State::need_more && line_.empty() && texts_.empty();
    }
    // errc::malformed_reply or errc::reply_too_long once failed; empty otherwise.
    [[nodiscard]] std::error_code error() const { return error_; }

    // The complete reply; the parser then waits for the next one. Requires state() == complete.
    // An enhanced status code (RFC 3463, "x.y.z" with x the reply's first digit) at the start
    // of the first line is moved to Reply::enhanced and removed from every line that repeats it.
    // It is taken whether or not the server announced ENHANCEDSTATUSCODES: many servers send
    // them without announcing, and a text that starts with such a token otherwise is rare.
    [[nodiscard]] smtp::Reply take_reply();

  private:
    void finish_line();
    void fail(std::error_code error);

    ReplyLimits limits_;
    State state_ = State::need_more;
    std::error_code error_;
    std::string line_;  // the current line so far, without its LF
    std::size_t reply_bytes_ = 0;
    int code_ = 0;
    std::vector<std::string> texts_;
};

// The enhanced status code at the start of `text` for a reply of `code`, or "" (exposed for tests).
[[nodiscard]] std::string_view leading_enhanced_code(int code, std::string_view text);

}  // namespace sluice::daemon::delivery
