// ExpiryWatch: when each unfinished message must next be looked at for expiry, so that a
// recipient expires at its deadline wherever it waits (held, locked, rate-limited, waiting for
// DNS or for its retry), not only after a failed attempt. One entry per message, keyed on a
// due time that is never later than the earliest deadline of its pending recipients; the queue
// manager takes the due entries each scheduler pass, expires what is past its deadline and
// watches the rest again at their next deadline. Pure: no clock (times are unix seconds
// passed in), no I/O. Holds weak references: a message that finished (delivered, bounced,
// cleared) is gone from memory at once, and its entry is dropped when it comes due.
// Owned by the queue manager; io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "daemon/queue/core/queued_message.hpp"

namespace sluice::daemon::queue {

class ExpiryWatch {
  public:
    // Looks at `message` again at `due_unix` (a message may be watched once at a time).
    void watch(MessagePtr message, std::int64_t due_unix);
    // Removes and returns the messages due at `now_unix` that still exist, earliest first.
    [[nodiscard]] std::vector<MessagePtr> take_due(std::int64_t now_unix);
    [[nodiscard]] std::optional<std::int64_t> next_due() const;
    // Moves every entry due after `latest(message)` to that time (a reload shortened a
    // lifetime). O(n).
    void bring_forward(const std::function<std::int64_t(const QueuedMessage&)>& latest);
    // Calls `visit` for every watched message and its due time (the status endpoint's overdue
    // count). O(n).
    void for_each(const std::function<void(const QueuedMessage&, std::int64_t)>& visit) const;
    [[nodiscard]] std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::int64_t due_unix;
        std::weak_ptr<QueuedMessage> message;
        bool operator>(const Entry& other) const { return due_unix > other.due_unix; }
    };
    std::vector<Entry> entries_;  // a min-heap on due time
};

}  // namespace sluice::daemon::queue
