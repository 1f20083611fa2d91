// The configuration model: plain, immutable-after-load structs mirroring sluice.conf(5).
// It holds no behaviour and does no I/O; load.cpp fills it from libconfig, validate.cpp checks it.
// A loaded Config is shared as std::shared_ptr<const Config>: a reload builds a new one and
// swaps it, and work in progress keeps the snapshot it started with.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "policy/net/cidr.hpp"

namespace sluice::policy::config {

using Duration = std::chrono::milliseconds;

// One SMTP listening socket.
struct Listener {
    std::string name;     // used in logs and (later) for pool selection; defaults to "address:port"
    std::string address;  // numeric IPv4 or IPv6 address
    std::uint16_t port = 0;  // 0 = any free port (tests read the bound port from the log)
};

// What the server does with a bare CR or bare LF inside DATA/BDAT content.
enum class BareLineEndings {
    normalize,  // each bare CR or LF is stored as CRLF; it never ends DATA (the default)
    reject,     // the message is refused with 550 5.6.0 after the real end of data
};

struct SmtpSettings {
    std::vector<Listener> listen;
    std::vector<net::Cidr> relay_networks;  // clients allowed to relay; empty = nobody
    std::uint64_t max_message_size = 52428800;
    std::uint32_t max_recipients = 1000;
    std::uint32_t max_connections = 1000;
    std::uint32_t max_connections_per_ip = 100;
    std::uint32_t max_errors = 10;            // protocol errors before 421 and close
    std::uint32_t max_line_length = 2048;     // command lines, including CRLF
    Duration idle_timeout = std::chrono::minutes(5);
    Duration data_timeout = std::chrono::minutes(10);     // RFC 5321 §4.5.3.2.7
    Duration shutdown_timeout = std::chrono::seconds(30); // wait for open transactions on stop
    BareLineEndings bare_line_endings = BareLineEndings::normalize;
};

struct SpoolSettings {
    std::string directory;
    int compression_level = 3;          // zstd level 1..19
    std::uint64_t min_free_space = 0;   // bytes; 0 = 1.5 x smtp.max_message_size
};

struct StatusSettings {
    std::string listen = "127.0.0.1:8025";
    std::string token_file;
};

struct Config {
    std::string source_file;  // the file this was loaded from, for messages
    std::string hostname;     // greeting, Received:, Message-ID
    SmtpSettings smtp;
    SpoolSettings spool;
    StatusSettings status;

    // min_free_space with its default applied.
    [[nodiscard]] std::uint64_t spool_free_space_floor() const {
        return spool.min_free_space != 0 ? spool.min_free_space
                                         : smtp.max_message_size + smtp.max_message_size / 2;
    }
};

}  // namespace sluice::policy::config
