#include "bench/smtp_load/load_options.hpp"

#include <charconv>
#include <string_view>

namespace sluice::bench {

const char* const kLoadUsage =
    "usage: smtp_load [options] HOST:PORT\n"
    "  -s SESSIONS   parallel sessions (default 1)\n"
    "  -m MESSAGES   messages in the whole run (default 1)\n"
    "  -d COUNT      messages per connection (default 1: connect, one message, QUIT)\n"
    "  -l LENGTH     payload bytes after the headers (default 4096)\n"
    "  -f FROM       envelope sender (default from@bench.test)\n"
    "  -t TO         envelope recipient (default to@bench.test)\n"
    "  -M NAME       HELO/EHLO name (default bench.test)\n"
    "  -e            say EHLO instead of HELO\n"
    "  -T SECONDS    per-step reply timeout (default 60)\n"
    "Prints one line of key=value figures; exits 1 if any message was not accepted.\n";

namespace {

template <typename Number>
bool parse_number(std::string_view text, Number& out, Number minimum) {
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < minimum) return false;
    out = value;
    return true;
}

bool parse_target(std::string_view target, LoadOptions& out) {
    const auto colon = target.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::uint16_t port = 0;
    if (!parse_number<std::uint16_t>(target.substr(colon + 1), port, 1)) return false;
    out.host = std::string(target.substr(0, colon));
    out.port = port;
    return true;
}

// Applies one option that takes a value; false if the value is bad.
bool apply_option(char option, std::string_view value, LoadOptions& out) {
    long seconds = 0;
    switch (option) {
        case 's':
            return parse_number(value, out.sessions, 1);
        case 'm':
            return parse_number(value, out.messages, 1L);
        case 'd':
            return parse_number(value, out.messages_per_connection, 1L);
        case 'l':
            return parse_number<std::size_t>(value, out.payload_size, 0);
        case 'f':
            out.mail_from = value;
            return true;
        case 't':
            out.rcpt_to = value;
            return true;
        case 'M':
            out.helo_name = value;
            return true;
        case 'T':
            if (!parse_number(value, seconds, 1L)) return false;
            out.step_timeout = std::chrono::seconds(seconds);
            return true;
        default:
            return false;
    }
}

}  // namespace

std::variant<LoadOptions, ShowUsage, LoadOptionsError> parse_load_options(int argc, char** argv) {
    LoadOptions options;
    bool have_target = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") return ShowUsage{};
        if (arg == "-e") {
            options.use_ehlo = true;
        } else if (arg.size() == 2 && arg[0] == '-') {
            if (i + 1 >= argc)
                return LoadOptionsError{"option " + std::string(arg) + " needs a value"};
            if (!apply_option(arg[1], argv[++i], options)) {
                return LoadOptionsError{"bad value for " + std::string(arg) + ": " + argv[i]};
            }
        } else if (!have_target && parse_target(arg, options)) {
            have_target = true;
        } else {
            return LoadOptionsError{"unexpected argument: " + std::string(arg)};
        }
    }
    if (!have_target) return LoadOptionsError{"missing HOST:PORT"};
    return options;
}

}  // namespace sluice::bench
