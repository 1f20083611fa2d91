// The scheduling structure of the queue manager, without clocks or sockets. Ready work lives in
// destination queues (one per QueueKey: ISP or site x source); inside a queue, one FIFO of
// batches per recipient domain (a connection serves one domain's MX hosts), taken in turn. A
// time-ordered heap holds recipients waiting for their next attempt, and recipients whose domain
// cannot be routed yet (its MX hosts are being looked up for MX rollup) wait per domain. Which
// queue a recipient goes to is the caller's Router, asked when it becomes ready, so a reload
// only has to re-route ready work (drain_ready) — waiting recipients are routed when due.
// Owned by the queue manager; io thread only.
#pragma once

#include <boost/container/devector.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/queue/core/queue_key.hpp"
#include "daemon/queue/core/queued_message.hpp"

namespace sluice::daemon::queue {

// Some recipients (indexes into message->recipients) of one message, all for `domain`.
struct Batch {
    MessagePtr message;
    QueueKey queue;
    std::string domain;
    std::vector<std::uint32_t> recipients;
};

// The queue for a recipient of `message` at `domain`, or nullopt while the domain cannot be
// routed yet (the caller resolves it and calls route_domain later).
using Router =
    std::function<std::optional<QueueKey>(const QueuedMessage& message, const std::string& domain)>;

class DeliveryQueues {
  public:
    // Queues every pending recipient of `message`: those due at `now` become ready work (or
    // unrouted), the others wait. Returns the queues that got ready work.
    std::vector<QueueKey> add_message(const MessagePtr& message, std::int64_t now_unix,
                                      const Router& router);

    // Makes recipient `index` of `message` wait until `at_unix`; `queue` is the queue it was
    // last tried through (empty if unknown), for the per-queue counts the status endpoint shows.
    void defer(const MessagePtr& message, std::uint32_t index, std::int64_t at_unix,
               const QueueKey& queue = {});

    // A waiting recipient, as remove_waiting offers it.
    struct WaitingRecipient {
        MessagePtr message;
        std::uint32_t index;
        const QueueKey& queue;  // as given to defer (empty if unknown)
    };
    // Removes and returns the waiting recipients `matches` picks (an admin's clear). O(n).
    std::vector<std::pair<MessagePtr, std::uint32_t>> remove_waiting(
        const std::function<bool(const WaitingRecipient&)>& matches);
    // Waiting recipients last tried through `queue`.
    [[nodiscard]] std::size_t waiting_in(const QueueKey& queue) const;
    // Per queue: when its earliest waiting recipient is due, and when its oldest ready or
    // waiting mail arrived; in one scan of the ready and waiting sets, empty when they hold more
    // than `max_scan` entries (the status endpoint must stay cheap).
    struct QueueTimes {
        std::optional<std::int64_t> next_due_unix;
        std::optional<std::int64_t> oldest_arrival_unix;
    };
    [[nodiscard]] std::unordered_map<QueueKey, QueueTimes, QueueKeyHash> times_by_queue(
        std::size_t max_scan) const;

    // Moves every waiting recipient due at `now` to ready work; returns the queues concerned.
    std::vector<QueueKey> release_due(std::int64_t now_unix, const Router& router);

    // Routes the recipients waiting for `domain`'s routing; returns the queues concerned.
    std::vector<QueueKey> route_domain(const std::string& domain, const Router& router);
    // Domains with recipients waiting to be routed.
    [[nodiscard]] std::vector<std::string> unrouted_domains() const;

    // Every ready and unrouted recipient, removed (a reload re-routes them with add-like calls).
    std::vector<std::pair<MessagePtr, std::uint32_t>> drain_ready();

    [[nodiscard]] std::optional<std::int64_t> next_due() const;

    // The next ready batch of `queue` (domains in turn), or of `domain` only when given; at most
    // `max_recipients` (the rest stays first in line). Its recipients are in flight until
    // return_batch or defer.
    [[nodiscard]] std::optional<Batch> take_batch(const QueueKey& queue,
                                                  std::uint32_t max_recipients,
                                                  const std::string* domain = nullptr);
    // Puts a batch that could not be attempted back at the head of its line.
    void return_batch(Batch batch);
    // Removes every ready, waiting and unrouted recipient `drop` picks (the expiry sweep),
    // telling it the queue each one is in (ready), was last tried through (waiting) or an empty
    // key; returns how many. O(n).
    using Dropper = std::function<bool(const MessagePtr&, std::uint32_t, const QueueKey&)>;
    std::size_t remove_if(const Dropper& drop);
    // Removes the ready work of `queue` (an admin's clear); returns it.
    std::vector<Batch> remove_queue(const QueueKey& queue);

    [[nodiscard]] std::size_t ready_batches(const QueueKey& queue) const;
    [[nodiscard]] std::size_t ready_recipients(const QueueKey& queue) const;
    [[nodiscard]] std::vector<QueueKey> ready_queues() const;
    [[nodiscard]] std::size_t waiting_recipients() const { return waiting_.size(); }
    // Slots for per-queue waiting counts ever made (they are reused once a queue has none).
    [[nodiscard]] std::size_t tag_slots() const { return tag_names_.size(); }

  private:
    struct Waiting {
        std::int64_t due_unix;
        MessagePtr message;
        std::uint32_t index;
        std::uint32_t queue_tag;  // into tag_names_ (0 = unknown); fits the padding
        bool operator>(const Waiting& other) const { return due_unix > other.due_unix; }
    };
    // One ready recipient. Recipients of one message for one domain are queued next to each
    // other and taken together, so no per-batch structure is kept while work waits (a full
    // queue holds a million of these).
    struct Entry {
        MessagePtr message;
        std::uint32_t index;
    };
    // devector, not deque: an empty std::deque allocates ~600 bytes, and the long tail keeps
    // a hundred thousand queues of a few entries each.
    struct Line {
        boost::container::devector<Entry> entries;
        std::size_t batches = 0;  // runs of entries of one message
    };
    struct Queue {
        std::unordered_map<std::string, Line> domains;
        boost::container::devector<std::string> turn;  // domains with batches, in serving order
        std::size_t batches = 0;
        std::size_t recipients = 0;
    };
    void make_ready(const MessagePtr& message, std::uint32_t index, const Router& router,
                    std::vector<QueueKey>& touched);
    std::uint32_t tag_of(const QueueKey& queue);
    void untag_one(std::uint32_t tag);  // one waiting recipient of `tag` is gone
    void push_waiting(Waiting waiting);
    Waiting pop_waiting();
    void push_run(Queue& queue, const std::string& domain, const MessagePtr& message,
                  std::span<const std::uint32_t> recipients, bool front);

    std::unordered_map<QueueKey, Queue, QueueKeyHash> queues_;
    std::unordered_map<std::string, std::vector<std::pair<MessagePtr, std::uint32_t>>> unrouted_;
    // A min-heap on due time (std::push_heap with greater<>), a vector so clear can filter it.
    std::vector<Waiting> waiting_;
    std::vector<QueueKey> tag_names_{QueueKey()};
    std::unordered_map<QueueKey, std::uint32_t, QueueKeyHash> tags_;
    std::vector<std::size_t> waiting_per_tag_{0};
    std::vector<std::uint32_t> free_tags_;  // tags no waiting recipient has
};

}  // namespace sluice::daemon::queue
