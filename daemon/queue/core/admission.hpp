// Admission control of the destination queues: may a queue open a connection now, may an open
// connection send a message now, and if not, why (Blocked) and when to ask again. It weighs the
// strategy limits kept in the registry (connections, message rate with adaptive speed,
// connection rate, the ISP's overall rate) against the locks and the admin's holds it keeps.
// Pure: steady time (rates) and wall time (locks) are arguments. io thread only.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include "daemon/queue/core/blocked.hpp"
#include "daemon/queue/core/destination_registry.hpp"
#include "policy/config/policy_model.hpp"
#include "policy/lock/lock_table.hpp"
#include "policy/speed/rate_limiter.hpp"

namespace sluice::daemon::queue {

using policy::speed::Instant;
using WallTime = policy::lock::TimePoint;

struct Admission {
    Blocked reason = Blocked::none;
    std::optional<Instant> retry_at;  // for rate limits: when to ask again
};

class AdmissionControl {
  public:
    explicit AdmissionControl(DestinationRegistry& registry) : registry_(registry) {}

    // May `queue` open one more connection at `now`? Not while its source's warm-up cap for
    // the ISP is spent for the day. When so it takes a connection-rate token and the
    // message-rate tokens (queue's, ISP's, warm-up's) of the connection's first message, so no
    // second connection opens for the same slot.
    Admission may_connect(DestinationQueue& queue, Instant now, WallTime wall_now,
                          unsigned total_active, unsigned max_total);
    // May an open connection of `queue` send one more message at `now`? Takes rate tokens
    // (the queue's, the ISP's and the warm-up's) when so. The warm-up cap is the caller's: it
    // reserves a message's share before it asks (warmup_budgets.hpp).
    Admission may_send(DestinationQueue& queue, Instant now, WallTime wall_now);
    // Blocked by lock or hold (an open connection stops sending)?
    [[nodiscard]] Blocked stopped(const DestinationQueue& queue, WallTime wall_now) const;

    // An open connection of `queue` waits for the rate limit (begin) or stopped waiting (end):
    // while one waits, the queue (and for the ISP's rate, the ISP) opens no other connection.
    void begin_pacing(DestinationQueue& queue);
    void end_pacing(DestinationQueue& queue);

    // One attempt (one reply to a transaction or a connection) for adaptive speed: a step down
    // when the remote deferred or throttled, else a success towards a step up.
    static void attempt_done(DestinationQueue& queue, bool throttled);

    // Locks (scope source: the queue; scope isp: every queue of its destination, the ISP or a
    // site of the long tail).
    void lock(const DestinationQueue& queue, const policy::config::LockRule& rule,
              const std::string& reply, WallTime wall_now);
    [[nodiscard]] const policy::lock::Lock* lock_of(const DestinationQueue& queue,
                                                    WallTime wall_now) const;
    // The queue's own lock (scope source), without its destination's.
    [[nodiscard]] const policy::lock::Lock* own_lock(const DestinationQueue& queue,
                                                     WallTime wall_now) const;
    // One queue's locks; "ISP/source" (no site) also lifts those of that source's site queues.
    bool unlock_queue(const QueueKey& key);
    // Lifts the locks of a destination ("Gmail", "default:mx.example.net") and of its queues;
    // an ISP's name ("default") covers all its sites.
    bool unlock_isp(const std::string& destination);
    std::size_t unlock_all();  // every lock of every queue and ISP; how many there were
    // Drops expired locks; when the next one expires.
    std::optional<WallTime> expire_locks(WallTime wall_now);

    // Holds (by an admin; persisted by the caller), named like hold_store.hpp's lines: a
    // queue's name, a destination, an ISP (which covers its sites) or "ISP/source" (which covers
    // that source's site queues).
    void set_node_held(bool held) { node_held_ = held; }
    [[nodiscard]] bool node_held() const { return node_held_; }
    void hold(const std::string& isp_or_queue_name, bool held);
    [[nodiscard]] const std::set<std::string>& holds() const { return holds_; }

  private:
    [[nodiscard]] bool held_by_name(const DestinationQueue& queue) const;

    DestinationRegistry& registry_;
    // By queue name (scope source) and by destination (scope isp): looked up on every admission
    // without building a key.
    policy::lock::LockTable queue_locks_;
    policy::lock::LockTable destination_locks_;
    std::set<std::string> holds_;
    bool node_held_ = false;
};

}  // namespace sluice::daemon::queue
