// sluicectl's dispatch table entry: one group of subcommands ("spool", later "queue", "status")
// implemented in its own <group>_commands.cpp. A group gets the arguments after its name and
// the streams to write to, and returns the exit status: 0 done, 1 failed (message on `err`),
// 2 usage error (usage text on `err`). No globals; main.cpp owns the table.
#pragma once

#include <ostream>
#include <span>
#include <string_view>

namespace sluice::daemon::ctl {

struct CommandGroup {
    std::string_view name;     // first argument selecting the group
    std::string_view summary;  // one line for `sluicectl --help`
    std::string_view usage;    // the group's full usage text
    int (*run)(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

}  // namespace sluice::daemon::ctl
