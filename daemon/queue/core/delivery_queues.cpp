#include "daemon/queue/core/delivery_queues.hpp"

#include <algorithm>
#include <cstdint>

namespace sluice::daemon::queue {

namespace {
void note(std::vector<QueueKey>& touched, const QueueKey& name) {
    if (std::find(touched.begin(), touched.end(), name) == touched.end()) {
        touched.push_back(name);
    }
}
}  // namespace

void DeliveryQueues::push_run(Queue& queue, const std::string& domain, const MessagePtr& message,
                              std::span<const std::uint32_t> recipients, bool front) {
    auto& line = queue.domains[domain];
    if (line.entries.empty()) {
        if (front) {
            queue.turn.push_front(domain);
        } else {
            queue.turn.push_back(domain);
        }
    }
    // Joining a neighbouring run of the same message (the rest of a split batch) is no new batch.
    const bool joins = !line.entries.empty() &&
                       (front ? line.entries.front() : line.entries.back()).message == message;
    if (!joins) {
        ++line.batches;
        ++queue.batches;
    }
    if (front) {
        for (auto it = recipients.rbegin(); it != recipients.rend(); ++it) {
            line.entries.push_front(Entry{message, *it});
        }
    } else {
        for (auto index : recipients) line.entries.push_back(Entry{message, index});
    }
    queue.recipients += recipients.size();
}

void DeliveryQueues::make_ready(const MessagePtr& message, std::uint32_t index,
                                const Router& router, std::vector<QueueKey>& touched) {
    std::string domain = recipient_domain(message->address(index));
    auto queue_name = router(*message, domain);
    if (!queue_name) {
        unrouted_[domain].emplace_back(message, index);
        return;
    }
    // Recipients of one message for one domain travel together in one transaction: push_batch
    // joins them to the run of that message at the end of the line.
    Queue& queue = queues_[*queue_name];
    push_run(queue, domain, message, std::span<const std::uint32_t>(&index, 1), false);
    note(touched, *queue_name);
}

std::vector<QueueKey> DeliveryQueues::add_message(const MessagePtr& message, std::int64_t now_unix,
                                                  const Router& router) {
    std::vector<QueueKey> touched;
    for (std::uint32_t i = 0; i < message->recipients.size(); ++i) {
        const auto& recipient = message->recipients[i];
        if (recipient.state != spool::RecipientState::pending) continue;
        if (recipient.next_attempt_unix <= now_unix) {
            make_ready(message, i, router, touched);
        } else {
            push_waiting({recipient.next_attempt_unix, message, i, 0});
        }
    }
    return touched;
}

void DeliveryQueues::defer(const MessagePtr& message, std::uint32_t index, std::int64_t at_unix,
                           const QueueKey& queue) {
    message->recipients[index].in_flight = false;
    push_waiting({at_unix, message, index, tag_of(queue)});
}

std::uint32_t DeliveryQueues::tag_of(const QueueKey& queue) {
    if (queue.empty()) return 0;
    auto it = tags_.find(queue);
    if (it != tags_.end()) return it->second;
    std::uint32_t tag = 0;
    if (free_tags_.empty()) {
        tag = static_cast<std::uint32_t>(tag_names_.size());
        tag_names_.push_back(queue);
        waiting_per_tag_.push_back(0);
    } else {
        tag = free_tags_.back();
        free_tags_.pop_back();
        tag_names_[tag] = queue;
    }
    tags_.emplace(queue, tag);
    return tag;
}

void DeliveryQueues::untag_one(std::uint32_t tag) {
    if (--waiting_per_tag_[tag] > 0 || tag == 0) return;
    // The last recipient waiting for this queue: its tag is free for another (the long tail
    // names queues without end).
    tags_.erase(tag_names_[tag]);
    tag_names_[tag] = QueueKey();
    free_tags_.push_back(tag);
}

void DeliveryQueues::push_waiting(Waiting waiting) {
    ++waiting_per_tag_[waiting.queue_tag];
    waiting_.push_back(std::move(waiting));
    std::push_heap(waiting_.begin(), waiting_.end(), std::greater<>{});
}

DeliveryQueues::Waiting DeliveryQueues::pop_waiting() {
    std::pop_heap(waiting_.begin(), waiting_.end(), std::greater<>{});
    Waiting top = std::move(waiting_.back());
    waiting_.pop_back();
    untag_one(top.queue_tag);
    return top;
}

std::vector<std::pair<MessagePtr, std::uint32_t>> DeliveryQueues::remove_waiting(
    const std::function<bool(const WaitingRecipient&)>& matches) {
    std::vector<std::pair<MessagePtr, std::uint32_t>> removed;
    auto kept = std::remove_if(waiting_.begin(), waiting_.end(), [&](const Waiting& w) {
        if (w.message->recipients[w.index].state != spool::RecipientState::pending) return false;
        if (!matches(WaitingRecipient{w.message, w.index, tag_names_[w.queue_tag]})) return false;
        removed.emplace_back(w.message, w.index);
        untag_one(w.queue_tag);
        return true;
    });
    waiting_.erase(kept, waiting_.end());
    std::make_heap(waiting_.begin(), waiting_.end(), std::greater<>{});
    return removed;
}

std::size_t DeliveryQueues::waiting_in(const QueueKey& queue) const {
    auto it = tags_.find(queue);
    return it == tags_.end() ? 0 : waiting_per_tag_[it->second];
}

std::unordered_map<QueueKey, DeliveryQueues::QueueTimes, QueueKeyHash>
DeliveryQueues::times_by_queue(std::size_t max_scan) const {
    std::unordered_map<QueueKey, QueueTimes, QueueKeyHash> times;
    std::size_t entries = waiting_.size();
    for (const auto& [key, queue] : queues_) entries += queue.recipients;
    if (entries > max_scan) return times;
    auto earliest = [](std::optional<std::int64_t>& slot, std::int64_t at) {
        slot = slot ? std::min(*slot, at) : at;
    };
    auto arrival = [](const MessagePtr& message) { return message->arrival_unix_us / 1000000; };
    std::vector<QueueTimes> by_tag(tag_names_.size());
    for (const auto& w : waiting_) {
        earliest(by_tag[w.queue_tag].next_due_unix, w.due_unix);
        earliest(by_tag[w.queue_tag].oldest_arrival_unix, arrival(w.message));
    }
    for (std::size_t tag = 1; tag < by_tag.size(); ++tag) {
        if (by_tag[tag].next_due_unix) times.emplace(tag_names_[tag], by_tag[tag]);
    }
    for (const auto& [key, queue] : queues_) {
        auto& slot = times[key].oldest_arrival_unix;
        for (const auto& [domain, line] : queue.domains) {
            for (const auto& entry : line.entries) earliest(slot, arrival(entry.message));
        }
    }
    return times;
}

std::vector<QueueKey> DeliveryQueues::release_due(std::int64_t now_unix, const Router& router) {
    std::vector<QueueKey> touched;
    while (!waiting_.empty() && waiting_.front().due_unix <= now_unix) {
        Waiting due = pop_waiting();
        if (due.message->recipients[due.index].state != spool::RecipientState::pending) {
            continue;  // finished meanwhile
        }
        make_ready(due.message, due.index, router, touched);
    }
    return touched;
}

std::vector<QueueKey> DeliveryQueues::route_domain(const std::string& domain,
                                                   const Router& router) {
    std::vector<QueueKey> touched;
    auto it = unrouted_.find(domain);
    if (it == unrouted_.end()) return touched;
    auto waiting = std::move(it->second);
    unrouted_.erase(it);
    for (auto& [message, index] : waiting) {
        if (message->recipients[index].state != spool::RecipientState::pending) continue;
        make_ready(message, index, router, touched);
    }
    return touched;
}

std::vector<std::string> DeliveryQueues::unrouted_domains() const {
    std::vector<std::string> domains;
    for (const auto& [domain, waiting] : unrouted_) {
        if (!waiting.empty()) domains.push_back(domain);
    }
    return domains;
}

std::vector<std::pair<MessagePtr, std::uint32_t>> DeliveryQueues::drain_ready() {
    std::vector<std::pair<MessagePtr, std::uint32_t>> drained;
    for (auto& [name, queue] : queues_) {
        for (auto& [domain, line] : queue.domains) {
            for (auto& entry : line.entries) drained.emplace_back(entry.message, entry.index);
        }
    }
    for (auto& [domain, waiting] : unrouted_) {
        for (auto& entry : waiting) drained.push_back(std::move(entry));
    }
    queues_.clear();
    unrouted_.clear();
    return drained;
}

std::optional<std::int64_t> DeliveryQueues::next_due() const {
    if (waiting_.empty()) return std::nullopt;
    return waiting_.front().due_unix;
}

std::optional<Batch> DeliveryQueues::take_batch(const QueueKey& queue_name,
                                                std::uint32_t max_recipients,
                                                const std::string* domain) {
    auto it = queues_.find(queue_name);
    if (it == queues_.end() || it->second.turn.empty()) return std::nullopt;
    Queue& queue = it->second;
    const std::string chosen = domain ? *domain : queue.turn.front();
    auto line_it = queue.domains.find(chosen);
    if (line_it == queue.domains.end() || line_it->second.entries.empty()) return std::nullopt;
    Line& line = line_it->second;
    Batch batch{line.entries.front().message, queue_name, chosen, {}};
    while (!line.entries.empty() && line.entries.front().message == batch.message &&
           (max_recipients == 0 || batch.recipients.size() < max_recipients)) {
        batch.recipients.push_back(line.entries.front().index);
        batch.message->recipients[line.entries.front().index].in_flight = true;
        line.entries.pop_front();
    }
    // A message split at the recipient limit stays one batch in the count.
    if (line.entries.empty() || line.entries.front().message != batch.message) {
        --line.batches;
        --queue.batches;
    }
    queue.recipients -= batch.recipients.size();
    // The domain's turn is over: it goes to the back of the line (or leaves it).
    auto turn = std::find(queue.turn.begin(), queue.turn.end(), chosen);
    if (turn != queue.turn.end()) queue.turn.erase(turn);
    if (line.entries.empty()) {
        queue.domains.erase(line_it);
    } else {
        queue.turn.push_back(chosen);
    }
    if (queue.turn.empty()) queues_.erase(it);
    return batch;
}

void DeliveryQueues::return_batch(Batch batch) {
    for (auto index : batch.recipients) batch.message->recipients[index].in_flight = false;
    Queue& queue = queues_[batch.queue];
    push_run(queue, batch.domain, batch.message, batch.recipients, true);
}

std::size_t DeliveryQueues::remove_if(const Dropper& drop) {
    static const QueueKey kUnknown;
    std::size_t removed = 0;
    for (auto queue_it = queues_.begin(); queue_it != queues_.end();) {
        Queue& queue = queue_it->second;
        for (auto line_it = queue.domains.begin(); line_it != queue.domains.end();) {
            Line& line = line_it->second;
            const std::size_t before = line.entries.size();
            line.entries.erase(std::remove_if(line.entries.begin(), line.entries.end(),
                                              [&](const Entry& e) {
                                                  return drop(e.message, e.index, queue_it->first);
                                              }),
                               line.entries.end());
            const std::size_t gone = before - line.entries.size();
            if (gone > 0) {
                removed += gone;
                queue.recipients -= gone;
                // Batches are runs of one message's entries: count them again.
                std::size_t batches = 0;
                for (std::size_t i = 0; i < line.entries.size(); ++i) {
                    if (i == 0 || line.entries[i].message != line.entries[i - 1].message) ++batches;
                }
                queue.batches = queue.batches - line.batches + batches;
                line.batches = batches;
            }
            if (line.entries.empty()) {
                queue.turn.erase(std::remove(queue.turn.begin(), queue.turn.end(), line_it->first),
                                 queue.turn.end());
                line_it = queue.domains.erase(line_it);
            } else {
                ++line_it;
            }
        }
        queue_it = queue.turn.empty() ? queues_.erase(queue_it) : std::next(queue_it);
    }
    const std::size_t waiting_before = waiting_.size();
    std::erase_if(waiting_, [&](const Waiting& w) {
        if (!drop(w.message, w.index, tag_names_[w.queue_tag])) return false;
        untag_one(w.queue_tag);
        return true;
    });
    if (waiting_.size() != waiting_before) {
        removed += waiting_before - waiting_.size();
        std::make_heap(waiting_.begin(), waiting_.end(), std::greater<>{});
    }
    for (auto it = unrouted_.begin(); it != unrouted_.end();) {
        removed += std::erase_if(it->second,
                                 [&](const auto& r) { return drop(r.first, r.second, kUnknown); });
        it = it->second.empty() ? unrouted_.erase(it) : std::next(it);
    }
    return removed;
}

std::vector<Batch> DeliveryQueues::remove_queue(const QueueKey& queue_name) {
    std::vector<Batch> removed;
    auto it = queues_.find(queue_name);
    if (it == queues_.end()) return removed;
    for (auto& [domain, line] : it->second.domains) {
        for (auto& entry : line.entries) {
            if (removed.empty() || removed.back().message != entry.message ||
                removed.back().domain != domain) {
                removed.push_back(Batch{entry.message, queue_name, domain, {}});
            }
            removed.back().recipients.push_back(entry.index);
        }
    }
    queues_.erase(it);
    return removed;
}

std::size_t DeliveryQueues::ready_batches(const QueueKey& queue) const {
    auto it = queues_.find(queue);
    return it == queues_.end() ? 0 : it->second.batches;
}

std::size_t DeliveryQueues::ready_recipients(const QueueKey& queue) const {
    auto it = queues_.find(queue);
    return it == queues_.end() ? 0 : it->second.recipients;
}

std::vector<QueueKey> DeliveryQueues::ready_queues() const {
    std::vector<QueueKey> names;
    names.reserve(queues_.size());
    for (const auto& [name, queue] : queues_) {
        if (queue.batches > 0) names.push_back(name);
    }
    return names;
}

}  // namespace sluice::daemon::queue
