// validate_policy (see validate_policy.hpp). Elements the reader already reported (a missing
// name) are skipped here rather than reported twice.
#include "policy/config/validate_policy.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "policy/config/strategy_shaping.hpp"
#include "policy/warmup/day_clock.hpp"

namespace sluice::policy::config {
namespace {

constexpr std::string_view kDefault = "default";

std::string path_of(std::string_view section, std::size_t index) {
    return element_path(section, static_cast<int>(index));
}

double per_second(const Rate& rate) {
    return rate.per.count() > 0
               ? static_cast<double>(rate.count) * 1000.0 / static_cast<double>(rate.per.count())
               : 0.0;
}

// Adaptive speed's floor above its ceiling (the strategy's message_rate); false without
// adaptive speed or without a ceiling (reported on its own).
bool floor_above_ceiling(const Strategy& strategy) {
    return strategy.adaptive && strategy.message_rate &&
           per_second(strategy.adaptive->min_rate) > per_second(*strategy.message_rate);
}

// Reports names used twice in `items` (under `section`); returns the set of names.
template <class T>
std::set<std::string, std::less<>> unique_names(const std::vector<T>& items,
                                                std::string_view section,
                                                const SettingLocations& where,
                                                std::vector<ConfigError>& errors) {
    std::map<std::string, std::string, std::less<>> owners;  // name -> path of its first use
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].name.empty()) {
            continue;
        }
        const std::string path = path_of(section, i);
        auto [owner, inserted] = owners.emplace(items[i].name, path);
        if (!inserted) {
            errors.push_back(where.error(
                join_path(path, "name"),
                "duplicate name \"" + items[i].name + "\" (also " + owner->second + ")"));
        }
    }
    std::set<std::string, std::less<>> names;
    for (const auto& [name, path] : owners) {
        names.insert(name);
    }
    return names;
}

struct Names {
    std::set<std::string, std::less<>> pools, strategies, retry_rules, lock_rules, isps, warmups;
};

void check_reference(const std::set<std::string, std::less<>>& known, const std::string& name,
                     bool implicit_default, const char* what, const std::string& path,
                     const SettingLocations& where, std::vector<ConfigError>& errors) {
    if (name.empty() || known.contains(name) || (implicit_default && name == kDefault)) {
        return;
    }
    errors.push_back(where.error(path, std::string("unknown ") + what + " \"" + name + "\""));
}

void check_locks(const Names& names, const std::vector<std::string>& locks, const std::string& path,
                 const SettingLocations& where, std::vector<ConfigError>& errors) {
    for (std::size_t i = 0; i < locks.size(); ++i) {
        check_reference(names.lock_rules, locks[i], false, "lock rule", path_of(path, i), where,
                        errors);
    }
}

const Strategy* strategy_named(const Config& config, std::string_view name) {
    for (const Strategy& strategy : config.policy.strategies) {
        if (strategy.name == name) return &strategy;
    }
    return nullptr;
}

// One pool's or source's shaping list: known names, something set, one entry per ISP.
void check_shaping_list(const std::vector<Shaping>& list, const std::string& path,
                        const Names& names, const SettingLocations& where,
                        std::vector<ConfigError>& errors) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Shaping& entry = list[i];
        const std::string entry_path = path_of(path, i);
        if (!entry.isp.empty() && !names.isps.contains(entry.isp) && entry.isp != kDefault) {
            errors.push_back(
                where.error(join_path(entry_path, "isp"),
                            "unknown ISP \"" + entry.isp + "\" (an isps entry, or \"default\")"));
        }
        check_reference(names.strategies, entry.strategy, true, "strategy",
                        join_path(entry_path, "strategy"), where, errors);
        if (entry.strategy.empty() && !entry.max_connections && !entry.messages_per_connection &&
            !entry.message_rate && !entry.connect_rate) {
            errors.push_back(where.error(entry_path,
                                         "sets nothing: name a strategy or give max_connections, "
                                         "messages_per_connection, message_rate or connect_rate"));
        }
        if (!seen.insert(entry.isp).second) {
            errors.push_back(where.error(
                entry_path, entry.isp.empty() ? "a second entry for every ISP (merge them)"
                                              : "a second entry for ISP \"" + entry.isp + "\""));
        }
    }
}

// Adaptive speed keeps needing a ceiling at or above its floor once shaping has changed rates.
void check_shaped_adaptive(const Config& config, const Pool& pool, const Source& source,
                           const std::string& path, const SettingLocations& where,
                           std::vector<ConfigError>& errors) {
    const auto& policy = config.policy;
    auto named = [&](std::string_view name) { return strategy_named(config, name); };
    auto check = [&](const std::string& isp, const std::string& strategy_name) {
        // As CompiledPolicy resolves it: the ISP's, else defaults.strategy, else "default".
        std::string base_name = !strategy_name.empty() ? strategy_name : policy.defaults.strategy;
        if (base_name.empty()) base_name = kDefault;
        if (!shapes(pool, source, isp)) return;
        const Strategy* base = named(base_name);
        const Strategy fallback;
        // Shaping never removes message_rate, so a shaped adaptive strategy keeps its ceiling.
        if (floor_above_ceiling(
                shape_strategy(base ? *base : fallback, isp, pool, source, named).strategy)) {
            errors.push_back(where.error(
                path, "for ISP \"" + isp + "\" the shaped strategy's message_rate is below its " +
                          "adaptive.min_rate"));
        }
    };
    for (const Isp& isp : policy.isps) check(isp.name, isp.strategy);
    check(std::string(kDefault), "");
}

void check_pools(const Config& config, const Names& names, const SettingLocations& where,
                 std::vector<ConfigError>& errors) {
    std::set<std::string, std::less<>> listeners;
    for (const Listener& listener : config.smtp.listen) {
        listeners.insert(listener.name);
    }
    // A destination queue is named "ISP/source", so a source name means one source everywhere.
    std::map<std::string, std::string> source_owner;  // name -> "pools.[p].sources.[s]"
    for (std::size_t p = 0; p < config.policy.pools.size(); ++p) {
        const Pool& pool = config.policy.pools[p];
        const std::string path = path_of("pools", p);
        (void)unique_names(pool.sources, join_path(path, "sources"), where, errors);
        for (std::size_t s = 0; s < pool.sources.size(); ++s) {
            const Source& source = pool.sources[s];
            const std::string source_path = path_of(join_path(path, "sources"), s);
            auto [owner, inserted] = source_owner.emplace(source.name, source_path);
            const bool same_pool = owner->second.starts_with(path + ".");  // unique_names' job
            if (!inserted && !same_pool) {
                errors.push_back(where.error(
                    join_path(source_path, "name"),
                    "source \"" + source.name + "\" is in another pool already (" + owner->second +
                        "); queues are named ISP/source, so source names are "
                        "unique across pools"));
            }
            check_shaping_list(source.shaping, join_path(source_path, "shaping"), names, where,
                               errors);
            check_shaped_adaptive(config, pool, source, source_path, where, errors);
            check_reference(names.warmups, source.warmup, false, "warm-up schedule",
                            join_path(source_path, "warmup"), where, errors);
        }
        check_shaping_list(pool.shaping, join_path(path, "shaping"), names, where, errors);
        for (std::size_t l = 0; l < pool.listeners.size(); ++l) {
            if (!listeners.contains(pool.listeners[l])) {
                errors.push_back(
                    where.error(path_of(join_path(path, "listeners"), l),
                                "no smtp.listen entry is named \"" + pool.listeners[l] + "\""));
            }
        }
    }
}

// A schedule's zone is known, and each row names a known ISP, falls inside the warm-up and is
// the only one for its day and ISP.
void check_warmups(const Config& config, const Names& names, const SettingLocations& where,
                   std::vector<ConfigError>& errors) {
    for (std::size_t w = 0; w < config.policy.warmups.size(); ++w) {
        const WarmupSchedule& schedule = config.policy.warmups[w];
        const std::string path = path_of("warmups", w);
        if (!warmup::DayClock::for_zone(schedule.time_zone)) {
            errors.push_back(where.error(join_path(path, "time_zone"),
                                         "unknown time zone \"" + schedule.time_zone +
                                             "\" (an IANA name like \"Europe/Berlin\", from the "
                                             "tzdata package, or \"UTC\")"));
        }
        std::set<std::pair<std::uint32_t, std::string>> seen;
        for (std::size_t d = 0; d < schedule.days.size(); ++d) {
            const WarmupStep& row = schedule.days[d];
            const std::string row_path = path_of(join_path(path, "days"), d);
            if (!row.isp.empty() && !names.isps.contains(row.isp) && row.isp != kDefault) {
                errors.push_back(
                    where.error(join_path(row_path, "isp"),
                                "unknown ISP \"" + row.isp + "\" (an isps entry, or \"default\")"));
            }
            if (schedule.warm_from_day != 0 && row.day >= schedule.warm_from_day) {
                errors.push_back(where.error(
                    join_path(row_path, "day"),
                    "day " + std::to_string(row.day) + " is not before warm_from_day (" +
                        std::to_string(schedule.warm_from_day) + "): the source is warm by then"));
            }
            if (!seen.emplace(row.day, row.isp).second) {
                errors.push_back(where.error(
                    row_path, "a second row for day " + std::to_string(row.day) +
                                  (row.isp.empty() ? " and every ISP" : " and ISP " + row.isp)));
            }
        }
    }
}

void check_strategies(const Config& config, const SettingLocations& where,
                      std::vector<ConfigError>& errors) {
    for (std::size_t s = 0; s < config.policy.strategies.size(); ++s) {
        const Strategy& strategy = config.policy.strategies[s];
        if (!strategy.adaptive) {
            continue;
        }
        const std::string path = join_path(path_of("strategies", s), "adaptive");
        if (!strategy.message_rate) {
            errors.push_back(where.error(path, "adaptive speed needs message_rate (its ceiling)"));
        } else if (floor_above_ceiling(strategy)) {
            errors.push_back(where.error(join_path(path, "min_rate"),
                                         "must not exceed the strategy's message_rate"));
        }
    }
}

void check_retry_rules(const Config& config, const SettingLocations& where,
                       std::vector<ConfigError>& errors) {
    for (std::size_t r = 0; r < config.policy.retry_rules.size(); ++r) {
        const RetryRule& rule = config.policy.retry_rules[r];
        if (rule.kind == RetryIntervalKind::random && rule.min_interval > rule.max_interval) {
            errors.push_back(where.error(join_path(path_of("retry_rules", r), "min_interval"),
                                         "must not exceed max_interval"));
        }
    }
}

void check_isps(const Config& config, const Names& names, const SettingLocations& where,
                std::vector<ConfigError>& errors) {
    std::map<std::string, std::string> domain_owners;  // domain -> path of its ISP
    for (std::size_t i = 0; i < config.policy.isps.size(); ++i) {
        const Isp& isp = config.policy.isps[i];
        const std::string path = path_of("isps", i);
        if (isp.name == kDefault) {
            errors.push_back(where.error(join_path(path, "name"),
                                         "\"default\" is reserved for the rules of unmatched "
                                         "domains (set them in defaults)"));
        }
        check_reference(names.strategies, isp.strategy, true, "strategy",
                        join_path(path, "strategy"), where, errors);
        check_reference(names.retry_rules, isp.retry, true, "retry rule", join_path(path, "retry"),
                        where, errors);
        check_reference(names.pools, isp.pool, true, "pool", join_path(path, "pool"), where,
                        errors);
        check_locks(names, isp.locks, join_path(path, "locks"), where, errors);
        for (std::size_t d = 0; d < isp.domains.size(); ++d) {
            auto [owner, inserted] = domain_owners.emplace(isp.domains[d], path);
            if (!inserted) {
                errors.push_back(where.error(
                    path_of(join_path(path, "domains"), d),
                    "\"" + isp.domains[d] + "\" is listed already by " + owner->second));
            }
        }
    }
}

void check_defaults(const Config& config, const Names& names, const SettingLocations& where,
                    std::vector<ConfigError>& errors) {
    const DefaultRules& defaults = config.policy.defaults;
    check_reference(names.pools, defaults.pool, true, "pool", "defaults.pool", where, errors);
    check_reference(names.strategies, defaults.strategy, true, "strategy", "defaults.strategy",
                    where, errors);
    check_reference(names.retry_rules, defaults.retry, true, "retry rule", "defaults.retry", where,
                    errors);
    check_locks(names, defaults.locks, "defaults.locks", where, errors);
}

}  // namespace

void validate_policy(const Config& config, const SettingLocations& where,
                     std::vector<ConfigError>& errors) {
    const PolicySettings& policy = config.policy;
    Names names;
    names.pools = unique_names(policy.pools, "pools", where, errors);
    names.strategies = unique_names(policy.strategies, "strategies", where, errors);
    names.retry_rules = unique_names(policy.retry_rules, "retry_rules", where, errors);
    names.lock_rules = unique_names(policy.lock_rules, "lock_rules", where, errors);
    names.isps = unique_names(policy.isps, "isps", where, errors);
    names.warmups = unique_names(policy.warmups, "warmups", where, errors);
    check_pools(config, names, where, errors);
    check_warmups(config, names, where, errors);
    check_strategies(config, where, errors);
    check_retry_rules(config, where, errors);
    check_isps(config, names, where, errors);
    check_defaults(config, names, where, errors);
}

}  // namespace sluice::policy::config
