// sluiced: parse arguments, load and validate the configuration and its DKIM keys, run the App.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "daemon/app/app.hpp"
#include "daemon/app/security_loader.hpp"
#include "daemon/dkim/key_loader.hpp"
#include "daemon/log/logger.hpp"
#include "policy/config/load.hpp"

namespace {
constexpr const char* kUsage =
    "usage: sluiced [-c FILE] [--check-config] [--version]\n"
    "  -c, --config FILE   configuration file (default /etc/sluice/sluice.conf)\n"
    "  --check-config      validate the configuration, print errors, exit 0 or 1\n"
    "  --version           print the version and exit\n";

struct Arguments {
    std::string config_path = "/etc/sluice/sluice.conf";
    bool check_only = false;
};

// Returns -1 to go on, or the exit status to leave with.
int parse_arguments(int argc, char** argv, Arguments& out) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "-c" || arg == "--config") && i + 1 < argc) {
            out.config_path = argv[++i];
        } else if (arg == "--check-config") {
            out.check_only = true;
        } else if (arg == "--version") {
            std::printf("sluiced %s\n", SLUICE_VERSION);
            return 0;
        } else if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else {
            std::fprintf(stderr, "sluiced: unknown argument '%s'\n%s", arg.c_str(), kUsage);
            return 2;
        }
    }
    return -1;
}

// Prints every error and the count; returns the exit status for a configuration that failed.
int report_errors(const std::vector<sluice::policy::config::ConfigError>& errors) {
    for (const auto& error : errors) std::fprintf(stderr, "%s\n", error.to_string().c_str());
    std::fprintf(stderr, "sluiced: %zu error(s) in the configuration; not started\n",
                 errors.size());
    return 1;
}
}  // namespace

int main(int argc, char** argv) {
    Arguments arguments;
    if (int status = parse_arguments(argc, argv, arguments); status >= 0) return status;

    auto loaded = sluice::policy::config::load_config_file(arguments.config_path);
    if (!loaded.config) return report_errors(loaded.errors);
    auto keys = sluice::daemon::dkim::load_signer(*loaded.config);
    if (!keys.signer) return report_errors(keys.errors);
    if (arguments.check_only) {
        for (const auto& warning : keys.warnings) std::fprintf(stderr, "%s\n", warning.c_str());
        std::string error;  // the files the config names: certificate, key, users
        if (!sluice::daemon::app::load_session_security(*loaded.config, error)) {
            std::fprintf(stderr, "%s: %s\n", arguments.config_path.c_str(), error.c_str());
            return 1;
        }
        std::printf("%s: configuration is valid\n", arguments.config_path.c_str());
        return 0;
    }
    sluice::daemon::log::Logger logger(sluice::daemon::log::Logger::detect_destination());
    for (const auto& warning : keys.warnings) logger.warning("{}", warning);
    sluice::daemon::app::App app(arguments.config_path, loaded.config, keys.signer, logger);
    return app.run();
}
