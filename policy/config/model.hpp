// The configuration model: plain, immutable-after-load structs mirroring sluice.conf(5).
// It holds no behaviour and does no I/O; load.cpp fills it from libconfig, validate.cpp checks it.
// A loaded Config is shared as std::shared_ptr<const Config>: a reload builds a new one and
// swaps it, and work in progress keeps the snapshot it started with.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/config/delivery_tls.hpp"
#include "policy/config/policy_model.hpp"
#include "policy/net/cidr.hpp"

namespace sluice::policy::config {

using Duration = std::chrono::milliseconds;

// How a listener offers TLS (RFC 3207 STARTTLS, or RFC 8314 implicit TLS from the first byte).
enum class ListenerTls { none, starttls, implicit };

// Whether a listener offers SMTP AUTH (RFC 4954), and whether MAIL needs it first. AUTH is
// offered only once TLS is active.
enum class ListenerAuth { none, optional, required };

// One SMTP listening socket.
struct Listener {
    std::string name;     // used in logs and (later) for pool selection; defaults to "address:port"
    std::string address;  // numeric IPv4 or IPv6 address
    std::uint16_t port = 0;  // 0 = any free port (tests read the bound port from the log)
    ListenerTls tls = ListenerTls::none;
    ListenerAuth auth = ListenerAuth::none;
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
    std::uint32_t max_errors = 10;         // protocol errors before 421 and close
    std::uint32_t max_line_length = 2048;  // command lines, including CRLF
    Duration idle_timeout = std::chrono::minutes(5);
    Duration data_timeout = std::chrono::minutes(10);  // RFC 5321 §4.5.3.2.7
    // Bytes per second message content must average (after data_timeout of credit); 0 = none.
    std::uint64_t min_data_rate = 500;
    Duration shutdown_timeout = std::chrono::seconds(30);  // wait for open transactions on stop
    BareLineEndings bare_line_endings = BareLineEndings::normalize;
    // PEM files shared by every listener with tls != "none"; read at start and on SIGHUP.
    std::string tls_certificate;  // the certificate chain, leaf first
    std::string tls_key;          // its private key (unencrypted)
    // SMTP AUTH: "user:$6$salt$hash" lines (SHA-512-crypt, `openssl passwd -6`); read at start
    // and on SIGHUP. Required when a listener has auth != "none".
    std::string auth_users_file;
    std::uint32_t auth_max_failures = 3;  // failed AUTH attempts, then 421 and close
    Duration auth_failure_delay = std::chrono::seconds(1);  // times the failures so far
};

struct SpoolSettings {
    std::string directory;
    int compression_level = 3;         // zstd level 1..19
    std::uint64_t min_free_space = 0;  // bytes; 0 = 1.5 x smtp.max_message_size
};

struct StatusSettings {
    std::string listen = "127.0.0.1:8025";
    std::string token_file;  // empty: operations (POST) are refused
    // Who may read (GET); nullopt = not written, meaning loopback (127.0.0.0/8, ::1).
    std::optional<std::vector<net::Cidr>> allow;
};

// The resolver used for delivery (MX, A, AAAA, TXT).
struct DnsSettings {
    // Each "address:port" ("[address]:port" for IPv6; port 53 unless written), canonical, as
    // c-ares's server CSV takes them; empty = the servers of resolv.conf.
    std::vector<std::string> servers;
    Duration timeout = std::chrono::seconds(5);           // per query and server
    std::uint32_t tries = 2;                              // attempts per server
    Duration max_cache_ttl = std::chrono::hours(1);       // cap on a positive answer's TTL
    Duration max_negative_ttl = std::chrono::minutes(5);  // cap on NXDOMAIN / no-data caching
};

// The outbound SMTP client and the retry schedule of every queue.
struct DeliverySettings {
    DeliveryTls tls = DeliveryTls::opportunistic;
    // DANE (RFC 7672): TLSA records that the DNS resolver validated (AD bit) make TLS mandatory
    // and authenticate the MX host. Off by default: it needs a validating resolver on loopback.
    bool dane = false;
    std::uint16_t port = 25;     // remote SMTP port (tests deliver to a loopback sink)
    std::string source_address;  // numeric address to bind to; empty = the system chooses
    std::string helo;            // EHLO/HELO name; empty = Config::hostname (see delivery_helo)
    std::uint32_t max_recipients_per_transaction = 100;
    std::uint32_t max_connections = 200;  // outbound, in total
    std::uint32_t max_connections_per_destination = 10;
    std::uint32_t max_messages_per_connection = 100;
    // RFC 5321 §4.5.3.2 timeouts.
    Duration connect_timeout = std::chrono::seconds(30);
    Duration greeting_timeout = std::chrono::minutes(5);
    Duration command_timeout = std::chrono::minutes(5);
    Duration data_init_timeout = std::chrono::minutes(2);
    Duration data_block_timeout = std::chrono::minutes(3);
    Duration data_done_timeout = std::chrono::minutes(10);
    Duration idle_connection_timeout = std::chrono::seconds(5);  // idle connection kept for reuse
    // The wait after attempt k is retry_intervals[min(k, n) - 1]: the last one repeats.
    std::vector<Duration> retry_intervals = {std::chrono::minutes(5),  std::chrono::minutes(10),
                                             std::chrono::minutes(20), std::chrono::minutes(40),
                                             std::chrono::hours(1),    std::chrono::hours(2)};
    Duration queue_lifetime = std::chrono::hours(5 * 24);  // then a recipient expires (bounced)
    // After this long undelivered, a recipient's sender gets one "delayed" DSN (when NOTIFY=
    // allows it); unset: never (Postfix's delay_warning_time).
    std::optional<Duration> delay_warning;
    bool retry_possibly_delivered = true;  // retry when the reply after the final dot was lost
    // MTA-STS (RFC 8461) for MX deliveries (never for static routes); the HTTPS port of
    // mta-sts.<domain> is 443 but in tests.
    bool mta_sts = true;
    std::uint16_t mta_sts_port = 443;
};

// A static route: mail for these domains goes to `host`, bypassing MX (a smarthost when "*").
struct Route {
    // Lower case; each "example.com" (that domain), "*.example.com" (its subdomains) or "*".
    std::vector<std::string> domains;
    std::string host;         // numeric IPv4/IPv6 address or a host name (resolved A/AAAA)
    std::uint16_t port = 25;  // delivery.port unless written
};

enum class AccountingFormat {
    json,   // one JSON object per line
    kv,     // one line of key=value pairs
    akmta,  // AKMTA's syslog line: date and time, then single-quoted comma-separated fields
};

// How far the accounting file is made durable (sluice.conf(5), accounting.sync).
enum class AccountingSync {
    none,   // write(2) only: survives a crash of sluiced, not of the machine
    batch,  // fdatasync(2) once per batch of records written together
};

// The accounting log: a record per delivery attempt and per final outcome.
struct AccountingSettings {
    std::string file;     // appended to; empty = no file
    bool syslog = false;  // also to syslog(3), facility mail
    AccountingFormat format = AccountingFormat::json;
    AccountingSync sync = AccountingSync::none;
};

// Where a setting was written, for problems found only after loading (a key file that does
// not load is reported at its private_key setting).
struct SettingPlace {
    std::string file;
    int line = 0;
    std::string setting;  // dotted path, e.g. "keys.[0].private_key"
};

// DKIM key algorithms (RFC 6376 §3.3, RFC 8463).
enum class DkimAlgorithm {
    from_key,        // whatever the key file holds (the default)
    rsa_sha256,      // the file must hold an RSA key
    ed25519_sha256,  // the file must hold an Ed25519 key
};

// One DKIM signing key (AKMTA's "Keys"): mail whose From domain matches is signed with it.
struct DkimKey {
    std::string domain;       // d=, lower case
    std::string selector;     // s=, lower case
    std::string private_key;  // path of the PEM file, read at start-up and on reload
    DkimAlgorithm algorithm = DkimAlgorithm::from_key;
    bool subdomains = false;         // also sign mail From any subdomain of `domain`
    std::vector<std::string> pools;  // only mail sent through these pools; empty = any pool
    SettingPlace private_key_place;  // where private_key was written
};

struct Config {
    std::string source_file;  // the file this was loaded from, for messages
    std::string hostname;     // greeting, Received:, Message-ID
    SmtpSettings smtp;
    SpoolSettings spool;
    StatusSettings status;
    DnsSettings dns;
    DeliverySettings delivery;
    std::vector<Route> routes;
    AccountingSettings accounting;
    PolicySettings policy;  // pools, strategies, retry/lock rules, bounce patterns, ISPs
    std::vector<DkimKey> keys;

    // The name the delivery client greets with.
    [[nodiscard]] const std::string& delivery_helo() const {
        return delivery.helo.empty() ? hostname : delivery.helo;
    }

    // min_free_space with its default applied.
    [[nodiscard]] std::uint64_t spool_free_space_floor() const {
        return spool.min_free_space != 0 ? spool.min_free_space
                                         : smtp.max_message_size + smtp.max_message_size / 2;
    }
};

}  // namespace sluice::policy::config
