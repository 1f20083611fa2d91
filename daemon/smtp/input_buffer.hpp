// The bytes a session has read but not yet consumed, and the cutting of command lines out of
// them (sans-I/O). A line ends at LF (a preceding CR is dropped); a line longer than the limit is
// reported, and its remainder up to the next LF is discarded, so it cannot be taken as a second
// command. Owned by one session; not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::daemon::smtp {

class InputBuffer {
  public:
    explicit InputBuffer(std::size_t capacity);

    // Where the next read may put at most `writable_size()` bytes, then `commit(n)`. The
    // capacity is fixed; writable_size() > 0 whenever pending() is shorter than the capacity.
    // writable_data() may move the pending bytes (views into them become invalid).
    [[nodiscard]] char* writable_data();
    [[nodiscard]] std::size_t writable_size() const;
    void commit(std::size_t n);

    enum class LineStatus { line, need_more, too_long };
    // Takes the next complete line (without its LF and one CR before it) into `line`, valid
    // until the next call to a non-const member. too_long: the line exceeded `max_length` bytes
    // (CRLF included; the capacity caps `max_length`); it is reported once and dropped up to and
    // including its LF, even when that LF arrives in a later read.
    [[nodiscard]] LineStatus take_line(std::size_t max_length, std::string_view& line);

    // Unconsumed bytes (for DATA and BDAT readers), and consuming them.
    [[nodiscard]] std::string_view pending() const;
    void consume(std::size_t n);
    [[nodiscard]] bool empty() const { return pending().empty(); }
    // Drops everything buffered (after STARTTLS, RFC 3207 §4.2 / CVE-2011-0411).
    void clear();

  private:
    [[nodiscard]] bool should_compact() const;
    void compact();
    // Drops bytes of an over-long line; true once its LF has been dropped.
    [[nodiscard]] bool discard_long_line();
    std::string storage_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    bool discarding_long_line_ = false;
};

}  // namespace sluice::daemon::smtp
