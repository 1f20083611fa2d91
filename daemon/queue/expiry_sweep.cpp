// QueueManager's expiry sweep (see queue_manager.hpp and expiry_watch.hpp): every recipient
// expires at arrival + its retry rule's expire_after wherever it waits, not only after a failed
// attempt. Each scheduler pass takes the messages whose watch is due, expires their pending
// recipients that are past the deadline and not in flight (an attempt in flight decides for
// itself), and watches the message again at its next deadline. A recipient whose ISP is not
// known yet (its MX hosts are being looked up for rollup) is looked at again a few seconds
// later, after asking for the lookup: it ends in an answer or in the default rules within the
// DNS timeout.
// The same pass sends delay warnings (delivery.delay_warning): a pending recipient whose
// NOTIFY= allows it and that has waited that long gets one "delayed" DSN, taken out of its
// queue while the DSN is spooled and its "warned" mark written, then queued again.
#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <limits>
#include <map>
#include <set>

#include "daemon/clock/wall_clock.hpp"
#include "daemon/dsn/dsn_params.hpp"
#include "daemon/queue/core/waiting_verdict.hpp"
#include "daemon/queue/queue_manager.hpp"
#include "policy/retry/retry_rule.hpp"

namespace sluice::daemon::queue {

namespace asio = boost::asio;

namespace {
// Above this many watched messages the status endpoint's overdue count only looks at the
// messages whose watch is due (it must stay cheap); below it, at every message.
constexpr std::size_t kMaxOverdueScan = 100000;
// Expired recipients whose DSN could not be spooled (disk full) try again this much later.
constexpr std::int64_t kUnfinishedRetrySeconds = 300;

clock::WallTime arrival_of(const QueuedMessage& message) {
    return clock::wall_time(message.arrival_unix_us / 1000000);
}

// Unix seconds `after` the message's arrival.
std::int64_t unix_after_arrival(const QueuedMessage& message, std::chrono::seconds after) {
    return (arrival_of(message) + after).time_since_epoch().count();
}
}  // namespace

std::chrono::seconds QueueManager::shortest_lifetime(const policy::engine::CompiledPolicy& policy) {
    auto shortest = std::chrono::milliseconds::max();
    for (const auto& isp : policy.isps()) {
        if (isp->retry) shortest = std::min(shortest, isp->retry->expire_after);
    }
    if (shortest == std::chrono::milliseconds::max()) return std::chrono::seconds::max();
    return std::chrono::ceil<std::chrono::seconds>(shortest);
}

std::int64_t QueueManager::first_look(const QueuedMessage& message) const {
    auto due = std::numeric_limits<std::int64_t>::max();
    if (shortest_lifetime_ != std::chrono::seconds::max()) {
        due = unix_after_arrival(message, shortest_lifetime_);
    }
    if (delay_warning_ && !message.sender().empty()) {
        due = std::min(due, unix_after_arrival(message, *delay_warning_));
    }
    return due;
}

bool QueueManager::wants_delay_warning(const QueuedMessage& message, std::uint32_t index) const {
    return delay_warning_ && !message.sender().empty() && !message.recipients[index].delay_warned &&
           dsn::notify_request(message.params(index)).delay;
}

std::optional<std::int64_t> QueueManager::deadline_of(const QueuedMessage& message,
                                                      std::uint32_t index) const {
    // Asked without routing (no source rotation, no lookups): the ISP as last known.
    const auto* isp = router_.last_known_isp(recipient_domain(message.address(index)));
    if (!isp || !isp->retry) return std::nullopt;  // its MX hosts were never looked up
    return policy::retry::expiry_deadline(*isp->retry, arrival_of(message))
        .time_since_epoch()
        .count();
}

void QueueManager::expire_due(std::int64_t now) {
    // Deadlines are whole seconds: one sweep per second is on time.
    if (now < next_expiry_sweep_) return;
    next_expiry_sweep_ = now + 1;
    using Key = std::pair<const QueuedMessage*, std::uint32_t>;
    std::set<Key> due;
    std::map<Key, std::int64_t> warn;          // recipient -> its deadline
    const auto taken = expiry_.take_due(now);  // keeps them alive while `due` points at them
    for (const auto& message : taken) {
        auto next = std::numeric_limits<std::int64_t>::max();
        for (std::uint32_t i = 0; i < message->recipients.size(); ++i) {
            const auto& recipient = message->recipients[i];
            if (recipient.state != spool::RecipientState::pending) continue;
            WaitingFacts facts{deadline_of(*message, i), recipient.in_flight, std::nullopt,
                               warnings_resume_};
            if (wants_delay_warning(*message, i)) {
                facts.warn_at_unix = unix_after_arrival(*message, *delay_warning_);
            }
            const auto verdict = judge_waiting(facts, now);
            next = std::min(next, verdict.look_again_unix);
            switch (verdict.action) {
                case WaitingAction::find_isp:
                    router_.want_lookup(recipient_domain(message->address(i)));
                    break;
                case WaitingAction::expire:
                    due.insert({message.get(), i});
                    break;
                case WaitingAction::warn:
                    warn.emplace(Key{message.get(), i}, *facts.deadline_unix);
                    break;
                case WaitingAction::look_again:
                    break;
            }
        }
        if (next != std::numeric_limits<std::int64_t>::max()) expiry_.watch(message, next);
    }
    if (due.empty() && warn.empty()) return;
    // Out of every queue at once, so no worker takes them while the records are written.
    std::vector<ClearedRecipient> expired;
    std::vector<OutcomeRecorder::DelayWarning> warned;
    queues_.remove_if([&](const MessagePtr& message, std::uint32_t index, const QueueKey& queue) {
        const Key key{message.get(), index};
        if (due.contains(key)) {
            expired.push_back({message, index, queue});
            return true;
        }
        if (const auto it = warn.find(key); it != warn.end()) {
            warned.push_back({message, index, queue, it->second});
            return true;
        }
        return false;
    });
    if (!warned.empty()) send_delay_warnings(std::move(warned));
    if (expired.empty()) return;
    for (const auto& item : expired) {
        if (auto* queue = registry_.find(item.queue)) ++queue->counters.expired;
    }
    services_.logger.notice("queue: {} recipients expired while waiting", expired.size());
    asio::co_spawn(executor_, recorder_.expire(std::move(expired)),
                   [this](std::exception_ptr error, std::vector<ClearedRecipient> unfinished) {
                       if (error) services_.logger.error("expiring recipients failed");
                       // A DSN owed could not be spooled: they wait and expire again later.
                       const std::int64_t later = clock::now_unix() + kUnfinishedRetrySeconds;
                       for (auto& item : unfinished) {
                           queues_.defer(item.message, item.index, later, item.queue);
                           expiry_.watch(item.message, later);
                       }
                   });
}

void QueueManager::send_delay_warnings(std::vector<OutcomeRecorder::DelayWarning> warned) {
    services_.logger.info("queue: {} recipients delayed for {}s: warning their senders",
                          warned.size(), delay_warning_ ? delay_warning_->count() : 0);
    // The recipients travel with the coroutine and come back to the completion handler.
    auto warn_and_return = [](OutcomeRecorder& recorder,
                              std::vector<OutcomeRecorder::DelayWarning> recipients)
        -> asio::awaitable<std::pair<bool, std::vector<OutcomeRecorder::DelayWarning>>> {
        const bool spooled = co_await recorder.warn_delayed(recipients);
        co_return std::pair{spooled, std::move(recipients)};
    };
    auto work = warn_and_return(recorder_, std::move(warned));  // named: see asio/blocking_call.hpp
    asio::co_spawn(executor_, std::move(work),
                   [this](std::exception_ptr error,
                          std::pair<bool, std::vector<OutcomeRecorder::DelayWarning>> done) {
                       if (error) services_.logger.error("sending delay warnings failed");
                       if (error || !done.first) {
                           // Disk full, most likely: no delay warning for a while, then try again.
                           warnings_resume_ = clock::now_unix() + kUnfinishedRetrySeconds;
                       }
                       // Back where they waited: due now or at their retry time.
                       for (const auto& item : done.second) {
                           const auto& recipient = item.message->recipients[item.index];
                           if (recipient.state != spool::RecipientState::pending) continue;
                           queues_.defer(item.message, item.index, recipient.next_attempt_unix,
                                         item.queue);
                       }
                       wake_scheduler();
                   });
}

std::size_t QueueManager::past_lifetime(std::int64_t now) {
    std::size_t count = 0;
    const bool every = expiry_.size() <= kMaxOverdueScan;
    // One second of grace: the sweep runs once per pass, at the second of the deadline.
    expiry_.for_each([&](const QueuedMessage& message, std::int64_t due) {
        if (!every && due >= now) return;
        for (std::uint32_t i = 0; i < message.recipients.size(); ++i) {
            const auto& recipient = message.recipients[i];
            if (recipient.state != spool::RecipientState::pending || recipient.in_flight) continue;
            const auto deadline = deadline_of(message, i);
            if (deadline && *deadline < now - 1) ++count;
        }
    });
    return count;
}

}  // namespace sluice::daemon::queue
