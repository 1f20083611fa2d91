#include "daemon/queue/delivery_queues.hpp"

#include <algorithm>

namespace sluice::daemon::queue {

namespace {
void note(std::vector<std::string>& touched, const std::string& name) {
    if (std::find(touched.begin(), touched.end(), name) == touched.end()) {
        touched.push_back(name);
    }
}
}  // namespace

void DeliveryQueues::push_batch(Queue& queue, Batch batch, bool front) {
    auto& line = queue.domains[batch.domain];
    if (line.batches.empty()) {
        if (front) {
            queue.turn.push_front(batch.domain);
        } else {
            queue.turn.push_back(batch.domain);
        }
    }
    line.recipients += batch.recipients.size();
    queue.recipients += batch.recipients.size();
    ++queue.batches;
    if (front) {
        line.batches.push_front(std::move(batch));
    } else {
        line.batches.push_back(std::move(batch));
    }
}

void DeliveryQueues::make_ready(const MessagePtr& message, std::uint32_t index,
                                const Router& router, std::vector<std::string>& touched) {
    std::string domain = recipient_domain(message->recipients[index].address);
    auto queue_name = router(*message, domain);
    if (!queue_name) {
        unrouted_[domain].emplace_back(message, index);
        return;
    }
    Queue& queue = queues_[*queue_name];
    auto line = queue.domains.find(domain);
    // Recipients of one message for one domain travel together in one transaction.
    if (line != queue.domains.end() && !line->second.batches.empty() &&
        line->second.batches.back().message == message) {
        line->second.batches.back().recipients.push_back(index);
        ++line->second.recipients;
        ++queue.recipients;
    } else {
        push_batch(queue, Batch{message, *queue_name, std::move(domain), {index}}, false);
    }
    note(touched, *queue_name);
}

std::vector<std::string> DeliveryQueues::add_message(const MessagePtr& message,
                                                     std::int64_t now_unix,
                                                     const Router& router) {
    std::vector<std::string> touched;
    for (std::uint32_t i = 0; i < message->recipients.size(); ++i) {
        const auto& recipient = message->recipients[i];
        if (recipient.state != spool::RecipientState::pending) continue;
        if (recipient.next_attempt_unix <= now_unix) {
            make_ready(message, i, router, touched);
        } else {
            waiting_.push({recipient.next_attempt_unix, message, i});
        }
    }
    return touched;
}

void DeliveryQueues::defer(const MessagePtr& message, std::uint32_t index, std::int64_t at_unix) {
    waiting_.push({at_unix, message, index});
}

std::vector<std::string> DeliveryQueues::release_due(std::int64_t now_unix,
                                                     const Router& router) {
    std::vector<std::string> touched;
    while (!waiting_.empty() && waiting_.top().due_unix <= now_unix) {
        Waiting due = waiting_.top();
        waiting_.pop();
        const auto& recipient = due.message->recipients[due.index];
        if (recipient.state != spool::RecipientState::pending) continue;  // finished meanwhile
        make_ready(due.message, due.index, router, touched);
    }
    return touched;
}

std::vector<std::string> DeliveryQueues::route_domain(const std::string& domain,
                                                      const Router& router) {
    std::vector<std::string> touched;
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
            for (auto& batch : line.batches) {
                for (auto index : batch.recipients) drained.emplace_back(batch.message, index);
            }
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
    return waiting_.top().due_unix;
}

std::optional<Batch> DeliveryQueues::take_batch(const std::string& queue_name,
                                                std::uint32_t max_recipients,
                                                const std::string* domain) {
    auto it = queues_.find(queue_name);
    if (it == queues_.end() || it->second.turn.empty()) return std::nullopt;
    Queue& queue = it->second;
    const std::string chosen = domain ? *domain : queue.turn.front();
    auto line_it = queue.domains.find(chosen);
    if (line_it == queue.domains.end() || line_it->second.batches.empty()) return std::nullopt;
    Line& line = line_it->second;
    Batch batch = std::move(line.batches.front());
    line.batches.pop_front();
    --queue.batches;
    if (max_recipients > 0 && batch.recipients.size() > max_recipients) {
        Batch rest{batch.message, batch.queue, batch.domain,
                   {batch.recipients.begin() + max_recipients, batch.recipients.end()}};
        batch.recipients.resize(max_recipients);
        line.batches.push_front(std::move(rest));
        ++queue.batches;
    }
    line.recipients -= batch.recipients.size();
    queue.recipients -= batch.recipients.size();
    // The domain's turn is over: it goes to the back of the line (or leaves it).
    auto turn = std::find(queue.turn.begin(), queue.turn.end(), chosen);
    if (turn != queue.turn.end()) queue.turn.erase(turn);
    if (line.batches.empty()) {
        queue.domains.erase(line_it);
    } else {
        queue.turn.push_back(chosen);
    }
    if (queue.turn.empty()) queues_.erase(it);
    return batch;
}

void DeliveryQueues::return_batch(Batch batch) {
    Queue& queue = queues_[batch.queue];
    push_batch(queue, std::move(batch), true);
}

std::vector<Batch> DeliveryQueues::remove_queue(const std::string& queue_name) {
    std::vector<Batch> removed;
    auto it = queues_.find(queue_name);
    if (it == queues_.end()) return removed;
    for (auto& [domain, line] : it->second.domains) {
        for (auto& batch : line.batches) removed.push_back(std::move(batch));
    }
    queues_.erase(it);
    return removed;
}

std::size_t DeliveryQueues::ready_batches(const std::string& queue) const {
    auto it = queues_.find(queue);
    return it == queues_.end() ? 0 : it->second.batches;
}

std::size_t DeliveryQueues::ready_recipients(const std::string& queue) const {
    auto it = queues_.find(queue);
    return it == queues_.end() ? 0 : it->second.recipients;
}

std::vector<std::string> DeliveryQueues::ready_queues() const {
    std::vector<std::string> names;
    names.reserve(queues_.size());
    for (const auto& [name, queue] : queues_) {
        if (queue.batches > 0) names.push_back(name);
    }
    return names;
}

}  // namespace sluice::daemon::queue
