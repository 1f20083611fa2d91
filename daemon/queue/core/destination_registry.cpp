#include "daemon/queue/core/destination_registry.hpp"

#include "policy/engine/policy_changes.hpp"

namespace sluice::daemon::queue {

namespace {
constexpr std::size_t kLastReplies = 5;

// The ISP's strategy as the source's pool and the source shape it.
const policy::config::Strategy* strategy_of(const policy::engine::CompiledPolicy& policy,
                                            const QueueKey& key) {
    const auto* resolved = policy.isp_named(key.isp);
    return &policy.strategy_for(resolved ? *resolved : policy.default_isp(), key.source);
}
}  // namespace

DestinationRegistry::DestinationRegistry(
    std::shared_ptr<const policy::engine::CompiledPolicy> policy)
    : policy_(std::move(policy)), warmups_(policy_) {}

DestinationQueue& DestinationRegistry::ensure(const Route& route) {
    auto it = queues_.find(route.key);
    if (it == queues_.end()) {
        DestinationQueue fresh;
        fresh.key = route.key;
        fresh.name = to_string(route.key);
        fresh.strategy = strategy_of(*policy_, route.key);
        it = queues_.emplace(route.key, std::move(fresh)).first;
        auto shared = isps_.try_emplace(destination_of(route.key)).first;
        ++shared->second.queues;
        it->second.shared = &*shared;
        it->second.warmup = warmups_.budget_for(route.key.source, route.key.isp);
        apply_strategy(it->second);
    }
    DestinationQueue& queue = it->second;
    queue.pool = route.pool;
    queue.source_address = route.source_address;
    queue.helo = route.helo;
    return queue;
}

DestinationQueue* DestinationRegistry::find(const QueueKey& key) {
    auto it = queues_.find(key);
    return it == queues_.end() ? nullptr : &it->second;
}

const DestinationQueue* DestinationRegistry::find(const QueueKey& key) const {
    auto it = queues_.find(key);
    return it == queues_.end() ? nullptr : &it->second;
}

void DestinationRegistry::follow_adaptive_rate(DestinationQueue& queue) {
    // AdaptiveRate::current never rounds to 0, so the limiter gets the precise rate.
    if (queue.adaptive) queue.message_rate.set_rate(queue.adaptive->current());
}

void DestinationRegistry::apply_strategy(DestinationQueue& queue) {
    const auto& strategy = *queue.strategy;
    if (strategy.adaptive && strategy.message_rate) {
        if (queue.adaptive) {
            queue.adaptive->reconfigure(*strategy.message_rate, *strategy.adaptive);
        } else {
            queue.adaptive = std::make_unique<policy::speed::AdaptiveRate>(*strategy.message_rate,
                                                                           *strategy.adaptive);
        }
        follow_adaptive_rate(queue);
    } else {
        queue.adaptive.reset();
        queue.message_rate.set_rate(strategy.message_rate);
    }
    queue.connect_rate.set_rate(strategy.connect_rate);
    isp(queue).rate.set_rate(strategy.isp_message_rate);
}

std::size_t DestinationRegistry::reconfigure(
    std::shared_ptr<const policy::engine::CompiledPolicy> policy) {
    // The old policy stays alive until every queue points into the new one.
    const auto old = std::exchange(policy_, std::move(policy));
    warmups_.reconfigure(policy_);
    std::size_t changed = 0;
    for (auto& [key, queue] : queues_) {
        queue.warmup = warmups_.budget_for(key.source, key.isp);
        const auto* strategy = strategy_of(*policy_, key);
        if (!policy::engine::same_limits(*queue.strategy, *strategy)) ++changed;
        queue.strategy = strategy;
        apply_strategy(queue);
    }
    return changed;
}

void DestinationRegistry::remember_reply(DestinationQueue& queue, std::string reply,
                                         ReplyKind kind) {
    auto& replies = queue.last_replies;
    if (replies.size() == kLastReplies) replies.pop_back();
    replies.insert(replies.begin(), RecentReply{std::move(reply), kind});
}

void add_counters(QueueCounters& into, const QueueCounters& from) {
    into.delivered += from.delivered;
    into.deferred += from.deferred;
    into.bounced += from.bounced;
    into.expired += from.expired;
    into.connections += from.connections;
    into.throttled += from.throttled;
    into.cleared += from.cleared;
}

namespace {
// Nothing would differ if the queue were made afresh now: no connection, nothing in flight,
// and its limiters hold no debt (a new queue's would admit at once too).
bool at_rest(const DestinationQueue& queue, policy::speed::Instant now) {
    // What adaptive speed learnt (a site that throttled us) is kept until it has recovered.
    const bool adaptive_at_ceiling = !queue.adaptive || queue.adaptive->at_ceiling();
    return queue.active == 0 && queue.in_flight == 0 && queue.pacing == 0 &&
           queue.message_rate.next_allowed(now) <= now &&
           queue.connect_rate.next_allowed(now) <= now && adaptive_at_ceiling;
}
}  // namespace

std::size_t DestinationRegistry::reclaim_idle(
    policy::speed::Instant now, std::chrono::seconds after,
    const std::function<bool(const DestinationQueue&)>& busy) {
    std::size_t reclaimed = 0;
    for (auto it = queues_.begin(); it != queues_.end();) {
        DestinationQueue& queue = it->second;
        const bool shared_debt = isp(queue).rate.next_allowed(now) > now;
        if (queue.key.site.empty() || !at_rest(queue, now) || shared_debt || busy(queue)) {
            queue.last_used = now;
            ++it;
            continue;
        }
        if (!queue.last_used) queue.last_used = now;  // made since the last pass
        if (now - *queue.last_used < after) {
            ++it;
            continue;
        }
        add_counters(retired_[{queue.key.isp, queue.key.source}], queue.counters);
        if (--isp(queue).queues == 0) {
            const std::string destination = queue.destination();  // the node's key: copy first
            isps_.erase(destination);
        }
        it = queues_.erase(it);
        ++reclaimed;
    }
    return reclaimed;
}

}  // namespace sluice::daemon::queue
