// The plain data the status endpoint shows: a snapshot of the daemon (StatusView) and of each
// destination queue (QueueView), built on the io thread (app/daemon_status.cpp) and rendered as
// JSON (status_json.hpp) or Prometheus text (prometheus_text.hpp). No I/O, no Beast, no Asio.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::daemon::status {

struct LockView {
    std::string rule;   // the lock rule's name
    std::string reply;  // the reply that set it
    std::string scope;  // "queue" or "isp"
    std::int64_t until_unix = 0;
};

struct QueueCounts {
    std::uint64_t delivered = 0;
    std::uint64_t deferred = 0;
    std::uint64_t bounced = 0;
    std::uint64_t expired = 0;
    std::uint64_t cleared = 0;
    std::uint64_t connections = 0;
    std::uint64_t throttled = 0;
};

// The strategy a queue runs under, as its ISP's strategy and the shaping of its pool and source
// made it.
struct StrategyView {
    std::string name;                    // the strategy it starts from
    std::vector<std::string> shaped_by;  // pool and source layers, in order
    unsigned max_connections = 0;
    unsigned messages_per_connection = 0;
    double message_rate_per_hour = 0;  // 0 = unlimited
    double isp_message_rate_per_hour = 0;
    double connect_rate_per_hour = 0;
    bool adaptive = false;
};

struct QueueView {
    std::string name;         // "destination/source"
    std::string destination;  // the ISP, or "ISP:site" for a site of the long tail
    std::string isp;
    std::string site;  // "" for an ISP entry's queue
    std::string source;
    std::string pool;
    std::uint64_t queued = 0;     // recipients ready to go now
    std::uint64_t in_flight = 0;  // recipients in transactions now
    std::uint64_t deferred = 0;   // recipients waiting for their next attempt
    std::string held;             // "", "node", "isp" or "queue"
    std::optional<LockView> lock;
    double allowed_per_hour = 0;  // the strategy's message rate (0 = unlimited)
    double current_per_hour = 0;  // the rate in force now (adaptive speed), 0 = unlimited
    unsigned connections = 0;
    unsigned max_connections = 0;
    StrategyView strategy;
    QueueCounts counts;
    std::vector<std::string> last_replies;            // newest first
    std::optional<std::int64_t> next_attempt_unix;    // earliest retry of a waiting recipient
    std::optional<std::int64_t> oldest_arrival_unix;  // of its ready or waiting mail
    std::string state;   // why it is or is not sending: "sending", "idle", "held", ...
    std::string detail;  // the same in words
};

struct ListenerView {
    std::string name;
    std::string address;
    unsigned port = 0;
    bool listening = false;
};

struct Totals {
    std::uint64_t accepted = 0;
    std::uint64_t delivered = 0;
    std::uint64_t bounced = 0;
    std::uint64_t deferred = 0;
    std::uint64_t expired = 0;
    std::uint64_t cleared = 0;
};

// The accounting log's writer since start-up (accounting_log.hpp).
struct AccountingCounts {
    std::uint64_t write_failures = 0;  // records that did not reach the file
    std::uint64_t sync_failures = 0;   // fdatasync calls that failed (accounting.sync "batch")
    std::uint64_t syncs = 0;           // fdatasync calls made
};

// One ISP's share of a warming source's day: "*" stands for each ISP without a row of its own.
struct WarmupIspView {
    std::string isp;
    std::optional<std::uint64_t> daily_cap;  // none: no cap today
    std::uint64_t taken = 0;                 // delivered today or in flight
    std::optional<std::uint64_t> left;       // none: no cap
    double message_rate_per_hour = 0;        // 0 = no warm-up rate
};

// A source with a warm-up schedule, on its current day.
struct WarmupView {
    std::string source;
    std::string pool;
    std::string schedule;
    std::string time_zone;
    std::string date;  // the local date, "YYYY-MM-DD"
    std::uint32_t day = 0;
    std::uint32_t warm_from_day = 0;
    bool warm = false;
    std::string over_cap;  // "wait" or "warm_sources"
    std::vector<WarmupIspView> isps;
};

struct StatusView {
    std::string version;
    std::string hostname;
    std::int64_t now_unix = 0;
    std::int64_t started_unix = 0;
    std::uint64_t config_generation = 0;
    std::int64_t last_reload_unix = 0;  // 0: never reloaded
    bool last_reload_ok = true;
    std::string last_reload_error;
    std::uint64_t spool_messages = 0;
    std::uint64_t spool_content_bytes = 0;
    std::uint64_t spool_file_bytes = 0;
    std::optional<std::uint64_t> free_bytes;  // nullopt: statvfs failed
    std::uint64_t min_free_bytes = 0;
    bool accepting = true;   // listeners open and enough free space
    bool node_held = false;  // all sending paused by an admin
    Totals totals;
    std::uint64_t active_connections = 0;  // outbound
    std::uint64_t smtp_sessions = 0;       // inbound
    std::uint64_t ready_recipients = 0;
    std::uint64_t waiting_recipients = 0;
    // Accepted, not final, not in flight and past their lifetime: 0 unless expiry is broken.
    std::uint64_t past_lifetime_recipients = 0;
    std::size_t queues = 0;
    std::vector<ListenerView> listeners;
    AccountingCounts accounting;
    std::vector<WarmupView> warmups{};  // sources with a warm-up schedule
};

}  // namespace sluice::daemon::status
