#include "daemon/queue/core/expiry_watch.hpp"

#include <algorithm>

namespace sluice::daemon::queue {

void ExpiryWatch::watch(MessagePtr message, std::int64_t due_unix) {
    entries_.push_back({due_unix, std::move(message)});
    std::push_heap(entries_.begin(), entries_.end(), std::greater<>{});
}

std::vector<MessagePtr> ExpiryWatch::take_due(std::int64_t now_unix) {
    std::vector<MessagePtr> due;
    while (!entries_.empty() && entries_.front().due_unix <= now_unix) {
        std::pop_heap(entries_.begin(), entries_.end(), std::greater<>{});
        if (auto message = entries_.back().message.lock()) due.push_back(std::move(message));
        entries_.pop_back();
    }
    return due;
}

std::optional<std::int64_t> ExpiryWatch::next_due() const {
    if (entries_.empty()) return std::nullopt;
    return entries_.front().due_unix;
}

void ExpiryWatch::bring_forward(const std::function<std::int64_t(const QueuedMessage&)>& latest) {
    std::erase_if(entries_, [](const Entry& entry) { return entry.message.expired(); });
    for (auto& entry : entries_) {
        entry.due_unix = std::min(entry.due_unix, latest(*entry.message.lock()));
    }
    std::make_heap(entries_.begin(), entries_.end(), std::greater<>{});
}

void ExpiryWatch::for_each(
    const std::function<void(const QueuedMessage&, std::int64_t)>& visit) const {
    for (const auto& entry : entries_) {
        if (auto message = entry.message.lock()) visit(*message, entry.due_unix);
    }
}

}  // namespace sluice::daemon::queue
