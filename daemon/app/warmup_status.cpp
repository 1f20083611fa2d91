#include "daemon/app/warmup_status.hpp"

#include <set>

#include "policy/warmup/calendar_date.hpp"

namespace sluice::daemon::app {

namespace {
constexpr std::string_view kOtherIsps = "*";

status::WarmupIspView isp_view(const policy::config::WarmupSchedule& schedule, std::string isp,
                               std::uint32_t day, std::uint64_t taken) {
    // "*": the rows for every ISP (the empty ISP scope).
    const auto limits = policy::warmup::limits_on(
        schedule, isp == kOtherIsps ? std::string_view() : std::string_view(isp), day);
    status::WarmupIspView view;
    view.isp = std::move(isp);
    view.daily_cap = limits.daily;
    view.taken = taken;
    if (limits.daily) view.left = *limits.daily > taken ? *limits.daily - taken : 0;
    view.message_rate_per_hour = policy::config::per_hour(limits.message_rate);
    return view;
}
}  // namespace

std::vector<status::WarmupView> warmup_views(const policy::engine::CompiledPolicy& policy,
                                             const queue::WarmupBudgets& budgets,
                                             std::chrono::sys_seconds now) {
    std::vector<status::WarmupView> views;
    for (const auto& [source_name, warming] : policy.warmups()) {
        const auto& schedule = *warming.schedule;
        status::WarmupView view;
        view.source = source_name;
        view.pool = warming.pool->name;
        view.schedule = schedule.name;
        view.time_zone = schedule.time_zone;
        const auto date = warming.clock.local_date(now);
        view.date = policy::warmup::format_date(date);
        view.day = policy::warmup::warmup_day(warming.source->warmup_start, date);
        view.warm_from_day = schedule.warm_from_day;
        view.warm = policy::warmup::is_warm(schedule, view.day);
        view.over_cap = std::string(policy::warmup::to_string(schedule.over_cap));
        // The ISPs the schedule names and those the source has sent to, then every other one.
        std::set<std::string> isps;
        for (const auto& row : schedule.days) {
            if (!row.isp.empty()) isps.insert(row.isp);
        }
        for (const auto& [key, budget] : budgets.all()) {
            if (key.first == source_name) isps.insert(key.second);
        }
        for (const auto& isp : isps) {
            std::uint64_t taken = 0;
            auto it = budgets.all().find({source_name, isp});
            if (it != budgets.all().end() && it->second.date == date && it->second.day != 0) {
                taken = it->second.taken;
            }
            view.isps.push_back(isp_view(schedule, isp, view.day, taken));
        }
        view.isps.push_back(isp_view(schedule, std::string(kOtherIsps), view.day, 0));
        views.push_back(std::move(view));
    }
    return views;
}

}  // namespace sluice::daemon::app
