// The speed and admission state of every destination queue (ISP x source) and ISP: strategy
// limits (connections, message rate with adaptive speed, connection rate, the ISP's overall
// rate), locks and holds, and per-queue counters. It answers the scheduler's two questions —
// may a connection open now, may a message go now — and says why not (what the status endpoint
// shows). Pure: steady time (rates) and wall time (locks) are arguments. io thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "policy/config/policy_model.hpp"
#include "policy/engine/compiled_policy.hpp"
#include "policy/lock/lock_table.hpp"
#include "policy/speed/adaptive_rate.hpp"
#include "policy/speed/rate_limiter.hpp"

namespace sluice::daemon::queue {

using policy::speed::Instant;
using WallTime = policy::lock::TimePoint;

// Why a queue is not sending right now.
enum class Blocked {
    none,
    node_held,          // an admin paused all sending
    held,               // an admin held this queue or its ISP
    locked,             // a lock rule (or an admin) locked this queue
    isp_locked,         // ... or its whole ISP
    connection_cap,     // strategy.max_connections open
    total_connections,  // delivery.max_connections open across all queues
    message_rate,       // the queue's (possibly adaptive) message rate
    isp_message_rate,   // the ISP's overall message rate
    connect_rate,       // the queue's connection attempt rate
};
[[nodiscard]] std::string_view to_string(Blocked reason);

struct QueueCounters {
    std::uint64_t delivered = 0;
    std::uint64_t deferred = 0;
    std::uint64_t bounced = 0;
    std::uint64_t expired = 0;
    std::uint64_t connections = 0;
    std::uint64_t throttled = 0;  // replies that stepped the adaptive rate down
    std::uint64_t cleared = 0;    // recipients an admin removed
};

// What is known of a remembered reply beyond its text (the status endpoint explains a waiting
// queue by it).
enum class ReplyKind {
    other,        // a server's reply, or Sluice's own for anything but DNS
    dns_failure,  // Sluice's own: a DNS lookup for the domain failed
};

struct RecentReply {
    std::string text;  // escaped like a log line
    ReplyKind kind = ReplyKind::other;
};

struct DestinationQueue {
    std::string name;  // "ISP/source"
    std::string isp;
    std::string source;
    std::string pool;            // the pool the source belongs to (DKIM keys may depend on it)
    std::string source_address;  // bind address; empty = the system chooses
    std::string helo;            // empty = Config::delivery_helo()
    policy::config::Strategy strategy;  // a copy: a reload replaces it
    policy::speed::RateLimiter message_rate;
    policy::speed::RateLimiter connect_rate;
    std::optional<policy::speed::AdaptiveRate> adaptive;
    unsigned active = 0;          // open connections
    unsigned pacing = 0;          // of those, waiting for the rate limit (they take the next token)
    std::uint64_t in_flight = 0;  // recipients in transactions now
    QueueCounters counters;
    std::deque<RecentReply> last_replies;  // newest first, a few
    Blocked blocked = Blocked::none;       // the latest answer of may_connect
};

struct Admission {
    Blocked reason = Blocked::none;
    std::optional<Instant> retry_at;  // for rate limits: when to ask again
};

class QueueThrottle {
  public:
    explicit QueueThrottle(std::shared_ptr<const policy::engine::CompiledPolicy> policy);

    // The queue named "isp/source", created on first use with `isp`'s strategy.
    DestinationQueue& queue(const std::string& isp, const std::string& source);
    [[nodiscard]] DestinationQueue* find(const std::string& name);
    [[nodiscard]] const std::map<std::string, DestinationQueue>& queues() const { return queues_; }

    // A reload: every queue takes its ISP's new strategy, keeping its counters and schedule.
    void reconfigure(std::shared_ptr<const policy::engine::CompiledPolicy> policy);
    [[nodiscard]] const policy::engine::CompiledPolicy& policy() const { return *policy_; }

    // May `queue` open one more connection at `now`? When so it takes a connection-rate token
    // and the message-rate tokens (queue's and ISP's) of the connection's first message, so no
    // second connection opens for the same slot.
    Admission may_connect(DestinationQueue& queue, Instant now, WallTime wall_now,
                          unsigned total_active, unsigned max_total);
    // May an open connection of `queue` send one more message at `now`? Takes rate tokens
    // (the queue's and the ISP's) when so.
    Admission may_send(DestinationQueue& queue, Instant now, WallTime wall_now);
    // Blocked by lock or hold (an open connection stops sending)?
    [[nodiscard]] Blocked stopped(const DestinationQueue& queue, WallTime wall_now) const;

    // An open connection of `queue` waits for the rate limit (begin) or stopped waiting (end):
    // while one waits, the queue (and for the ISP's rate, the ISP) opens no other connection.
    void begin_pacing(DestinationQueue& queue);
    void end_pacing(DestinationQueue& queue);

    // One attempt (one reply to a transaction or a connection) for adaptive speed: a step down
    // when the remote deferred or throttled, else a success towards a step up.
    void attempt_done(DestinationQueue& queue, bool throttled);
    void remember_reply(DestinationQueue& queue, std::string reply, ReplyKind kind);

    // Locks (scope source: the queue; scope isp: every queue of the ISP).
    void lock(const DestinationQueue& queue, const policy::config::LockRule& rule,
              const std::string& reply, WallTime wall_now);
    [[nodiscard]] const policy::lock::Lock* lock_of(const DestinationQueue& queue,
                                                    WallTime wall_now) const;
    bool unlock_queue(const std::string& name);
    bool unlock_isp(const std::string& isp);
    std::size_t unlock_all();  // every lock of every queue and ISP; how many there were
    // Drops expired locks; when the next one expires.
    std::optional<WallTime> expire_locks(WallTime wall_now);
    [[nodiscard]] const policy::lock::LockTable& locks() const { return locks_; }

    // Holds (by an admin; persisted by the caller).
    void set_node_held(bool held) { node_held_ = held; }
    [[nodiscard]] bool node_held() const { return node_held_; }
    void hold(const std::string& key, bool held);  // an ISP name or a queue name
    [[nodiscard]] const std::set<std::string>& holds() const { return holds_; }

  private:
    struct IspState {
        policy::speed::RateLimiter rate;  // isp_message_rate over all the ISP's queues
        unsigned pacing = 0;              // connections of its queues waiting for `rate`
    };
    void apply_strategy(DestinationQueue& queue);
    [[nodiscard]] Blocked admin_or_lock(const DestinationQueue& queue, WallTime wall_now) const;

    std::shared_ptr<const policy::engine::CompiledPolicy> policy_;
    std::map<std::string, DestinationQueue> queues_;
    std::map<std::string, IspState> isps_;
    policy::lock::LockTable locks_;  // keys "queue:NAME" and "isp:NAME"
    std::set<std::string> holds_;
    bool node_held_ = false;
};

// "isp/source".
[[nodiscard]] std::string queue_name(std::string_view isp, std::string_view source);
// The keys of locks() for a queue's own lock and for its ISP's lock: whoever reads locks()
// asks here rather than spelling the keys out.
[[nodiscard]] std::string queue_lock_key(std::string_view name);
[[nodiscard]] std::string isp_lock_key(std::string_view isp);

}  // namespace sluice::daemon::queue
