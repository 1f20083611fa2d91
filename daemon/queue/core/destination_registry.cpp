#include "daemon/queue/core/destination_registry.hpp"

namespace sluice::daemon::queue {

namespace {
constexpr std::size_t kLastReplies = 5;

const policy::config::Strategy& strategy_of(const policy::engine::CompiledPolicy& policy,
                                            const std::string& isp) {
    const auto* resolved = policy.isp_named(isp);
    return *(resolved ? resolved : &policy.default_isp())->strategy;
}
}  // namespace

DestinationRegistry::DestinationRegistry(
    std::shared_ptr<const policy::engine::CompiledPolicy> policy)
    : policy_(std::move(policy)) {}

DestinationQueue& DestinationRegistry::ensure(const Route& route) {
    auto it = queues_.find(route.key);
    if (it == queues_.end()) {
        DestinationQueue fresh;
        fresh.key = route.key;
        fresh.name = to_string(route.key);
        fresh.strategy = strategy_of(*policy_, route.key.isp);
        it = queues_.emplace(route.key, std::move(fresh)).first;
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
    const auto& strategy = queue.strategy;
    if (strategy.adaptive && strategy.message_rate) {
        if (queue.adaptive) {
            queue.adaptive->reconfigure(*strategy.message_rate, *strategy.adaptive);
        } else {
            queue.adaptive.emplace(*strategy.message_rate, *strategy.adaptive);
        }
        follow_adaptive_rate(queue);
    } else {
        queue.adaptive.reset();
        queue.message_rate.set_rate(strategy.message_rate);
    }
    queue.connect_rate.set_rate(strategy.connect_rate);
    isps_[queue.key.isp].rate.set_rate(strategy.isp_message_rate);
}

void DestinationRegistry::reconfigure(
    std::shared_ptr<const policy::engine::CompiledPolicy> policy) {
    policy_ = std::move(policy);
    for (auto& [key, queue] : queues_) {
        queue.strategy = strategy_of(*policy_, key.isp);
        apply_strategy(queue);
    }
}

void DestinationRegistry::remember_reply(DestinationQueue& queue, std::string reply,
                                         ReplyKind kind) {
    queue.last_replies.push_front({std::move(reply), kind});
    if (queue.last_replies.size() > kLastReplies) queue.last_replies.pop_back();
}

}  // namespace sluice::daemon::queue
