// `sluicectl spool …`: read-only views of the spool straight from its files, for admins.
//   spool list [-c FILE]                 one line per message, sorted by arrival
//   spool show [-c FILE] [--envelope] ID the stored content byte-exact, or the envelope and
//                                        recipient states
// Reads the configuration only for spool.directory; never writes to the spool. Safe to run
// while sluiced runs (a message delivered meanwhile is skipped or reported as gone).
#pragma once

#include "daemon/ctl/command_group.hpp"

namespace sluice::daemon::ctl {

[[nodiscard]] CommandGroup spool_command_group();

}  // namespace sluice::daemon::ctl
