// GET /: one self-contained HTML page (inline CSS and JavaScript, no external assets) that
// polls /status and /queues every 2 seconds and shows totals, the spool, and per queue its
// state and why, rates, connections, locks, holds and last reply. Pure (a constant).
#pragma once

#include <string_view>

namespace sluice::daemon::status {

[[nodiscard]] std::string_view dashboard_html();

}  // namespace sluice::daemon::status
