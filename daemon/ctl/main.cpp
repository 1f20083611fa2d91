// sluicectl: the admin's command line. main only dispatches: the first argument names a command
// group (spool_commands.cpp, …), which parses the rest. Exit status: 0 ok, 1 failed, 2 usage.
#include <algorithm>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/ctl/command_group.hpp"
#include "daemon/ctl/dkim_commands.hpp"
#include "daemon/ctl/spool_commands.hpp"
#include "daemon/ctl/status_commands.hpp"
#include "daemon/ctl/test_reply_command.hpp"
#include "daemon/ctl/warmup_command.hpp"

namespace {
using sluice::daemon::ctl::CommandGroup;

void print_help(const std::vector<CommandGroup>& groups, std::ostream& out) {
    out << "usage: sluicectl COMMAND [ARGS...]\n       sluicectl COMMAND --help\n\ncommands:\n";
    for (const CommandGroup& group : groups) {
        std::size_t pad = std::max<std::size_t>(2, 12 - group.name.size());
        out << "  " << group.name << std::string(pad, ' ') << group.summary << '\n';
    }
}
}  // namespace

int main(int argc, char** argv) {
    namespace ctl = sluice::daemon::ctl;
    std::vector<CommandGroup> groups = ctl::status_command_groups();
    groups.push_back(ctl::spool_command_group());
    groups.push_back(ctl::test_reply_command_group());
    groups.push_back(ctl::warmup_command_group());
    groups.push_back(ctl::dkim_keygen_command_group());
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) {
        print_help(groups, std::cerr);
        return ctl::kExitUsage;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_help(groups, std::cout);
        return ctl::kExitOk;
    }
    for (const CommandGroup& group : groups) {
        if (group.name != args[0]) continue;
        if (args.size() > 1 && (args[1] == "--help" || args[1] == "-h")) {
            std::cout << group.usage;
            return ctl::kExitOk;
        }
        return group.run(std::span(args).subspan(1), std::cout, std::cerr);
    }
    std::cerr << "sluicectl: unknown command: " << args[0] << '\n';
    print_help(groups, std::cerr);
    return ctl::kExitUsage;
}
