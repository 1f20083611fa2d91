// Every destination queue the router has named (by QueueKey) and every ISP that has one: their
// identity, speed state (rate limiters, adaptive rate), counters and recent replies. Queues are
// created on first use with their ISP's strategy and take a new one on reload, keeping counters
// and schedule. Admission (admission.hpp) decides with this state; the I/O shell updates the
// counters. Pure: no clock, no I/O. io thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "daemon/queue/core/blocked.hpp"
#include "daemon/queue/core/queue_key.hpp"
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

struct DestinationQueue {
    QueueKey key;
    std::string name;  // to_string(key), kept: holds, locks and logs name the queue by it
    std::string pool;
    std::string source_address;
    std::string helo;
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

// What an ISP shares among its queues.
struct IspState {
    policy::speed::RateLimiter rate;  // isp_message_rate over all the ISP's queues
    unsigned pacing = 0;              // connections of its queues waiting for `rate`
};

class DestinationRegistry {
  public:
    explicit DestinationRegistry(std::shared_ptr<const policy::engine::CompiledPolicy> policy);

    // The queue of `route.key`, created on first use with its ISP's strategy; takes the route's
    // pool, source address and HELO.
    DestinationQueue& ensure(const Route& route);
    [[nodiscard]] DestinationQueue* find(const QueueKey& key);
    [[nodiscard]] const DestinationQueue* find(const QueueKey& key) const;
    [[nodiscard]] const std::map<QueueKey, DestinationQueue>& queues() const { return queues_; }
    [[nodiscard]] IspState& isp(const std::string& name) { return isps_[name]; }

    // A reload: every queue takes its ISP's new strategy, keeping its counters and schedule.
    void reconfigure(std::shared_ptr<const policy::engine::CompiledPolicy> policy);
    [[nodiscard]] const policy::engine::CompiledPolicy& policy() const { return *policy_; }

    // The queue's message rate follows its adaptive rate (after a step up or down).
    static void follow_adaptive_rate(DestinationQueue& queue);
    // Keeps the last few replies of `queue`, newest first.
    static void remember_reply(DestinationQueue& queue, std::string reply, ReplyKind kind);

  private:
    void apply_strategy(DestinationQueue& queue);

    std::shared_ptr<const policy::engine::CompiledPolicy> policy_;
    std::map<QueueKey, DestinationQueue> queues_;
    std::map<std::string, IspState> isps_;
};

}  // namespace sluice::daemon::queue
