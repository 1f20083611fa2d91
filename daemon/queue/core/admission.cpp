#include "daemon/queue/core/admission.hpp"

#include <algorithm>

namespace sluice::daemon::queue {

// "ISP/source" also names every site queue of that ISP and source ("default/192.0.2.10" holds
// the long tail sent from that address).
std::string isp_source_name(const QueueKey& key) {
    return to_string(QueueKey{key.isp, key.source});
}

bool AdmissionControl::held_by_name(const DestinationQueue& queue) const {
    const auto& key = queue.key;
    return holds_.contains(queue.name) || holds_.contains(key.isp) ||
           holds_.contains(queue.destination()) ||
           (!key.site.empty() && holds_.contains(isp_source_name(key)));
}

Blocked AdmissionControl::stopped(const DestinationQueue& queue, WallTime wall_now) const {
    if (node_held_) return Blocked::node_held;
    // Asked for every connection and message: the usual case, nothing held or locked, costs
    // no lookup.
    if (!holds_.empty() && held_by_name(queue)) return Blocked::held;
    if (queue_locks_.active(queue.name, wall_now)) return Blocked::locked;
    if (destination_locks_.active(queue.destination(), wall_now)) return Blocked::isp_locked;
    return Blocked::none;
}

Admission AdmissionControl::may_connect(DestinationQueue& queue, Instant now, WallTime wall_now,
                                        unsigned total_active, unsigned max_total) {
    queue.last_used = now;  // wanted: not idle, whatever the answer
    Admission answer;
    auto& isp = registry_.isp(queue);
    answer.reason = stopped(queue, wall_now);
    auto* warmup = queue.warmup;
    if (warmup) WarmupBudgets::roll(*warmup, wall_now);
    if (answer.reason == Blocked::none) {
        if (warmup && warmup->spent()) {
            answer.reason = Blocked::warmup_cap;  // until the next day (next_refill)
        } else if (queue.active >= queue.strategy->max_connections) {
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
        } else if (warmup && warmup->rate.next_allowed(now) > now) {
            answer = {Blocked::warmup_rate, warmup->rate.next_allowed(now)};
        } else if (!queue.connect_rate.try_acquire(now)) {
            answer = {Blocked::connect_rate, queue.connect_rate.next_allowed(now)};
        } else {
            // The first message's slot belongs to this connection.
            queue.message_rate.try_acquire(now);
            isp.rate.try_acquire(now);
            if (warmup) warmup->rate.try_acquire(now);
        }
    }
    queue.blocked = answer.reason;
    return answer;
}

Admission AdmissionControl::may_send(DestinationQueue& queue, Instant now, WallTime wall_now) {
    if (auto reason = stopped(queue, wall_now); reason != Blocked::none) {
        return {reason, std::nullopt};
    }
    // The warm-up cap is not asked here: the connection reserved this message's share of it
    // before asking (DeliveryWorker::take_next).
    auto* warmup = queue.warmup;
    auto& isp = registry_.isp(queue).rate;
    const auto queue_at = queue.message_rate.next_allowed(now);
    const auto isp_at = isp.next_allowed(now);
    if (queue_at > now) return {Blocked::message_rate, queue_at};
    if (isp_at > now) return {Blocked::isp_message_rate, isp_at};
    if (warmup) {
        const auto warmup_at = warmup->rate.next_allowed(now);
        if (warmup_at > now) return {Blocked::warmup_rate, warmup_at};
        warmup->rate.try_acquire(now);
    }
    queue.message_rate.try_acquire(now);
    isp.try_acquire(now);
    return {};
}

void AdmissionControl::begin_pacing(DestinationQueue& queue) {
    ++queue.pacing;
    ++registry_.isp(queue).pacing;
}

void AdmissionControl::end_pacing(DestinationQueue& queue) {
    --queue.pacing;
    --registry_.isp(queue).pacing;
}

void AdmissionControl::attempt_done(DestinationQueue& queue, bool throttled) {
    if (!queue.adaptive) return;
    if (throttled) {
        ++queue.counters.throttled;
        queue.adaptive->on_throttled();
    } else {
        queue.adaptive->on_success();
    }
    DestinationRegistry::follow_adaptive_rate(queue);
}

void AdmissionControl::lock(const DestinationQueue& queue, const policy::config::LockRule& rule,
                            const std::string& reply, WallTime wall_now) {
    const auto until = wall_now + std::chrono::ceil<std::chrono::seconds>(rule.lock_for);
    // Scope isp locks the queue's destination: the ISP, or one site of the long tail.
    policy::lock::Lock lock{rule.name, reply, until};
    if (rule.scope == policy::config::LockScope::isp) {
        destination_locks_.lock(queue.destination(), std::move(lock));
    } else {
        queue_locks_.lock(queue.name, std::move(lock));
    }
}

const policy::lock::Lock* AdmissionControl::lock_of(const DestinationQueue& queue,
                                                    WallTime wall_now) const {
    if (const auto* lock = own_lock(queue, wall_now)) return lock;
    return destination_locks_.active(queue.destination(), wall_now);
}

const policy::lock::Lock* AdmissionControl::own_lock(const DestinationQueue& queue,
                                                     WallTime wall_now) const {
    return queue_locks_.active(queue.name, wall_now);
}

bool AdmissionControl::unlock_queue(const QueueKey& key) {
    bool any = queue_locks_.unlock(to_string(key));
    if (!key.site.empty()) return any;
    // "ISP/source" covers that source's site queues too.
    for (const auto& [other, queue] : registry_.queues()) {
        if (!other.site.empty() && other.isp == key.isp && other.source == key.source) {
            any = queue_locks_.unlock(queue.name) || any;
        }
    }
    return any;
}

bool AdmissionControl::unlock_isp(const std::string& destination) {
    bool any = destination_locks_.unlock(destination);
    for (const auto& [key, queue] : registry_.queues()) {
        if (key.isp == destination || queue.destination() == destination) {
            any = queue_locks_.unlock(queue.name) || any;
            // The ISP's name covers its sites' locks too.
            if (key.isp == destination && !key.site.empty()) {
                any = destination_locks_.unlock(queue.destination()) || any;
            }
        }
    }
    return any;
}

std::size_t AdmissionControl::unlock_all() {
    const std::size_t count = queue_locks_.all().size() + destination_locks_.all().size();
    queue_locks_ = {};
    destination_locks_ = {};
    return count;
}

std::optional<WallTime> AdmissionControl::expire_locks(WallTime wall_now) {
    (void)queue_locks_.expire(wall_now);
    (void)destination_locks_.expire(wall_now);
    const auto queues = queue_locks_.next_expiry();
    const auto destinations = destination_locks_.next_expiry();
    if (queues && destinations) return std::min(*queues, *destinations);
    return queues ? queues : destinations;
}

void AdmissionControl::hold(const std::string& isp_or_queue_name, bool held) {
    if (held) {
        holds_.insert(isp_or_queue_name);
    } else {
        holds_.erase(isp_or_queue_name);
    }
}

}  // namespace sluice::daemon::queue
