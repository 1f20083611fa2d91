#include "daemon/queue/core/warmup_budgets.hpp"

#include <algorithm>
#include <limits>

namespace sluice::daemon::queue {

std::uint64_t WarmupBudget::left() const {
    if (!cap) return std::numeric_limits<std::uint64_t>::max();
    return *cap > taken ? *cap - taken : 0;
}

WarmupBudgets::WarmupBudgets(std::shared_ptr<const policy::engine::CompiledPolicy> policy)
    : policy_(std::move(policy)) {}

WarmupBudget* WarmupBudgets::budget_for(const std::string& source, const std::string& isp) {
    const auto* warmup = policy_->warmup_of(source);
    if (!warmup) return nullptr;
    auto [it, made] = budgets_.try_emplace(Key{source, isp});
    if (made) {
        it->second.isp = isp;
        it->second.warmup = warmup;
    }
    return &it->second;
}

void WarmupBudgets::roll(WarmupBudget& budget, WallTime now) {
    if (budget.day != 0 && now < budget.next_day) return;
    if (!budget.warmup) {
        // No schedule any more: nothing limits it, and there is no day to turn.
        budget.warm = true;
        budget.cap.reset();
        budget.rate.set_rate(std::nullopt);
        budget.next_day = WallTime::max();
        budget.day = 1;
        return;
    }
    const auto& warmup = *budget.warmup;
    // Only forwards: a reload that moves the time zone west must not restart a counted day.
    const std::int32_t date = warmup.clock.local_date(now);
    if (date > budget.date) {
        budget.taken = 0;
        budget.date = date;
    }
    budget.day = policy::warmup::warmup_day(warmup.source->warmup_start, budget.date);
    budget.warm = policy::warmup::is_warm(*warmup.schedule, budget.day);
    const auto limits = policy::warmup::limits_on(*warmup.schedule, budget.isp, budget.day);
    budget.cap = limits.daily;
    if (budget.rate.rate() != limits.message_rate) budget.rate.set_rate(limits.message_rate);
    budget.next_day = warmup.clock.start_of(budget.date + 1);
}

void WarmupBudgets::roll_all(WallTime now) {
    for (auto& [key, budget] : budgets_) roll(budget, now);
}

std::uint64_t WarmupBudgets::reserve(WarmupBudget& budget, WallTime now, std::uint64_t wanted) {
    roll(budget, now);
    const std::uint64_t granted = std::min(wanted, budget.left());
    budget.taken += granted;
    return granted;
}

void WarmupBudgets::settle(WarmupBudget& budget, std::int32_t date, std::uint64_t reserved,
                           std::uint64_t delivered) {
    if (date != budget.date || delivered >= reserved) return;
    budget.taken -= std::min(budget.taken, reserved - delivered);
}

void WarmupBudgets::restore(const WarmupCount& count, WallTime now) {
    auto* budget = budget_for(count.source, count.isp);
    if (!budget) return;
    roll(*budget, now);
    if (budget->date == count.date) budget->taken = std::max(budget->taken, count.taken);
}

std::vector<WarmupCount> WarmupBudgets::counts() const {
    std::vector<WarmupCount> out;
    for (const auto& [key, budget] : budgets_) {
        if (budget.warmup && budget.day != 0) {
            out.push_back({key.first, key.second, budget.date, budget.taken});
        }
    }
    return out;
}

void WarmupBudgets::reconfigure(std::shared_ptr<const policy::engine::CompiledPolicy> policy) {
    policy_ = std::move(policy);
    for (auto& [key, budget] : budgets_) {
        budget.warmup = policy_->warmup_of(key.first);
        // The next roll takes the new schedule; the date and its count stay (and are saved).
        budget.next_day = WallTime::min();
    }
}

std::optional<WarmupBudgets::WallTime> WarmupBudgets::next_refill() const {
    std::optional<WallTime> earliest;
    for (const auto& [key, budget] : budgets_) {
        if (budget.warmup && budget.spent() && (!earliest || budget.next_day < *earliest)) {
            earliest = budget.next_day;
        }
    }
    return earliest;
}

bool WarmupBudgets::spent(const std::string& source, const std::string& isp, WallTime now) const {
    auto it = budgets_.find(Key{source, isp});
    if (it == budgets_.end()) return false;
    const auto& budget = it->second;
    // A budget whose day has turned is full again.
    return budget.day != 0 && now < budget.next_day && budget.spent();
}

}  // namespace sluice::daemon::queue
