#include "daemon/queue/core/waiting_verdict.hpp"

#include <algorithm>

namespace sluice::daemon::queue {

WaitingVerdict judge_waiting(const WaitingFacts& facts, std::int64_t now_unix) {
    if (!facts.deadline_unix) {
        return {WaitingAction::find_isp, now_unix + kWaitingRecheckSeconds};
    }
    const std::int64_t deadline = *facts.deadline_unix;
    if (deadline <= now_unix) {
        if (facts.in_flight) return {WaitingAction::look_again, now_unix + 1};  // look again soon
        return {WaitingAction::expire, now_unix + kWaitingRecheckSeconds};
    }
    // A warning only makes sense before the deadline's own report.
    if (!facts.warn_at_unix || *facts.warn_at_unix >= deadline) {
        return {WaitingAction::look_again, deadline};
    }
    const std::int64_t warn_at = *facts.warn_at_unix;
    if (warn_at > now_unix) return {WaitingAction::look_again, warn_at};
    if (facts.in_flight || now_unix < facts.warnings_resume_unix) {
        return {WaitingAction::look_again,
                std::min(deadline, std::max(now_unix + 1, facts.warnings_resume_unix))};
    }
    return {WaitingAction::warn, std::min(deadline, now_unix + kWaitingRecheckSeconds)};
}

}  // namespace sluice::daemon::queue
