#include "daemon/queue/queue_throttle.hpp"

#include <algorithm>

namespace sluice::daemon::queue {

namespace {
constexpr std::size_t kLastReplies = 5;

// The adaptive rate as a limiter rate, precise (AdaptiveRate::current never rounds to 0).
std::optional<policy::config::Rate> limiter_rate(const policy::speed::AdaptiveRate& adaptive) {
    return adaptive.current();
}

const policy::config::Strategy& strategy_of(const policy::engine::CompiledPolicy& policy,
                                            const std::string& isp) {
    const auto* resolved = policy.isp_named(isp);
    return *(resolved ? resolved : &policy.default_isp())->strategy;
}
}  // namespace

std::string_view to_string(Blocked reason) {
    switch (reason) {
        case Blocked::none:
            return "none";
        case Blocked::node_held:
            return "node-held";
        case Blocked::held:
            return "held";
        case Blocked::locked:
            return "locked";
        case Blocked::isp_locked:
            return "isp-locked";
        case Blocked::connection_cap:
            return "connection-cap";
        case Blocked::total_connections:
            return "total-connection-cap";
        case Blocked::message_rate:
            return "rate-limit";
        case Blocked::isp_message_rate:
            return "isp-rate-limit";
        case Blocked::connect_rate:
            return "connect-rate";
    }
    return "unknown";
}

std::string queue_lock_key(std::string_view name) {
    return "queue:" + std::string(name);
}

std::string isp_lock_key(std::string_view isp) {
    return "isp:" + std::string(isp);
}

std::string queue_name(std::string_view isp, std::string_view source) {
    std::string name(isp);
    name += '/';
    name += source;
    return name;
}

QueueThrottle::QueueThrottle(std::shared_ptr<const policy::engine::CompiledPolicy> policy)
    : policy_(std::move(policy)) {}

DestinationQueue& QueueThrottle::queue(const std::string& isp, const std::string& source) {
    auto name = queue_name(isp, source);
    auto it = queues_.find(name);
    if (it != queues_.end()) return it->second;
    DestinationQueue fresh;
    fresh.name = name;
    fresh.isp = isp;
    fresh.source = source;
    fresh.strategy = strategy_of(*policy_, isp);
    auto& queue = queues_.emplace(name, std::move(fresh)).first->second;
    apply_strategy(queue);
    return queue;
}

DestinationQueue* QueueThrottle::find(const std::string& name) {
    auto it = queues_.find(name);
    return it == queues_.end() ? nullptr : &it->second;
}

void QueueThrottle::apply_strategy(DestinationQueue& queue) {
    const auto& strategy = queue.strategy;
    if (strategy.adaptive && strategy.message_rate) {
        if (queue.adaptive) {
            queue.adaptive->reconfigure(*strategy.message_rate, *strategy.adaptive);
        } else {
            queue.adaptive.emplace(*strategy.message_rate, *strategy.adaptive);
        }
        queue.message_rate.set_rate(limiter_rate(*queue.adaptive));
    } else {
        queue.adaptive.reset();
        queue.message_rate.set_rate(strategy.message_rate);
    }
    queue.connect_rate.set_rate(strategy.connect_rate);
    isps_[queue.isp].rate.set_rate(strategy.isp_message_rate);
}

void QueueThrottle::reconfigure(std::shared_ptr<const policy::engine::CompiledPolicy> policy) {
    policy_ = std::move(policy);
    for (auto& [name, queue] : queues_) {
        queue.strategy = strategy_of(*policy_, queue.isp);
        apply_strategy(queue);
    }
}

Blocked QueueThrottle::admin_or_lock(const DestinationQueue& queue, WallTime wall_now) const {
    if (node_held_) return Blocked::node_held;
    if (holds_.contains(queue.name) || holds_.contains(queue.isp)) return Blocked::held;
    if (locks_.active(queue_lock_key(queue.name), wall_now)) return Blocked::locked;
    if (locks_.active(isp_lock_key(queue.isp), wall_now)) return Blocked::isp_locked;
    return Blocked::none;
}

Blocked QueueThrottle::stopped(const DestinationQueue& queue, WallTime wall_now) const {
    return admin_or_lock(queue, wall_now);
}

Admission QueueThrottle::may_connect(DestinationQueue& queue, Instant now, WallTime wall_now,
                                     unsigned total_active, unsigned max_total) {
    Admission answer;
    auto& isp = isps_[queue.isp];
    answer.reason = admin_or_lock(queue, wall_now);
    if (answer.reason == Blocked::none) {
        if (queue.active >= queue.strategy.max_connections) {
            answer.reason = Blocked::connection_cap;
        } else if (total_active >= max_total) {
            answer.reason = Blocked::total_connections;
        } else if (queue.message_rate.rate() && queue.pacing > 0) {
            // A connection waits for the queue's next token: another one would only wait too.
            answer.reason = Blocked::message_rate;
        } else if (isp.rate.rate() && isp.pacing > 0) {
            answer.reason = Blocked::isp_message_rate;
        } else if (queue.message_rate.next_allowed(now) > now) {
            // No point connecting before a message may go.
            answer = {Blocked::message_rate, queue.message_rate.next_allowed(now)};
        } else if (isp.rate.next_allowed(now) > now) {
            answer = {Blocked::isp_message_rate, isp.rate.next_allowed(now)};
        } else if (!queue.connect_rate.try_acquire(now)) {
            answer = {Blocked::connect_rate, queue.connect_rate.next_allowed(now)};
        } else {
            // The first message's slot belongs to this connection.
            queue.message_rate.try_acquire(now);
            isp.rate.try_acquire(now);
        }
    }
    queue.blocked = answer.reason;
    return answer;
}

Admission QueueThrottle::may_send(DestinationQueue& queue, Instant now, WallTime wall_now) {
    if (auto reason = admin_or_lock(queue, wall_now); reason != Blocked::none) {
        return {reason, std::nullopt};
    }
    auto& isp = isps_[queue.isp].rate;
    const auto queue_at = queue.message_rate.next_allowed(now);
    const auto isp_at = isp.next_allowed(now);
    if (queue_at > now) return {Blocked::message_rate, queue_at};
    if (isp_at > now) return {Blocked::isp_message_rate, isp_at};
    queue.message_rate.try_acquire(now);
    isp.try_acquire(now);
    return {};
}

void QueueThrottle::begin_pacing(DestinationQueue& queue) {
    ++queue.pacing;
    ++isps_[queue.isp].pacing;
}

void QueueThrottle::end_pacing(DestinationQueue& queue) {
    --queue.pacing;
    --isps_[queue.isp].pacing;
}

void QueueThrottle::attempt_done(DestinationQueue& queue, bool throttled) {
    if (!queue.adaptive) return;
    if (throttled) {
        ++queue.counters.throttled;
        queue.adaptive->on_throttled();
    } else {
        queue.adaptive->on_success();
    }
    queue.message_rate.set_rate(limiter_rate(*queue.adaptive));
}

void QueueThrottle::remember_reply(DestinationQueue& queue, std::string reply, ReplyKind kind) {
    queue.last_replies.push_front({std::move(reply), kind});
    if (queue.last_replies.size() > kLastReplies) queue.last_replies.pop_back();
}

void QueueThrottle::lock(const DestinationQueue& queue, const policy::config::LockRule& rule,
                         const std::string& reply, WallTime wall_now) {
    const auto until = wall_now + std::chrono::ceil<std::chrono::seconds>(rule.lock_for);
    const auto key = rule.scope == policy::config::LockScope::isp ? isp_lock_key(queue.isp)
                                                                  : queue_lock_key(queue.name);
    locks_.lock(key, policy::lock::Lock{rule.name, reply, until});
}

const policy::lock::Lock* QueueThrottle::lock_of(const DestinationQueue& queue,
                                                 WallTime wall_now) const {
    if (const auto* lock = locks_.active(queue_lock_key(queue.name), wall_now)) return lock;
    return locks_.active(isp_lock_key(queue.isp), wall_now);
}

bool QueueThrottle::unlock_queue(const std::string& name) {
    return locks_.unlock(queue_lock_key(name));
}

bool QueueThrottle::unlock_isp(const std::string& isp) {
    bool any = locks_.unlock(isp_lock_key(isp));
    for (const auto& [name, queue] : queues_) {
        if (queue.isp == isp) any = locks_.unlock(queue_lock_key(name)) || any;
    }
    return any;
}

std::size_t QueueThrottle::unlock_all() {
    std::vector<std::string> keys;
    for (const auto& [key, lock] : locks_.all()) keys.push_back(key);
    for (const auto& key : keys) locks_.unlock(key);
    return keys.size();
}

std::optional<WallTime> QueueThrottle::expire_locks(WallTime wall_now) {
    (void)locks_.expire(wall_now);
    return locks_.next_expiry();
}

void QueueThrottle::hold(const std::string& key, bool held) {
    if (held) {
        holds_.insert(key);
    } else {
        holds_.erase(key);
    }
}

}  // namespace sluice::daemon::queue
