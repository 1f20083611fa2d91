// The scheduling structure of the queue manager, without clocks or sockets: per destination
// domain a FIFO of ready work (batches of one message's recipients for that domain) and one
// time-ordered heap of recipients waiting for their next attempt. The caller passes the time
// in, takes batches for its delivery workers and hands deferred recipients back.
// Owned by the queue manager; io thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/queue/queued_message.hpp"

namespace sluice::daemon::queue {

// Some recipients (indexes into message->recipients) of one message, all for `domain`.
struct Batch {
    MessagePtr message;
    std::string domain;
    std::vector<std::uint32_t> recipients;
};

class DeliveryQueues {
public:
    // Queues every pending recipient of `message`: those due at `now` become ready work,
    // the others wait for their next attempt. Returns the domains that got ready work.
    std::vector<std::string> add_message(const MessagePtr& message, std::int64_t now_unix);

    // Makes recipient `index` of `message` wait until `at_unix`.
    void defer(const MessagePtr& message, std::uint32_t index, std::int64_t at_unix);

    // Moves every waiting recipient due at `now` to ready work; returns the domains concerned.
    std::vector<std::string> release_due(std::int64_t now_unix);

    // When the earliest waiting recipient is due, if any.
    [[nodiscard]] std::optional<std::int64_t> next_due() const;

    // The next ready batch for `domain` (at most `max_recipients`; the rest stays first in
    // line), or nothing.
    [[nodiscard]] std::optional<Batch> take_batch(const std::string& domain,
                                                  std::uint32_t max_recipients);
    // Puts a batch that could not be attempted back at the head of its domain's line.
    void return_batch(Batch batch);

    [[nodiscard]] std::size_t ready_batches(const std::string& domain) const;
    [[nodiscard]] std::vector<std::string> ready_domains() const;
    [[nodiscard]] std::size_t waiting_recipients() const { return waiting_.size(); }

private:
    struct Waiting {
        std::int64_t due_unix;
        MessagePtr message;
        std::uint32_t index;
        bool operator>(const Waiting& other) const { return due_unix > other.due_unix; }
    };
    void add_ready(const MessagePtr& message, const std::string& domain, std::uint32_t index,
                   std::vector<std::string>& touched);

    std::unordered_map<std::string, std::deque<Batch>> ready_;
    std::priority_queue<Waiting, std::vector<Waiting>, std::greater<>> waiting_;
};

}  // namespace sluice::daemon::queue
