// When a recipient that failed temporarily is tried next under a named retry rule (fixed,
// growing or random interval), or that it has expired: after max_attempts attempts, or when the
// next attempt would fall after arrival + expire_after. Pure: time and randomness (a number in
// [0, 1) for "random" rules) are arguments. Results are whole seconds (the spool's resolution).
#pragma once

#include <cstdint>
#include <variant>

#include "policy/config/policy_model.hpp"
#include "policy/retry/retry_schedule.hpp"

namespace sluice::policy::retry {

// The wait after attempt `attempts_made` (>= 1) failed; `random_unit` in [0, 1).
[[nodiscard]] std::chrono::seconds retry_interval(const config::RetryRule& rule,
                                                  std::uint32_t attempts_made, double random_unit);

// The moment a recipient that arrived at `arrival` expires under `rule`: arrival +
// expire_after, rounded up to a whole second. It is never tried at or after it.
[[nodiscard]] TimePoint expiry_deadline(const config::RetryRule& rule, TimePoint arrival);

// The next attempt after `attempts_made` failed attempts (0: due at `arrival` unless expired);
// `now` is the end of the last attempt.
[[nodiscard]] std::variant<RetryAt, Expired> next_retry(const config::RetryRule& rule,
                                                        std::uint32_t attempts_made,
                                                        TimePoint arrival, TimePoint now,
                                                        double random_unit);

}  // namespace sluice::policy::retry
