#include "daemon/queue/delivery_queues.hpp"

#include <algorithm>

namespace sluice::daemon::queue {

void DeliveryQueues::add_ready(const MessagePtr& message, const std::string& domain,
                               std::uint32_t index, std::vector<std::string>& touched) {
    auto& line = ready_[domain];
    // Recipients of one message for one domain travel together in one transaction.
    if (!line.empty() && line.back().message == message) {
        line.back().recipients.push_back(index);
    } else {
        line.push_back(Batch{message, domain, {index}});
    }
    if (std::find(touched.begin(), touched.end(), domain) == touched.end()) {
        touched.push_back(domain);
    }
}

std::vector<std::string> DeliveryQueues::add_message(const MessagePtr& message,
                                                     std::int64_t now_unix) {
    std::vector<std::string> touched;
    for (std::uint32_t i = 0; i < message->recipients.size(); ++i) {
        const auto& recipient = message->recipients[i];
        if (recipient.state != spool::RecipientState::pending) continue;
        if (recipient.next_attempt_unix <= now_unix) {
            add_ready(message, recipient_domain(recipient.address), i, touched);
        } else {
            waiting_.push({recipient.next_attempt_unix, message, i});
        }
    }
    return touched;
}

void DeliveryQueues::defer(const MessagePtr& message, std::uint32_t index, std::int64_t at_unix) {
    waiting_.push({at_unix, message, index});
}

std::vector<std::string> DeliveryQueues::release_due(std::int64_t now_unix) {
    std::vector<std::string> touched;
    while (!waiting_.empty() && waiting_.top().due_unix <= now_unix) {
        Waiting due = waiting_.top();
        waiting_.pop();
        const auto& recipient = due.message->recipients[due.index];
        if (recipient.state != spool::RecipientState::pending) continue;  // finished meanwhile
        add_ready(due.message, recipient_domain(recipient.address), due.index, touched);
    }
    return touched;
}

std::optional<std::int64_t> DeliveryQueues::next_due() const {
    if (waiting_.empty()) return std::nullopt;
    return waiting_.top().due_unix;
}

std::optional<Batch> DeliveryQueues::take_batch(const std::string& domain,
                                                std::uint32_t max_recipients) {
    auto it = ready_.find(domain);
    if (it == ready_.end() || it->second.empty()) return std::nullopt;
    auto& line = it->second;
    Batch batch = std::move(line.front());
    line.pop_front();
    if (max_recipients > 0 && batch.recipients.size() > max_recipients) {
        Batch rest{batch.message, batch.domain,
                   {batch.recipients.begin() + max_recipients, batch.recipients.end()}};
        batch.recipients.resize(max_recipients);
        line.push_front(std::move(rest));
    }
    if (line.empty()) ready_.erase(it);
    return batch;
}

void DeliveryQueues::return_batch(Batch batch) {
    ready_[batch.domain].push_front(std::move(batch));
}

std::size_t DeliveryQueues::ready_batches(const std::string& domain) const {
    auto it = ready_.find(domain);
    return it == ready_.end() ? 0 : it->second.size();
}

std::vector<std::string> DeliveryQueues::ready_domains() const {
    std::vector<std::string> domains;
    domains.reserve(ready_.size());
    for (const auto& [domain, line] : ready_) {
        if (!line.empty()) domains.push_back(domain);
    }
    return domains;
}

}  // namespace sluice::daemon::queue
