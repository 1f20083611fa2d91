// InputBuffer: a fixed-capacity byte window [begin_, end_) over storage_. Compaction is done
// lazily in writable_data(), so a line handed out by take_line() stays intact until the caller
// reads again; writable_size() reports the room that compaction will make.
#include "daemon/smtp/input_buffer.hpp"

#include <algorithm>
#include <cstring>

#include "common/assert.hpp"

namespace sluice::daemon::smtp {

InputBuffer::InputBuffer(std::size_t capacity) : storage_(capacity, '\0') {
    SLUICE_ASSERT(capacity > 0, "an input buffer needs room");
}

char* InputBuffer::writable_data() {
    if (should_compact()) compact();
    return storage_.data() + end_;
}

std::size_t InputBuffer::writable_size() const {
    return should_compact() ? storage_.size() - (end_ - begin_) : storage_.size() - end_;
}

void InputBuffer::commit(std::size_t n) {
    SLUICE_ASSERT(n <= storage_.size() - end_, "commit beyond the writable area");
    end_ += n;
}

InputBuffer::LineStatus InputBuffer::take_line(std::size_t max_length, std::string_view& line) {
    // A line that could never fit would stall the session, so the capacity caps the limit too.
    max_length = std::clamp<std::size_t>(max_length, 1, storage_.size());
    if (discarding_long_line_ && !discard_long_line()) return LineStatus::need_more;
    std::string_view rest = pending();
    const void* found = std::memchr(rest.data(), '\n', std::min(rest.size(), max_length));
    if (found == nullptr) {
        if (rest.size() < max_length) return LineStatus::need_more;
        // max_length octets and no LF yet: too long whatever follows. Report it now, once,
        // and drop everything up to the LF that ends it, even if that comes later.
        discarding_long_line_ = true;
        static_cast<void>(discard_long_line());
        return LineStatus::too_long;
    }
    std::size_t length = static_cast<const char*>(found) - rest.data();
    line = rest.substr(0, length);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    consume(length + 1);
    return LineStatus::line;
}

bool InputBuffer::discard_long_line() {
    std::string_view rest = pending();
    std::size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) {
        consume(rest.size());
        return false;
    }
    consume(lf + 1);
    discarding_long_line_ = false;
    return true;
}

std::string_view InputBuffer::pending() const {
    return {storage_.data() + begin_, end_ - begin_};
}

void InputBuffer::consume(std::size_t n) {
    SLUICE_ASSERT(n <= end_ - begin_, "consume beyond the pending bytes");
    begin_ += n;
}

void InputBuffer::clear() {
    begin_ = 0;
    end_ = 0;
    discarding_long_line_ = false;
}

// Moving pending bytes costs at most what was consumed before them (begin_ >= half the
// capacity) unless the window has hit the end, when moving is the only way to read on.
bool InputBuffer::should_compact() const {
    return begin_ > 0 &&
           (begin_ == end_ || end_ == storage_.size() || begin_ >= storage_.size() / 2);
}

void InputBuffer::compact() {
    std::memmove(storage_.data(), storage_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
}

}  // namespace sluice::daemon::smtp
