#pragma once
// Command-line options of smtp_load, the benchmark's SMTP load client.
// Parsing only: no I/O beyond the usage text the caller prints. A bad argument is a value
// (LoadOptionsError), never an exception.
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

namespace sluice::bench {

struct LoadOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 25;
    int sessions = 1;                  // parallel SMTP sessions
    long messages = 1;                 // messages in the whole run
    long messages_per_connection = 1;  // 1 = one connection per message, like smtp-source
    std::size_t payload_size = 4096;   // body bytes after the header block, like smtp-source -l
    std::string mail_from = "from@bench.test";
    std::string rcpt_to = "to@bench.test";
    std::string helo_name = "bench.test";
    bool use_ehlo = false;                  // smtp-source says HELO; match it by default
    std::chrono::seconds step_timeout{60};  // no reply within this closes the connection
};

struct LoadOptionsError {
    std::string message;
};

struct ShowUsage {};

extern const char* const kLoadUsage;

// Parses argv; returns the options, a request to print usage, or what was wrong.
[[nodiscard]] std::variant<LoadOptions, ShowUsage, LoadOptionsError> parse_load_options(
    int argc, char** argv);

}  // namespace sluice::bench
