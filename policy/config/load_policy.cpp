// read_policy (see load_policy.hpp). Elements with errors are still kept, so that indexes match
// the file for validate_policy's messages; any error discards the whole Config anyway.
#include "policy/config/load_policy.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "policy/config/host_name.hpp"
#include "policy/net/domain_pattern.hpp"
#include "policy/reply/reply_matcher.hpp"
#include "policy/text/ascii.hpp"
#include "policy/warmup/calendar_date.hpp"

namespace sluice::policy::config {
namespace {

constexpr Presence kOptional = Presence::optional;
constexpr Presence kRequired = Presence::required;

template <class Enum>
using Choices = std::initializer_list<std::pair<std::string_view, Enum>>;

// "example.com" or "*.example.com" (net/domain_pattern.hpp; "*" is for routes only); a
// trailing dot is allowed.
bool is_domain_or_wildcard(std::string_view text) {
    const net::DomainPattern pattern = net::parse_domain_pattern(text);
    std::string_view base = pattern.base;
    if (base.ends_with('.')) {
        base.remove_suffix(1);
    }
    return pattern.kind != net::PatternKind::any && is_host_name(base);
}

// "2", "45", "421": a prefix of a reply code.
bool is_code_prefix(std::string_view code) {
    return !code.empty() && code.size() <= 3 && code[0] >= '2' && code[0] <= '5' &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "5", "5.1", "5.1.1": whole components of an enhanced status code (RFC 3463).
bool is_enhanced_prefix(std::string_view code) {
    if (code.empty() || code.front() == '.' || code.back() == '.') {
        return false;
    }
    if (code[0] != '2' && code[0] != '4' && code[0] != '5') {
        return false;
    }
    int dots = 0;
    std::size_t digits = 0;
    for (char c : code) {
        if (c == '.') {
            if (digits == 0) {
                return false;
            }
            ++dots;
            digits = 0;
        } else if (c >= '0' && c <= '9' && ++digits <= 3) {
        } else {
            return false;
        }
    }
    return dots <= 2;
}

template <class Enum>
void read_choice(SettingsReader& reader, const Group& group, const char* key, Enum& out,
                 Choices<Enum> choices) {
    std::string value;
    if (!reader.read_string(group, key, value, kOptional)) {
        return;
    }
    std::string names;
    for (const auto& [name, choice] : choices) {
        if (name == value) {
            out = choice;
            return;
        }
        names += (names.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    }
    reader.report(join_path(group.path, key), "must be one of " + names);
}

void read_rate(SettingsReader& reader, const Group& group, const char* key,
               std::optional<Rate>& out) {
    std::string text;
    if (!reader.read_string(group, key, text, kOptional)) {
        return;
    }
    auto rate = parse_rate(text);
    if (!rate || rate->count == 0 || rate->per.count() <= 0) {
        reader.report(join_path(group.path, key),
                      "not a valid rate (a positive count per period, like \"1000/h\", \"30/m\" "
                      "or \"5/10s\")");
        return;
    }
    out = *rate;
}

// A percentage in (0, limit): "10%".
void read_percent(SettingsReader& reader, const Group& group, const char* key, double& out,
                  double limit) {
    std::string text;
    if (!reader.read_string(group, key, text, kOptional)) {
        return;
    }
    auto percent = parse_percent(text);
    if (!percent || *percent <= 0.0 || *percent >= limit) {
        reader.report(join_path(group.path, key),
                      "must be a percentage above 0% and below " +
                          std::to_string(static_cast<int>(limit * 100)) + "% (like \"10%\")");
        return;
    }
    out = *percent;
}

std::vector<std::string> read_names(SettingsReader& reader, const Group& group, const char* key) {
    std::vector<std::string> names;
    for (ListItem& item : reader.string_list(group, key)) {
        names.push_back(std::move(item.value));
    }
    return names;
}

// Domain or MX host patterns, stored in lower case.
std::vector<std::string> read_domains(SettingsReader& reader, const Group& group, const char* key) {
    std::vector<std::string> domains;
    for (const ListItem& item : reader.string_list(group, key)) {
        if (!is_domain_or_wildcard(item.value)) {
            reader.report(item.path, "must be a domain or \"*.domain\" (its subdomains)");
        }
        // Stored as names are compared (lower case, no trailing dot): "Example.COM." matches.
        domains.push_back(net::canonical_domain(item.value));
    }
    return domains;
}

void read_match(SettingsReader& reader, const Group& group, ReplyMatch& out) {
    if (reader.read_string(group, "code", out.code, kOptional, Emptiness::allowed) &&
        !out.code.empty() && !is_code_prefix(out.code)) {
        reader.report(join_path(group.path, "code"),
                      "must be a reply code or its first digits (\"421\", \"45\", \"5\")");
    }
    if (reader.read_string(group, "enhanced", out.enhanced, kOptional, Emptiness::allowed) &&
        !out.enhanced.empty() && !is_enhanced_prefix(out.enhanced)) {
        reader.report(join_path(group.path, "enhanced"),
                      "must be an enhanced status code or its first components (\"5.1.1\", "
                      "\"4.7\", \"5\")");
    }
    if (reader.read_string(group, "text", out.text, kOptional, Emptiness::allowed)) {
        std::string error;
        if (!reply::ReplyMatcher::compile(out, error)) {
            reader.report(join_path(group.path, "text"),
                          "not a valid regular expression: " + error);
        }
    }
}

template <class T, class ReadOne>
void read_each(SettingsReader& reader, const Group& parent, const char* key, KnownKeys known,
               std::vector<T>& out, ReadOne read_one) {
    auto groups = reader.group_list(parent, key, known, kOptional);
    if (!groups) {
        return;
    }
    for (std::size_t i = 0; i < groups->size(); ++i) {
        T& item = out.emplace_back();
        if ((*groups)[i]) {
            read_one(*(*groups)[i], item, i);
        }
    }
}

// "shaping = ( { isp = "Gmail"; strategy = "gentle"; message_rate = "500/h"; }, ... );"
void read_shaping(SettingsReader& reader, const Group& group, std::vector<Shaping>& out) {
    read_each(reader, group, "shaping",
              {"isp", "strategy", "max_connections", "messages_per_connection", "message_rate",
               "connect_rate"},
              out, [&](const Group& g, Shaping& shaping, std::size_t) {
                  reader.read_string(g, "isp", shaping.isp, kOptional);
                  reader.read_string(g, "strategy", shaping.strategy, kOptional);
                  std::uint32_t count = 0;
                  if (reader.read_integer(g, "max_connections", count, kOptional, 1)) {
                      shaping.max_connections = count;
                  }
                  if (reader.read_integer(g, "messages_per_connection", count, kOptional, 1)) {
                      shaping.messages_per_connection = count;
                  }
                  read_rate(reader, g, "message_rate", shaping.message_rate);
                  read_rate(reader, g, "connect_rate", shaping.connect_rate);
              });
}

void read_source(SettingsReader& reader, const Group& group, Source& source) {
    if (reader.read_string(group, "address", source.address, kOptional) &&
        !net::IpAddress::parse(source.address)) {
        reader.report(join_path(group.path, "address"), "not a numeric IPv4 or IPv6 address");
    }
    if (!reader.read_string(group, "name", source.name, kOptional)) {
        source.name = source.address.empty() ? "default" : source.address;
    }
    if (reader.read_string(group, "helo", source.helo, kOptional) && !is_helo_name(source.helo)) {
        reader.report(join_path(group.path, "helo"),
                      "must be a host name or an address literal (\"[192.0.2.1]\")");
    }
    reader.read_integer(group, "weight", source.weight, kOptional, 1, 1000000);
    read_shaping(reader, group, source.shaping);
    reader.read_string(group, "warmup", source.warmup, kOptional);
    if (std::string start; reader.read_string(group, "warmup_start", start, kOptional)) {
        if (auto date = warmup::parse_date(start)) {
            source.warmup_start = *date;
        } else {
            reader.report(join_path(group.path, "warmup_start"),
                          "not a calendar date \"YYYY-MM-DD\"");
        }
        if (source.warmup.empty()) {
            reader.report(join_path(group.path, "warmup_start"),
                          "a start date without a warmup schedule to start");
        }
    } else if (!source.warmup.empty()) {
        reader.report(join_path(group.path, "warmup"),
                      "a warm-up needs warmup_start, the date of its day 1 (\"YYYY-MM-DD\")");
    }
}

// "warmups = ( { name = "new-ip"; warm_from_day = 30; days = ( { day = 1; daily = 1000; } ); } );"
void read_warmup(SettingsReader& reader, const Group& group, WarmupSchedule& schedule) {
    reader.read_string(group, "name", schedule.name, kRequired);
    reader.read_string(group, "time_zone", schedule.time_zone, kOptional);
    reader.read_integer(group, "warm_from_day", schedule.warm_from_day, kRequired, 2, 3650);
    read_choice(reader, group, "over_cap", schedule.over_cap,
                {{"wait", OverCap::wait}, {"warm_sources", OverCap::warm_sources}});
    read_each(reader, group, "days", {"day", "isp", "daily", "message_rate", "growth"},
              schedule.days, [&](const Group& g, WarmupStep& step, std::size_t) {
                  reader.read_integer(g, "day", step.day, kRequired, 1, 3650);
                  reader.read_string(g, "isp", step.isp, kOptional);
                  std::uint64_t daily = 0;
                  if (reader.read_integer(g, "daily", daily, kOptional, 1)) step.daily = daily;
                  read_rate(reader, g, "message_rate", step.message_rate);
                  if (g.setting->exists("growth")) {
                      reader.read_number(g, "growth", step.growth, 1.0, 100.0);
                  }
                  if (!step.daily && !step.message_rate) {
                      reader.report(g.path, "a row needs daily or message_rate (or both)");
                  }
              });
    if (schedule.days.empty()) {
        reader.report(join_path(group.path, "days"), "a warm-up schedule needs at least one row");
    }
}

// RFC 5322 §3.6.8: printable US-ASCII except ':'.
bool is_header_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return c >= 33 && c <= 126 && c != ':'; });
}

// "headers = { add = [ "Name: value", ... ]; remove = [ "Name", ... ]; };" (both optional).
void read_header_policy(SettingsReader& reader, const Group& group, HeaderPolicy& out) {
    if (!group.setting->exists("headers")) return;
    auto headers = reader.section(group, "headers", {"add", "remove"});
    if (!headers) return;
    for (const ListItem& item : reader.string_list(*headers, "add")) {
        const auto colon = item.value.find(':');
        const bool one_line = item.value.find_first_of("\r\n") == std::string::npos;
        if (colon == std::string::npos || !is_header_name(item.value.substr(0, colon)) ||
            !one_line) {
            reader.report(item.path, "must be one line \"Name: value\" with a valid field name");
            continue;
        }
        out.add.push_back(item.value);
    }
    for (const ListItem& item : reader.string_list(*headers, "remove")) {
        if (!is_header_name(item.value)) {
            reader.report(item.path, "must be a header field name");
            continue;
        }
        out.remove.push_back(item.value);
    }
}

void read_pool(SettingsReader& reader, const Group& group, Pool& pool) {
    reader.read_string(group, "name", pool.name, kRequired);
    read_choice(
        reader, group, "selection", pool.selection,
        {{"round-robin", SourceSelection::round_robin}, {"weighted", SourceSelection::weighted}});
    pool.sender_domains = read_domains(reader, group, "sender_domains");
    pool.listeners = read_names(reader, group, "listeners");
    read_each(reader, group, "sources",
              {"name", "address", "helo", "weight", "shaping", "warmup", "warmup_start"},
              pool.sources,
              [&](const Group& g, Source& source, std::size_t) { read_source(reader, g, source); });
    if (pool.sources.empty()) {
        reader.report(join_path(group.path, "sources"), "a pool needs at least one source");
    }
    read_header_policy(reader, group, pool.headers);
    read_shaping(reader, group, pool.shaping);
}

void read_adaptive(SettingsReader& reader, const Group& group, Strategy& strategy) {
    if (!group.setting->exists("adaptive")) {
        return;
    }
    auto adaptive =
        reader.section(group, "adaptive", {"min_rate", "step_up", "step_down", "success_streak"});
    if (!adaptive) {
        return;
    }
    AdaptiveSpeed& speed = strategy.adaptive.emplace();
    std::optional<Rate> min_rate;
    if (!adaptive->setting->exists("min_rate")) {
        reader.report(join_path(adaptive->path, "min_rate"), "required setting is missing");
    }
    read_rate(reader, *adaptive, "min_rate", min_rate);
    speed.min_rate = min_rate.value_or(Rate{});
    read_percent(reader, *adaptive, "step_up", speed.step_up, 100.0);  // up to 10000%
    read_percent(reader, *adaptive, "step_down", speed.step_down, 1.0);
    reader.read_integer(*adaptive, "success_streak", speed.success_streak, kOptional, 1);
}

void read_strategy(SettingsReader& reader, const Group& group, Strategy& strategy) {
    reader.read_string(group, "name", strategy.name, kRequired);
    reader.read_integer(group, "max_connections", strategy.max_connections, kOptional, 1);
    reader.read_integer(group, "messages_per_connection", strategy.messages_per_connection,
                        kOptional, 1);
    read_rate(reader, group, "message_rate", strategy.message_rate);
    read_rate(reader, group, "isp_message_rate", strategy.isp_message_rate);
    read_rate(reader, group, "connect_rate", strategy.connect_rate);
    read_adaptive(reader, group, strategy);
}

void read_retry_rule(SettingsReader& reader, const Group& group, RetryRule& rule) {
    reader.read_string(group, "name", rule.name, kRequired);
    read_choice(reader, group, "kind", rule.kind,
                {{"fixed", RetryIntervalKind::fixed},
                 {"growing", RetryIntervalKind::growing},
                 {"random", RetryIntervalKind::random},
                 {"list", RetryIntervalKind::list}});
    reader.read_duration(group, "interval", rule.interval);
    reader.read_number(group, "factor", rule.factor, 1.0, 100.0);
    reader.read_duration(group, "min_interval", rule.min_interval);
    reader.read_duration(group, "max_interval", rule.max_interval);
    reader.read_integer(group, "max_attempts", rule.max_attempts, kOptional, 0);
    reader.read_duration(group, "expire_after", rule.expire_after);
    if (auto intervals = reader.duration_list(group, "intervals")) {
        rule.intervals = std::move(*intervals);
    }
    if (rule.kind != RetryIntervalKind::list && group.setting->exists("intervals")) {
        reader.report(join_path(group.path, "intervals"),
                      "is used only by kind \"list\" (write kind = \"list\";)");
    } else if (rule.kind == RetryIntervalKind::list && rule.intervals.empty()) {
        reader.report(join_path(group.path, "intervals"),
                      "kind \"list\" needs at least one interval");
    }
}

void read_lock_rule(SettingsReader& reader, const Group& group, LockRule& rule) {
    reader.read_string(group, "name", rule.name, kRequired);
    read_match(reader, group, rule.match);
    reader.read_duration(group, "lock_for", rule.lock_for);
    read_choice(reader, group, "scope", rule.scope,
                {{"source", LockScope::source}, {"isp", LockScope::isp}});
}

void read_bounce_pattern(SettingsReader& reader, const Group& group, BouncePattern& pattern,
                         std::size_t index) {
    if (!reader.read_string(group, "name", pattern.name, kOptional)) {
        pattern.name = "#" + std::to_string(index + 1);
    }
    read_match(reader, group, pattern.match);
    read_choice(reader, group, "class", pattern.bounce_class,
                {{"hard", BounceClass::hard},
                 {"soft", BounceClass::soft},
                 {"ignore", BounceClass::ignore}});
    reader.read_string(group, "category", pattern.category, kOptional);
}

void read_bounce_patterns(SettingsReader& reader, const Group& parent,
                          std::vector<BouncePattern>& out) {
    read_each(reader, parent, "bounce_patterns",
              {"name", "code", "enhanced", "text", "class", "category"}, out,
              [&](const Group& g, BouncePattern& pattern, std::size_t i) {
                  read_bounce_pattern(reader, g, pattern, i);
              });
}

void read_isp(SettingsReader& reader, const Group& group, Isp& isp) {
    reader.read_string(group, "name", isp.name, kRequired);
    isp.domains = read_domains(reader, group, "domains");
    isp.mx_patterns = read_domains(reader, group, "mx");
    reader.read_string(group, "strategy", isp.strategy, kOptional);
    reader.read_string(group, "retry", isp.retry, kOptional);
    reader.read_string(group, "pool", isp.pool, kOptional);
    isp.locks = read_names(reader, group, "locks");
    read_bounce_patterns(reader, group, isp.bounce_patterns);
    read_header_policy(reader, group, isp.headers);
    if (std::string tls; reader.read_string(group, "tls", tls, kOptional)) {
        isp.tls = parse_delivery_tls(tls);
        if (!isp.tls) {
            reader.report(join_path(group.path, "tls"),
                          "must be \"none\", \"opportunistic\", \"required\" or \"verified\"");
        }
    }
    if (isp.domains.empty() && isp.mx_patterns.empty()) {
        reader.report(group.path, "an ISP needs domains or mx patterns to match any mail");
    }
}

}  // namespace

void read_policy(SettingsReader& reader, const Group& root, PolicySettings& out) {
    read_each(reader, root, "pools",
              {"name", "selection", "sender_domains", "listeners", "sources", "headers", "shaping"},
              out.pools,
              [&](const Group& g, Pool& pool, std::size_t) { read_pool(reader, g, pool); });
    read_each(reader, root, "strategies",
              {"name", "max_connections", "messages_per_connection", "message_rate",
               "isp_message_rate", "connect_rate", "adaptive"},
              out.strategies,
              [&](const Group& g, Strategy& s, std::size_t) { read_strategy(reader, g, s); });
    read_each(reader, root, "warmups", {"name", "time_zone", "warm_from_day", "over_cap", "days"},
              out.warmups,
              [&](const Group& g, WarmupSchedule& w, std::size_t) { read_warmup(reader, g, w); });
    read_each(reader, root, "retry_rules",
              {"name", "kind", "interval", "factor", "min_interval", "max_interval", "max_attempts",
               "expire_after", "intervals"},
              out.retry_rules,
              [&](const Group& g, RetryRule& r, std::size_t) { read_retry_rule(reader, g, r); });
    read_each(reader, root, "lock_rules", {"name", "code", "enhanced", "text", "lock_for", "scope"},
              out.lock_rules,
              [&](const Group& g, LockRule& r, std::size_t) { read_lock_rule(reader, g, r); });
    read_bounce_patterns(reader, root, out.bounce_patterns);
    read_each(reader, root, "isps",
              {"name", "domains", "mx", "strategy", "retry", "pool", "locks", "bounce_patterns",
               "tls", "headers"},
              out.isps, [&](const Group& g, Isp& isp, std::size_t) { read_isp(reader, g, isp); });
    if (auto defaults = reader.section(root, "defaults", {"pool", "strategy", "retry", "locks"})) {
        reader.read_string(*defaults, "pool", out.defaults.pool, kOptional);
        reader.read_string(*defaults, "strategy", out.defaults.strategy, kOptional);
        reader.read_string(*defaults, "retry", out.defaults.retry, kOptional);
        out.defaults.locks = read_names(reader, *defaults, "locks");
    }
    if (reader.read_string(root, "pool_header", out.pool_header, kOptional) &&
        !is_header_name(out.pool_header)) {
        reader.report("pool_header", "not a header field name (printable ASCII without ':')");
    }
}

}  // namespace sluice::policy::config
