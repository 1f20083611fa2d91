// The status endpoint's view of warm-up: every source with a schedule, its day in its time zone,
// and per ISP today's cap, what it has taken and what is left (from the queue manager's
// budgets). An ISP no budget has been made for yet shows its cap with nothing taken.
#pragma once

#include <vector>

#include "daemon/queue/core/warmup_budgets.hpp"
#include "daemon/status/status_view.hpp"

namespace sluice::daemon::app {

[[nodiscard]] std::vector<status::WarmupView> warmup_views(
    const policy::engine::CompiledPolicy& policy, const queue::WarmupBudgets& budgets,
    std::chrono::sys_seconds now);

}  // namespace sluice::daemon::app
