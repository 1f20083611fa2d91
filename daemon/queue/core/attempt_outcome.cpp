// decide_attempt (see attempt_outcome.hpp): the rules OutcomeRecorder::record and
// QueueManager::record_attempt applied inline before, as one pure function.
#include "daemon/queue/core/attempt_outcome.hpp"

#include <variant>

namespace sluice::daemon::queue {

namespace {

using policy::engine::Action;
using Outcome = delivery::RecipientOutcome;

// The reply's text lines joined by a space, for pattern matching.
std::string joined_text(const smtp::Reply& reply) {
    std::string text;
    for (const auto& line : reply.lines) {
        if (!text.empty()) text += ' ';
        text += line;
    }
    return text;
}

// The enhanced status code for a DSN: the server's, or one derived from the basic code.
std::string status_of(const smtp::Reply& reply) {
    if (!reply.enhanced.empty()) return reply.enhanced;
    if (reply.code / 100 == 2) return "2.0.0";
    return reply.code >= 500 ? "5.0.0" : "4.0.0";
}

policy::engine::Verdict judge(const RecipientAttempt& attempt, const AttemptRules& rules,
                              bool& out_of_step_success) {
    const auto& result = attempt.result;
    policy::engine::Verdict verdict;
    if (result.outcome == Outcome::possibly_delivered) {
        // No reply came: nothing for the patterns to read, and no lock.
        verdict.action = rules.retry_possibly_delivered ? Action::retry : Action::delivered;
        verdict.bounce_class = "unknown";
    } else if (result.reply.code / 100 == 2 && result.outcome != Outcome::delivered) {
        // Only the client knows which 2xx ended a transaction; one that did not (a 250 to
        // DATA) must never count as a delivery, whatever the patterns say of 2xx.
        out_of_step_success = true;
        verdict.action = Action::retry;
        verdict.bounce_class = "soft";
        verdict.category = "protocol";
    } else {
        const policy::reply::ReplyFacts facts{result.reply.code, result.reply.enhanced,
                                              joined_text(result.reply), result.synthetic};
        verdict = rules.policy.judge(rules.isp, facts);
    }
    return verdict;
}

void decide_delivered(RecipientDecision& decision, const delivery::RecipientResult& result,
                      QueueLessons& lessons) {
    decision.change = RecipientChange::delivered;
    decision.attempt_outcome = result.outcome == Outcome::delivered ? acclog::Outcome::delivered
                               : result.outcome == Outcome::possibly_delivered
                                   ? acclog::Outcome::possibly_delivered
                                   : acclog::Outcome::accepted_by_rule;
    decision.final_outcome = decision.attempt_outcome;
    decision.status = status_of(result.reply);  // for a success report (NOTIFY=SUCCESS)
    ++lessons.delivered;
}

void decide_bounced(RecipientDecision& decision, const delivery::RecipientResult& result,
                    QueueLessons& lessons) {
    decision.change = RecipientChange::bounced;
    decision.attempt_outcome = acclog::Outcome::bounced;
    decision.final_outcome = acclog::Outcome::bounced;
    decision.status = status_of(result.reply);
    decision.diagnostic = decision.reply;
    decision.remote_reply = !result.synthetic;
    ++lessons.bounced;
}

void decide_retry(RecipientDecision& decision, const RecipientAttempt& attempt,
                  const AttemptRules& rules, policy::retry::TimePoint arrival,
                  policy::retry::TimePoint now, double random_unit, QueueLessons& lessons) {
    const bool unsure = attempt.result.outcome == Outcome::possibly_delivered;
    decision.attempt_outcome =
        unsure ? acclog::Outcome::possibly_delivered : acclog::Outcome::deferred;
    const auto next =
        policy::retry::next_retry(*rules.isp.retry, attempt.attempts, arrival, now, random_unit);
    if (const auto* retry = std::get_if<policy::retry::RetryAt>(&next)) {
        decision.change = RecipientChange::retry;
        decision.retry_at_unix = retry->at.time_since_epoch().count();
        ++lessons.deferred;
        lessons.throttled = lessons.throttled || !attempt.result.synthetic;
        return;
    }
    decision.change = RecipientChange::expired;
    decision.final_outcome = acclog::Outcome::expired;
    decision.status = "4.4.7";
    decision.diagnostic = "Message expired in queue; last reply: " + decision.reply;
    ++lessons.expired;
}

}  // namespace

std::string reply_line(const smtp::Reply& reply) {
    std::string text = std::to_string(reply.code);
    if (!reply.enhanced.empty()) text += " " + reply.enhanced;
    for (const auto& line : reply.lines) text += " " + line;
    return text;
}

AttemptOutcome decide_attempt(std::span<const RecipientAttempt> attempts, const AttemptRules& rules,
                              policy::retry::TimePoint arrival, policy::retry::TimePoint now,
                              double random_unit) {
    AttemptOutcome outcome;
    outcome.recipients.reserve(attempts.size());
    for (const RecipientAttempt& attempt : attempts) {
        RecipientDecision& decision = outcome.recipients.emplace_back();
        decision.index = attempt.index;
        decision.reply = reply_line(attempt.result.reply);
        decision.verdict = judge(attempt, rules, decision.out_of_step_success);
        switch (decision.verdict.action) {
            case Action::delivered:
                decide_delivered(decision, attempt.result, outcome.queue);
                break;
            case Action::bounce:
                decide_bounced(decision, attempt.result, outcome.queue);
                break;
            case Action::retry:
                decide_retry(decision, attempt, rules, arrival, now, random_unit, outcome.queue);
                break;
        }
        if (decision.verdict.lock) {
            outcome.queue.locks.push_back({decision.verdict.lock, attempt.result.reply.summary()});
        }
    }
    return outcome;
}

}  // namespace sluice::daemon::queue
