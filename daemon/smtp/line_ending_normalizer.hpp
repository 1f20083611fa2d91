// Rewrites message content so that every line ends in CRLF: a bare CR or a bare LF becomes CRLF
// and is counted. Stateful across calls, so a CR at the end of one piece followed by LF at the
// start of the next is one CRLF. Used for BDAT chunks; DataReader applies the same rewriting
// itself, interleaved with the end-of-data and dot rules. Owned by one session; no errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::daemon::smtp {

class LineEndingNormalizer {
  public:
    // Appends `input` to `out` with bare CR and LF rewritten.
    void append(std::string_view input, std::string& out);
    // Settles a trailing CR (it becomes CRLF). Call once at the end of the content.
    void finish(std::string& out);
    [[nodiscard]] bool saw_bare_line_ending() const { return bare_count_ != 0; }

  private:
    bool pending_cr_ = false;
    std::size_t bare_count_ = 0;
};

}  // namespace sluice::daemon::smtp
