// `sluicectl warmup`: the warm-up plan of each source with a schedule for the next days, read
// from the configuration (no daemon needed): per day its number and, per ISP the schedule names
// and for every other ISP ("*"), the daily cap and message rate, until the source is warm. What
// a running daemon has sent today is in /status ("warmups"). Exit 0, 1 on a bad configuration
// or unknown source, 2 on usage.
#pragma once

#include "daemon/ctl/command_group.hpp"

namespace sluice::daemon::ctl {

[[nodiscard]] CommandGroup warmup_command_group();

}  // namespace sluice::daemon::ctl
