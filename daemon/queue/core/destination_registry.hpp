// Every destination queue the router has named (by QueueKey) and every destination (ISP, or site
// of the long tail) that has one: their identity, speed state (rate limiters, adaptive rate),
// counters and recent replies. Queues are created on first use with their ISP's strategy and take
// a new one on reload, keeping counters and schedule. The long tail can name a million sites, so
// a site's queue that has been idle for a while is reclaimed (its counters go to the totals).
// Admission (admission.hpp) decides with this state; the I/O shell updates the counters. Pure:
// steady time is an argument, no I/O. io thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/queue/core/blocked.hpp"
#include "daemon/queue/core/queue_key.hpp"
#include "daemon/queue/core/warmup_budgets.hpp"
#include "policy/config/policy_model.hpp"
#include "policy/engine/compiled_policy.hpp"
#include "policy/speed/adaptive_rate.hpp"
#include "policy/speed/rate_limiter.hpp"

namespace sluice::daemon::queue {

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

// Where the router sends a recipient: the queue and how that queue connects (a reload may
// change the source's address or HELO, so each route refreshes them).
struct Route {
    QueueKey key;
    std::string pool;            // the pool the source belongs to (DKIM keys may depend on it)
    std::string source_address;  // bind address; empty = the system chooses
    std::string helo;            // empty = Config::delivery_helo()
};

// What a destination (an ISP, or a site of the long tail) shares among its queues.
struct IspState {
    policy::speed::RateLimiter rate;  // isp_message_rate over all the destination's queues
    unsigned pacing = 0;              // connections of its queues waiting for `rate`
    std::size_t queues = 0;           // how many queues it has (a site's goes with its last)
};

struct DestinationQueue {
    QueueKey key;
    std::string name;  // to_string(key), kept: holds, locks and logs name the queue by it
    std::string pool;
    std::string source_address;
    std::string helo;
    // Into the registry's policy: a reload points every queue at the new one (a copy would cost
    // 160 bytes per queue, and the long tail has a hundred thousand).
    const policy::config::Strategy* strategy = nullptr;
    policy::speed::RateLimiter message_rate;
    policy::speed::RateLimiter connect_rate;
    std::unique_ptr<policy::speed::AdaptiveRate> adaptive;  // a pointer: most queues have none
    unsigned active = 0;                                    // open connections
    unsigned pacing = 0;          // of those, waiting for the rate limit (they take the next token)
    std::uint64_t in_flight = 0;  // recipients in transactions now
    QueueCounters counters;
    std::vector<RecentReply> last_replies;  // newest first, a few (no deque: it allocates empty)
    Blocked blocked = Blocked::none;        // the latest answer of may_connect
    // When it was last wanted (a connection asked for, or found busy by reclaim_idle).
    std::optional<policy::speed::Instant> last_used;
    // Its destination's name and shared state: the registry's map entry (nodes stay in place),
    // so the name is not stored twice.
    std::pair<const std::string, IspState>* shared = nullptr;
    // Its source's warm-up budget for its ISP (the registry's); null when the source is warm.
    WarmupBudget* warmup = nullptr;

    // destination_of(key): what ISP-wide rules apply to.
    [[nodiscard]] const std::string& destination() const { return shared->first; }
};

class DestinationRegistry {
  public:
    explicit DestinationRegistry(std::shared_ptr<const policy::engine::CompiledPolicy> policy);

    // The queue of `route.key`, created on first use with its ISP's strategy; takes the route's
    // pool, source address and HELO.
    DestinationQueue& ensure(const Route& route);
    [[nodiscard]] DestinationQueue* find(const QueueKey& key);
    [[nodiscard]] const DestinationQueue* find(const QueueKey& key) const;
    // In no particular order (the status endpoint sorts what it shows).
    using Queues = std::unordered_map<QueueKey, DestinationQueue, QueueKeyHash>;
    [[nodiscard]] const Queues& queues() const { return queues_; }
    // The state `queue`'s destination shares with its siblings.
    [[nodiscard]] static IspState& isp(const DestinationQueue& queue) {
        return queue.shared->second;
    }

    // Removes the queues of the long tail's sites (ISP queues stay: there are few) that are
    // idle — no connection, nothing in flight, `busy` says no (no ready or waiting work, no
    // lock), their rate limiters would admit at once and adaptive speed is back at its ceiling —
    // and have not been used (last_used) for `after`. Their counters go to retired(). How many
    // went.
    std::size_t reclaim_idle(policy::speed::Instant now, std::chrono::seconds after,
                             const std::function<bool(const DestinationQueue&)>& busy);
    // What the reclaimed queues had counted, per ISP and source (the status totals and the
    // metrics add it, so counters never go back).
    using RetiredCounters = std::map<std::pair<std::string, std::string>, QueueCounters>;
    [[nodiscard]] const RetiredCounters& retired() const { return retired_; }

    // A reload: every queue takes its ISP's new strategy (as shaped for its source), keeping its
    // counters and schedule. Returns how many queues' limits changed, for the reload's log line.
    std::size_t reconfigure(std::shared_ptr<const policy::engine::CompiledPolicy> policy);
    [[nodiscard]] const policy::engine::CompiledPolicy& policy() const { return *policy_; }
    // The warm-up budgets the queues point at.
    [[nodiscard]] WarmupBudgets& warmups() { return warmups_; }
    [[nodiscard]] const WarmupBudgets& warmups() const { return warmups_; }

    // The queue's message rate follows its adaptive rate (after a step up or down).
    static void follow_adaptive_rate(DestinationQueue& queue);
    // Keeps the last few replies of `queue`, newest first.
    static void remember_reply(DestinationQueue& queue, std::string reply, ReplyKind kind);

  private:
    void apply_strategy(DestinationQueue& queue);

    std::shared_ptr<const policy::engine::CompiledPolicy> policy_;
    Queues queues_;                         // hashed: the long tail has a hundred thousand
    std::map<std::string, IspState> isps_;  // by DestinationQueue::destination
    RetiredCounters retired_;
    WarmupBudgets warmups_;
};

// `from` added to `into`.
void add_counters(QueueCounters& into, const QueueCounters& from);

}  // namespace sluice::daemon::queue
