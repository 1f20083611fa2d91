// What the expiry sweep does with one pending recipient when it looks at it: expire it, warn its
// sender that it is delayed, or look again later, and when. Where the recipient waits (ready,
// held, locked, rate-limited, waiting for a retry or for DNS) is deliberately not a fact: a
// recipient expires on time wherever it waits; only an attempt in flight decides for itself.
// Pure: unix seconds are passed in.
#pragma once

#include <cstdint>
#include <optional>

namespace sluice::daemon::queue {

struct WaitingFacts {
    // When it expires under its ISP's retry rule; nullopt while its ISP is not known (the MX
    // lookup for rollup is pending).
    std::optional<std::int64_t> deadline_unix;
    bool in_flight = false;  // a worker has it: its attempt decides
    // When its delay warning falls due; nullopt when none is owed (no delivery.delay_warning,
    // a null sender, NOTIFY= without DELAY, or already warned).
    std::optional<std::int64_t> warn_at_unix;
    std::int64_t warnings_resume_unix = 0;  // no warning before this (a DSN could not be spooled)
};

enum class WaitingAction {
    look_again,  // nothing to do now
    expire,      // past its deadline: final as expired, its sender gets a DSN
    warn,        // send the delay warning now
    find_isp,    // ask for the domain's MX lookup, then look again
};

struct WaitingVerdict {
    WaitingAction action = WaitingAction::look_again;
    // When to look at the recipient again (also after expire or warn, in case it is not found
    // in a queue now).
    std::int64_t look_again_unix = 0;
};

// A recipient whose ISP is unknown, or that expired or was warned but is looked at again, waits
// this long before the next look.
inline constexpr std::int64_t kWaitingRecheckSeconds = 5;

[[nodiscard]] WaitingVerdict judge_waiting(const WaitingFacts& facts, std::int64_t now_unix);

}  // namespace sluice::daemon::queue
