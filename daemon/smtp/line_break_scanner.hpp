// Finds the next CR or LF in a piece of text with memchr, remembering how far each byte value
// has been searched, so a piece is scanned at most once per byte value however the caller
// steps through it (no quadratic rescans on input full of bare CRs). Header-only, no state
// beyond one piece; used by LineEndingNormalizer and DataReader.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace sluice::daemon::smtp {

class LineBreakScanner {
  public:
    explicit LineBreakScanner(std::string_view text)
        : text_(text), next_cr_(locate('\r', 0)), next_lf_(locate('\n', 0)) {}

    // The position of the first CR or LF at or after `from`, or text.size() when none is left.
    // `from` must not decrease between calls.
    [[nodiscard]] std::size_t find(std::size_t from) {
        if (next_cr_ < from) next_cr_ = locate('\r', from);
        if (next_lf_ < from) next_lf_ = locate('\n', from);
        return std::min(next_cr_, next_lf_);
    }

  private:
    [[nodiscard]] std::size_t locate(char c, std::size_t from) const {
        if (from >= text_.size()) return text_.size();
        const void* found = std::memchr(text_.data() + from, c, text_.size() - from);
        return found == nullptr
                   ? text_.size()
                   : static_cast<std::size_t>(static_cast<const char*>(found) - text_.data());
    }

    std::string_view text_;
    std::size_t next_cr_;
    std::size_t next_lf_;
};

}  // namespace sluice::daemon::smtp
