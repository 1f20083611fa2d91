// Reads DATA content (sans-I/O): finds the end of data, undoes dot-stuffing, caps the size.
// Only <CRLF>.<CRLF> ends DATA (RFC 5321 §4.1.1.4). A "." line that follows a bare LF or bare CR
// is content, never an end, which defeats SMTP smuggling (CVE-2023-51764/5/6); bare CR and LF are
// stored as CRLF and counted, so the session can refuse such messages if configured to.
// Content beyond `max_size` is scanned for the end but not stored. One reader per DATA command,
// owned by its session; not thread-safe. Peer input never triggers an assertion.
//
// The rules, applied to the byte stream whatever way it is split across consume() calls:
//  1. A line "starts after CRLF" at the very beginning (the 354 reply stands for a CRLF) and
//     right after a CR LF pair. A line that starts after a bare CR or bare LF does not.
//  2. End of data: a line that starts after CRLF and is exactly "." CR LF. Nothing else ends
//     DATA: not "\n.\n", "\r.\r", "\n.\r\n", "\r.\r\n", "\r\n.\n", nor "\r\n.\r" + other.
//  3. Dot-unstuffing (RFC 5321 §4.5.2): a line that starts after CRLF with "." followed by a
//     character other than CR or LF loses that first ".". A "." at the start of a line that
//     follows a bare CR or LF is kept (it is content, not stuffing).
//  4. A lone "." that starts after CRLF but is ended by a bare line ending (".\n", or ".\r"
//     followed by anything but LF) is the content line "." and is stored as ".\r\n".
//  5. Every bare CR and bare LF is stored as CRLF and sets saw_bare_line_ending().
//  6. size() counts stored octets (after unstuffing and line-ending repair), stored or not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::daemon::smtp {

class DataReader {
  public:
    explicit DataReader(std::uint64_t max_size);

    // Consumes bytes from `input` and returns how many it used; it stops right after the
    // terminating "." line, leaving what follows for the command parser. Uses 0 once done().
    [[nodiscard]] std::size_t consume(std::string_view input);

    [[nodiscard]] bool done() const { return phase_ == Phase::done; }
    // size() > max_size: the content kept is truncated and the message must be refused (552).
    [[nodiscard]] bool too_large() const { return size_ > max_size_; }
    [[nodiscard]] bool saw_bare_line_ending() const { return bare_count_ != 0; }
    [[nodiscard]] std::uint64_t size() const { return size_; }  // after unstuffing
    // The content with CRLF line endings, without the terminating ".". Only once done().
    [[nodiscard]] std::string take_content();

  private:
    enum class Phase : std::uint8_t {
        line_start,  // at the start of a line that starts after CRLF (rules 2, 3)
        dot,         // line_start, then "."
        dot_cr,      // line_start, then ".", CR
        in_line,     // anywhere else, including right after a bare CR or LF
        cr,          // in_line, then CR
        done,
    };

    void store(std::string_view octets);
    void store_bare_line_ending();
    // Handles input[i] in a phase other than in_line; returns how many octets it used (0 or 1).
    std::size_t step(char c);

    std::uint64_t max_size_;
    std::uint64_t size_ = 0;
    std::uint64_t bare_count_ = 0;
    Phase phase_ = Phase::line_start;
    std::string content_;
};

}  // namespace sluice::daemon::smtp
