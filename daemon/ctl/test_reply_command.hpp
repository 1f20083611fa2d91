// `sluicectl test-reply`: a dry run of the sending policy for one remote reply, no daemon
// needed. Loads and validates the configuration, builds its CompiledPolicy, parses the reply
// ("421 4.7.0 [TS04] text", multi-line with \n) and prints which bounce pattern, lock rule and
// retry rule would fire for the named ISP and what Sluice would do; --json for scripts.
// Exit 0 when the reply was judged, 1 on a bad configuration or unknown ISP, 2 on usage.
#pragma once

#include "daemon/ctl/command_group.hpp"

namespace sluice::daemon::ctl {

[[nodiscard]] CommandGroup test_reply_command_group();

}  // namespace sluice::daemon::ctl
