// Turns message content as spooled into the bytes sent after DATA's 354 (RFC 5321 §4.5.2),
// sans-I/O and piece by piece so a large message never needs a second full copy: a "." that
// starts a line is doubled, every bare CR or bare LF becomes CRLF (Sluice never sends either
// alone, RFC 5321 §2.3.8), and finish() adds the missing final CRLF and the ".\r\n" terminator.
// Owned by one DATA transfer; the pieces may be cut anywhere, even between a CR and its LF.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::delivery {

class DotStuffer {
  public:
    // Appends the wire form of the next piece of content to `out`.
    void encode(std::string_view content, std::string& out);
    // Appends the end of the data: CRLF if the content did not end with a line break, then
    // ".\r\n". The stuffer is then ready for another message.
    void finish(std::string& out);

  private:
    void end_line(std::string& out);

    bool at_line_start_ = true;
    bool pending_cr_ = false;  // a CR ended the last piece; its LF may start the next
};

// The wire form of a whole message (tests and small messages).
[[nodiscard]] std::string dot_stuff(std::string_view content);

}  // namespace sluice::daemon::delivery
