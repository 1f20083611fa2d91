// What one delivery attempt means, decided without I/O: for each recipient of the batch its
// change of state (delivered, retry at T, bounced, expired) with what its accounting records,
// DSN and progress record need, and what its destination queue learns (counters, locks, whether
// adaptive speed steps down). Pure: the policy, the time and the random unit come in; the I/O
// shell (OutcomeRecorder: spool progress, DSNs, accounting; QueueManager::record_attempt: locks,
// counters, speed) applies the result.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "daemon/acclog/outcome.hpp"
#include "daemon/delivery/outbound_message.hpp"
#include "policy/engine/compiled_policy.hpp"
#include "policy/retry/retry_rule.hpp"

namespace sluice::daemon::queue {

// One recipient's attempt as the delivery client reported it.
struct RecipientAttempt {
    std::uint32_t index = 0;     // in the message's recipient list
    std::uint16_t attempts = 0;  // counting this one
    delivery::RecipientResult result;
};

// The rules an attempt is judged by.
struct AttemptRules {
    const policy::engine::CompiledPolicy& policy;
    const policy::engine::ResolvedIsp& isp;  // the destination queue's ISP (its retry rule)
    bool retry_possibly_delivered = true;    // delivery.retry_possibly_delivered
};

enum class RecipientChange {
    delivered,  // final
    retry,      // pending until retry_at_unix
    bounced,    // final, a failure report is due (if NOTIFY= wants one)
    expired,    // final: its next attempt would fall after its deadline
};

struct RecipientDecision {
    std::uint32_t index = 0;
    RecipientChange change = RecipientChange::retry;
    // The accounting outcome of the attempt record: delivered, possibly-delivered,
    // accepted-by-rule, deferred or bounced (deferred for an expiry too).
    acclog::Outcome attempt_outcome = acclog::Outcome::deferred;
    // For a final change, the outcome of the final record (expired for an expiry).
    acclog::Outcome final_outcome = acclog::Outcome::deferred;
    std::int64_t retry_at_unix = 0;  // RecipientChange::retry
    std::string reply;               // the reply as one line ("550 5.1.1 No such user")
    // Bounced and expired: the enhanced code and the text for the DSN and the final record;
    // delivered: the enhanced code for a success report.
    std::string status;
    std::string diagnostic;
    bool remote_reply = false;  // the diagnostic is a server's reply (Remote-MTA applies)
    // A 2xx to something other than the end of the content (a 250 to DATA): never a delivery.
    bool out_of_step_success = false;
    policy::engine::Verdict verdict;
};

// A lock rule a reply triggered, and that reply.
struct LockHit {
    const policy::config::LockRule* rule = nullptr;
    std::string reply;
};

// What the destination queue learns from the attempt.
struct QueueLessons {
    std::uint32_t delivered = 0;
    std::uint32_t deferred = 0;  // retried (not expired)
    std::uint32_t bounced = 0;
    std::uint32_t expired = 0;
    // A server's temporary failure (not one Sluice made up): adaptive speed steps down.
    bool throttled = false;
    std::vector<LockHit> locks;  // in the order the replies came
};

struct AttemptOutcome {
    std::vector<RecipientDecision> recipients;  // one per attempt, in order
    QueueLessons queue;
};

// Judges each attempt by `rules`: the ISP's bounce patterns say delivered, bounce or retry; a
// retry is scheduled by its retry rule from `arrival` at `now` (`random_unit` in [0, 1) spreads
// random intervals) or expires when the next attempt would fall after the deadline. A reply
// lost after the final dot ("possibly delivered") is retried or counted delivered as
// `retry_possibly_delivered` says, and locks nothing.
[[nodiscard]] AttemptOutcome decide_attempt(std::span<const RecipientAttempt> attempts,
                                            const AttemptRules& rules,
                                            policy::retry::TimePoint arrival,
                                            policy::retry::TimePoint now, double random_unit);

// "550 5.1.1 No such user": code, enhanced code and text lines joined by spaces.
[[nodiscard]] std::string reply_line(const smtp::Reply& reply);

}  // namespace sluice::daemon::queue
