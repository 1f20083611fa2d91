// sluicectl's commands that talk to the running daemon's status endpoint: status, queues,
// queue ISP, hold, release, clear, unlock and reload. Readable tables by default, the
// endpoint's JSON with --json. The URL comes from --url or the config's status.listen, the
// token (operations only) from --token-file or the config's status.token_file.
#pragma once

#include <vector>

#include "daemon/ctl/command_group.hpp"

namespace sluice::daemon::ctl {

[[nodiscard]] std::vector<CommandGroup> status_command_groups();

}  // namespace sluice::daemon::ctl
