// The sending-policy part of the configuration model (PowerMTA/AKMTA vocabulary): pools of
// sources, strategies (speed), retry rules, lock rules, bounce patterns, ISPs and the default
// rules for every unmatched domain. Plain data filled by load_policy.cpp and checked by
// validate.cpp; names refer across sections ("strategy = \"gentle\"") and validation
// guarantees every reference resolves, so users of a loaded Config may look names up freely.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/config/delivery_tls.hpp"
#include "policy/config/units.hpp"

namespace sluice::policy::config {

// Header changes made to a message just before it is sent (after the control headers are
// removed, before DKIM signs), PowerMTA-style: fields named in `remove` go (every instance),
// then the fields in `add` ("Name: value") are put at the top of the header.
struct HeaderPolicy {
    std::vector<std::string> add;
    std::vector<std::string> remove;
    [[nodiscard]] bool empty() const { return add.empty() && remove.empty(); }
};

// A pool's or a source's own sending speed, one entry of its `shaping` list: for one ISP (or
// all ISPs and the default rules when `isp` is empty) another strategy, and/or single keys over
// the strategy below it. strategy_shaping.hpp applies them (source > pool > ISP > defaults).
struct Shaping {
    std::string isp;       // empty: every ISP
    std::string strategy;  // empty: keep the strategy below
    std::optional<std::uint32_t> max_connections;
    std::optional<std::uint32_t> messages_per_connection;
    std::optional<Rate> message_rate;
    std::optional<Rate> connect_rate;
};

// One outbound source: the address connections are made from and the name said in EHLO.
struct Source {
    std::string name;          // unique in its pool; defaults to the address ("default" if none)
    std::string address;       // numeric IPv4/IPv6 to bind to; empty = the system chooses
    std::string helo;          // empty = Config::delivery_helo()
    std::uint32_t weight = 1;  // share of the pool's mail under "weighted" selection
    std::vector<Shaping> shaping{};
    // Warm-up (WarmupSchedule): the schedule's name and its day 1, as days since 1970-01-01
    // (a calendar date in the schedule's time zone). Empty: the source is warm.
    std::string warmup{};
    std::int32_t warmup_start = 0;
};

enum class SourceSelection { round_robin, weighted };

struct Pool {
    std::string name;
    std::vector<Source> sources;  // at least one
    SourceSelection selection = SourceSelection::round_robin;
    // Mail whose envelope sender domain is listed (exact, lower case, or "*.domain") uses this
    // pool, unless a control header names another; first pool in file order wins.
    std::vector<std::string> sender_domains;
    // Mail received on these listeners (Listener::name) uses this pool (after header/sender).
    std::vector<std::string> listeners;
    HeaderPolicy headers;            // applied to the pool's mail, before the ISP's
    std::vector<Shaping> shaping{};  // for every source of the pool, under the sources' own
};

// Adaptive speed: the allowed message rate moves between `min_rate` and the strategy's
// message_rate (the ceiling): up by step_up after `success_streak` delivered messages in a row,
// down by step_down on every deferral or throttling reply.
struct AdaptiveSpeed {
    Rate min_rate;
    double step_up = 0.10;    // fraction of the current rate
    double step_down = 0.50;  // fraction of the current rate
    std::uint32_t success_streak = 100;
};

// Sending speed per destination queue (ISP x source) and per ISP overall.
struct Strategy {
    std::string name;
    std::uint32_t max_connections = 10;           // concurrent, per (ISP, source)
    std::uint32_t messages_per_connection = 100;  // then QUIT and reconnect
    std::optional<Rate> message_rate;             // per (ISP, source); none = unlimited
    std::optional<Rate> isp_message_rate;         // per ISP over all its sources; none = unlimited
    std::optional<Rate> connect_rate;             // connection attempts per (ISP, source)
    std::optional<AdaptiveSpeed> adaptive;        // needs message_rate (the ceiling)
};

enum class RetryIntervalKind {
    fixed,    // every `interval`
    growing,  // interval, interval*factor, ... capped at max_interval
    random,   // any moment in [min_interval, max_interval] after the failure
    list,     // intervals[k-1] after attempt k, the last one repeating (delivery.retry_intervals)
};

struct RetryRule {
    std::string name;
    RetryIntervalKind kind = RetryIntervalKind::growing;
    std::chrono::milliseconds interval{std::chrono::minutes(5)};      // fixed; growing's first
    double factor = 2.0;                                              // growing
    std::chrono::milliseconds min_interval{std::chrono::minutes(5)};  // random
    std::chrono::milliseconds max_interval{std::chrono::hours(4)};    // growing cap; random
    std::vector<std::chrono::milliseconds> intervals;  // list: these waits, the last repeating
    std::uint32_t max_attempts = 0;                    // 0 = unlimited (until expire_after)
    std::chrono::milliseconds expire_after{std::chrono::hours(5 * 24)};  // since arrival
};

// What a remote reply must look like for a rule to apply. Every present part must match.
struct ReplyMatch {
    std::string code;      // "421", "4", "45" (prefix of the 3-digit code); empty = any
    std::string enhanced;  // "4.7.0", "5.1" (prefix, whole components); empty = any
    std::string text;      // Perl-syntax regex (Boost.Regex) searched in the text, ignoring case
};

enum class LockScope { source, isp };

struct LockRule {
    std::string name;
    ReplyMatch match;
    std::chrono::milliseconds lock_for{std::chrono::minutes(30)};
    LockScope scope = LockScope::source;
};

enum class BounceClass {
    hard,    // permanent: bounce now with a DSN
    soft,    // temporary: retry under the retry rule
    ignore,  // treat as delivered (e.g. a 5xx known to mean "accepted but will filter")
};

struct BouncePattern {
    std::string name;  // optional, for logs; defaults to "#n" (position)
    ReplyMatch match;
    BounceClass bounce_class = BounceClass::soft;
    std::string category;  // bad-mailbox, quota, spam-block, rate-limit, policy, dns, ...
};

struct Isp {
    std::string name;
    std::vector<std::string> domains;      // exact, lower case; "*.domain" for subdomains
    std::vector<std::string> mx_patterns;  // "*.google.com", "mx.yandex.ru" (MX rollup)
    std::string strategy;                  // empty = defaults.strategy
    std::string retry;                     // empty = defaults.retry
    std::string pool;                      // empty = the message's pool
    std::vector<std::string> locks;        // lock rule names, in order; empty = defaults.locks
    std::vector<BouncePattern> bounce_patterns;  // tried before the global ones
    std::optional<DeliveryTls> tls;              // none = delivery.tls
    HeaderPolicy headers;                        // applied after the pool's
};

// Rules for every domain no ISP matches (the "default" ISP) and the fallbacks of every ISP.
struct DefaultRules {
    std::string pool;      // empty = the implicit pool "default" (delivery.source_address)
    std::string strategy;  // empty = the implicit strategy "default" (from delivery limits)
    std::string retry;     // empty = the implicit rule "default" (delivery.retry_intervals)
    std::vector<std::string> locks;
};

// One row of a warm-up schedule: from `day` (1 = the source's start date) until the next row
// of the same ISP scope, the source may send `daily` recipients a day and `message_rate` to the
// ISP; both grow by the factor `growth` for every day past `day`.
struct WarmupStep {
    std::uint32_t day = 1;
    std::string isp;  // empty: each ISP without rows of its own (the long tail is "default")
    std::optional<std::uint64_t> daily;
    std::optional<Rate> message_rate;
    double growth = 1.0;
    friend bool operator==(const WarmupStep&, const WarmupStep&) = default;
};

// What happens to mail over a warming source's cap for the day.
enum class OverCap {
    wait,          // it waits for the next day in the source's queue
    warm_sources,  // it goes through the pool's warm sources, if it has any
};

// A declarative IP warm-up plan, named by sources (Source::warmup). Days turn at midnight in
// `time_zone`; from `warm_from_day` on the source is warm and has no warm-up limits.
struct WarmupSchedule {
    std::string name;
    std::string time_zone = "UTC";  // an IANA zone name
    std::uint32_t warm_from_day = 0;
    OverCap over_cap = OverCap::wait;
    std::vector<WarmupStep> days;
    friend bool operator==(const WarmupSchedule&, const WarmupSchedule&) = default;
};

struct PolicySettings {
    std::vector<Pool> pools;
    std::vector<Strategy> strategies;
    std::vector<WarmupSchedule> warmups;
    std::vector<RetryRule> retry_rules;
    std::vector<LockRule> lock_rules;
    std::vector<BouncePattern> bounce_patterns;  // global, after the ISP's own
    std::vector<Isp> isps;
    DefaultRules defaults;
    std::string pool_header = "X-Sluice-Pool";  // control header naming the pool; removed
};

}  // namespace sluice::policy::config
