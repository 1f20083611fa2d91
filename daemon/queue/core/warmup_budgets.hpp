// Today's warm-up budget of each (source, ISP) pair whose source is warming up: the day's cap
// and message rate from the source's schedule (policy/warmup), and how many recipients the pair
// has taken today. All queues of a pair share its budget; the sites of the long tail count as
// one ISP, "default". A recipient is taken when a connection is about to send it (reserve) and
// given back when its attempt did not deliver it (settle), so the cap counts what the ISP
// accepted plus what is in flight, and concurrent connections never overshoot it. The caller
// saves counts() durably before it sends what it reserved (warmup_ledger.hpp). Pure: wall time
// is an argument. io thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/engine/compiled_policy.hpp"
#include "policy/speed/rate_limiter.hpp"

namespace sluice::daemon::queue {

struct WarmupBudget {
    std::string isp;  // whose limits apply (the source is warmup->source)
    // Null when the source has no warm-up any more (a reload): no limits.
    const policy::engine::SourceWarmup* warmup = nullptr;
    std::int32_t date = 0;                // the local date counted (days since 1970-01-01)
    std::uint32_t day = 0;                // its warm-up day; 0 until first brought up to date
    bool warm = false;                    // past the schedule: no limits
    std::chrono::sys_seconds next_day{};  // when `date` ends
    std::optional<std::uint64_t> cap;     // today's cap; none: no cap
    std::uint64_t taken = 0;              // delivered today, or in a transaction now
    policy::speed::RateLimiter rate;      // today's warm-up message rate

    [[nodiscard]] std::uint64_t left() const;
    [[nodiscard]] bool spent() const { return cap && taken >= *cap; }
};

// One pair's count of one day, as the ledger saves it.
struct WarmupCount {
    std::string source;
    std::string isp;
    std::int32_t date = 0;
    std::uint64_t taken = 0;
    friend bool operator==(const WarmupCount&, const WarmupCount&) = default;
};

class WarmupBudgets {
  public:
    using WallTime = std::chrono::sys_seconds;
    using Key = std::pair<std::string, std::string>;  // source, ISP

    explicit WarmupBudgets(std::shared_ptr<const policy::engine::CompiledPolicy> policy);

    // The budget of `source` sending to `isp`, made on first use; null when the source has no
    // warm-up. Budgets stay in place (queues point at them).
    WarmupBudget* budget_for(const std::string& source, const std::string& isp);
    // Brings `budget` to the day of `now`: a new day starts with nothing taken, under that day's
    // cap and rate. Cheap when the day has not turned.
    static void roll(WarmupBudget& budget, WallTime now);
    // Every budget (the scheduler's pass, and after a reload): a spent budget whose day has
    // turned is full again even while its queues have no mail.
    void roll_all(WallTime now);

    // Takes up to `wanted` recipients of today's budget at `now`: how many may be sent (0 when
    // the cap is spent).
    static std::uint64_t reserve(WarmupBudget& budget, WallTime now, std::uint64_t wanted);
    // An attempt of `reserved` recipients taken on local date `date` delivered `delivered` of
    // them: the rest go back to that day's budget (not to a later day's).
    static void settle(WarmupBudget& budget, std::int32_t date, std::uint64_t reserved,
                       std::uint64_t delivered);

    // A count saved before a restart; one of a past day or of a source no longer warming is
    // dropped.
    void restore(const WarmupCount& count, WallTime now);
    // Every pair's count of its current day (what the ledger saves), sorted.
    [[nodiscard]] std::vector<WarmupCount> counts() const;

    // A reload: budgets follow their sources' new schedules, keeping today's counts (roll_all
    // applies the new limits).
    void reconfigure(std::shared_ptr<const policy::engine::CompiledPolicy> policy);
    // The earliest moment a spent budget gets a new day (the scheduler wakes then; roll_all
    // first, so that it is in the future).
    [[nodiscard]] std::optional<WallTime> next_refill() const;
    // Whether `source`'s cap to `isp` is spent at `now` (without making a budget).
    [[nodiscard]] bool spent(const std::string& source, const std::string& isp, WallTime now) const;

    [[nodiscard]] const std::map<Key, WarmupBudget>& all() const { return budgets_; }

  private:
    std::shared_ptr<const policy::engine::CompiledPolicy> policy_;
    std::map<Key, WarmupBudget> budgets_;  // nodes stay in place
};

}  // namespace sluice::daemon::queue
