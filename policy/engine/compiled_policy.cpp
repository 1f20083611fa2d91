// CompiledPolicy (see compiled_policy.hpp). build() first completes its own copy of the policy
// settings (implicit "default" pool, strategy and retry rule unless the file defines them), then
// takes pointers into that copy, which is never modified again.
#include "policy/engine/compiled_policy.hpp"

#include <algorithm>
#include <stdexcept>

#include "policy/net/domain_pattern.hpp"

namespace sluice::policy::engine {
namespace {

constexpr std::string_view kDefault = "default";

template <class T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
    auto it =
        std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
    return it == items.end() ? nullptr : &*it;
}

template <class T>
const T& require_named(const std::vector<T>& items, std::string_view name, const char* what) {
    const T* item = find_named(items, name.empty() ? kDefault : name);
    if (item == nullptr) {
        throw std::invalid_argument(std::string("unknown ") + what + " \"" + std::string(name) +
                                    "\"");
    }
    return *item;
}

// The implicit rules: exactly what Sluice did before per-ISP policy existed.
void add_implicit_defaults(const config::Config& config, config::PolicySettings& settings) {
    if (find_named(settings.pools, kDefault) == nullptr) {
        config::Source source;
        source.address = config.delivery.source_address;
        source.name = source.address.empty() ? std::string(kDefault) : source.address;
        source.helo = config.delivery_helo();
        config::Pool pool;
        pool.name = kDefault;
        pool.sources.push_back(std::move(source));
        settings.pools.push_back(std::move(pool));
    }
    if (find_named(settings.strategies, kDefault) == nullptr) {
        config::Strategy strategy;
        strategy.name = kDefault;
        strategy.max_connections = config.delivery.max_connections_per_destination;
        strategy.messages_per_connection = config.delivery.max_messages_per_connection;
        settings.strategies.push_back(std::move(strategy));
    }
    if (find_named(settings.retry_rules, kDefault) == nullptr) {
        config::RetryRule rule;
        rule.name = kDefault;
        rule.kind = config::RetryIntervalKind::list;
        rule.intervals = config.delivery.retry_intervals;
        rule.expire_after = config.delivery.queue_lifetime;
        settings.retry_rules.push_back(std::move(rule));
    }
    for (config::Pool& pool : settings.pools) {
        for (config::Source& source : pool.sources) {
            if (source.helo.empty()) {
                source.helo = config.delivery_helo();
            }
        }
    }
}

reply::ReplyMatcher compile_match(const config::ReplyMatch& match, const std::string& owner) {
    std::string error;
    auto matcher = reply::ReplyMatcher::compile(match, error);
    if (!matcher) {
        throw std::invalid_argument(owner + ": bad text regex: " + error);
    }
    return std::move(*matcher);
}

}  // namespace

std::shared_ptr<const CompiledPolicy> CompiledPolicy::build(const config::Config& config) {
    std::shared_ptr<CompiledPolicy> policy(new CompiledPolicy());
    policy->settings_ = config.policy;
    config::PolicySettings& settings = policy->settings_;
    add_implicit_defaults(config, settings);
    policy->directory_ = isp::IspDirectory(settings.isps);

    const config::DefaultRules& defaults = settings.defaults;
    std::vector<CompiledLockRule> lock_rules;  // by position in settings.lock_rules
    for (const config::LockRule& rule : settings.lock_rules) {
        lock_rules.push_back({&rule, compile_match(rule.match, "lock rule " + rule.name)});
    }
    std::vector<CompiledBouncePattern> global_patterns;
    for (const config::BouncePattern& pattern : settings.bounce_patterns) {
        global_patterns.push_back(
            {&pattern, compile_match(pattern.match, "bounce pattern " + pattern.name)});
    }
    auto resolve = [&](std::string name, const std::string& strategy, const std::string& retry,
                       const std::string& pool, const std::vector<std::string>& locks,
                       const std::vector<config::BouncePattern>* own_patterns) {
        auto isp = std::make_unique<ResolvedIsp>();
        isp->name = std::move(name);
        isp->strategy = &require_named(settings.strategies,
                                       strategy.empty() ? defaults.strategy : strategy, "strategy");
        isp->retry =
            &require_named(settings.retry_rules, retry.empty() ? defaults.retry : retry, "retry");
        isp->pool = pool.empty() ? nullptr : &require_named(settings.pools, pool, "pool");
        for (const std::string& lock : locks.empty() ? defaults.locks : locks) {
            const config::LockRule& rule = require_named(settings.lock_rules, lock, "lock rule");
            isp->locks.push_back(
                lock_rules[static_cast<std::size_t>(&rule - settings.lock_rules.data())]);
        }
        if (own_patterns != nullptr) {
            for (const config::BouncePattern& pattern : *own_patterns) {
                isp->bounce_patterns.push_back(
                    {&pattern,
                     compile_match(pattern.match, isp->name + " bounce pattern " + pattern.name)});
            }
        }
        isp->bounce_patterns.insert(isp->bounce_patterns.end(), global_patterns.begin(),
                                    global_patterns.end());
        return isp;
    };
    for (const config::Isp& isp : settings.isps) {
        policy->isps_.push_back(
            resolve(isp.name, isp.strategy, isp.retry, isp.pool, isp.locks, &isp.bounce_patterns));
        policy->isps_.back()->tls = isp.tls;
        policy->isps_.back()->headers = isp.headers;
    }
    policy->isps_.push_back(resolve(std::string(kDefaultIsp), "", "", "", {}, nullptr));
    policy->default_isp_ = policy->isps_.back().get();
    policy->default_pool_ = &require_named(settings.pools, defaults.pool, "pool");
    policy->shape_strategies();
    policy->resolve_warmups();
    return policy;
}

void CompiledPolicy::resolve_warmups() {
    for (const config::Pool& pool : settings_.pools) {
        for (const config::Source& source : pool.sources) {
            if (source.warmup.empty()) continue;
            const auto& schedule = require_named(settings_.warmups, source.warmup, "warm-up");
            auto clock = warmup::DayClock::for_zone(schedule.time_zone);
            if (!clock) {
                throw std::invalid_argument("unknown time zone \"" + schedule.time_zone + "\"");
            }
            warmups_.emplace(source.name, SourceWarmup{&source, &pool, &schedule, *clock});
        }
    }
}

const SourceWarmup* CompiledPolicy::warmup_of(std::string_view source) const {
    auto it = warmups_.find(source);
    return it == warmups_.end() ? nullptr : &it->second;
}

bool CompiledPolicy::is_warm(std::string_view source, std::int64_t now_unix) const {
    const auto* warming = warmup_of(source);
    if (!warming) return true;
    const auto date =
        warming->clock.local_date(std::chrono::sys_seconds(std::chrono::seconds(now_unix)));
    return warmup::is_warm(*warming->schedule,
                           warmup::warmup_day(warming->source->warmup_start, date));
}

void CompiledPolicy::shape_strategies() {
    auto named = [this](std::string_view name) { return find_named(settings_.strategies, name); };
    for (const config::Pool& pool : settings_.pools) {
        for (const config::Source& source : pool.sources) {
            for (const auto& isp : isps_) {
                if (!config::shapes(pool, source, isp->name)) continue;
                shaped_.emplace(
                    std::pair(isp->name, source.name),
                    config::shape_strategy(*isp->strategy, isp->name, pool, source, named));
            }
        }
    }
}

const config::Strategy& CompiledPolicy::strategy_for(const ResolvedIsp& isp,
                                                     std::string_view source) const {
    auto it = shaped_.find(std::pair(isp.name, std::string(source)));
    return it == shaped_.end() ? *isp.strategy : it->second.strategy;
}

std::set<std::pair<std::string, std::string>> CompiledPolicy::shaped_pairs() const {
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& [pair, shaped] : shaped_) pairs.insert(pair);
    return pairs;
}

const std::vector<std::string>& CompiledPolicy::shaping_of(const ResolvedIsp& isp,
                                                           std::string_view source) const {
    static const std::vector<std::string> kNone;
    auto it = shaped_.find(std::pair(isp.name, std::string(source)));
    return it == shaped_.end() ? kNone : it->second.layers;
}

const ResolvedIsp* CompiledPolicy::isp_by_domain(std::string_view domain) const {
    const config::Isp* isp = directory_.by_domain(domain);
    return isp == nullptr ? nullptr
                          : isps_[static_cast<std::size_t>(isp - settings_.isps.data())].get();
}

const ResolvedIsp* CompiledPolicy::isp_by_mx(std::span<const std::string> mx_hosts) const {
    const config::Isp* isp = directory_.by_mx(mx_hosts);
    return isp == nullptr ? nullptr
                          : isps_[static_cast<std::size_t>(isp - settings_.isps.data())].get();
}

const ResolvedIsp* CompiledPolicy::isp_named(std::string_view name) const {
    for (const auto& isp : isps_) {
        if (isp->name == name) {
            return isp.get();
        }
    }
    return nullptr;
}

const config::Pool& CompiledPolicy::pool_for(std::string_view header_pool,
                                             std::string_view sender_domain,
                                             std::string_view listener) const {
    if (const config::Pool* pool = pool_named(header_pool); pool != nullptr) {
        return *pool;
    }
    const std::string domain = net::canonical_domain(sender_domain);
    if (!domain.empty()) {
        for (const config::Pool& pool : settings_.pools) {
            for (const std::string& pattern : pool.sender_domains) {
                if (net::matches_domain_pattern(pattern, domain)) {
                    return pool;
                }
            }
        }
    }
    if (!listener.empty()) {
        for (const config::Pool& pool : settings_.pools) {
            if (std::find(pool.listeners.begin(), pool.listeners.end(), listener) !=
                pool.listeners.end()) {
                return pool;
            }
        }
    }
    return *default_pool_;
}

const config::Pool* CompiledPolicy::pool_named(std::string_view name) const {
    return name.empty() ? nullptr : find_named(settings_.pools, name);
}

const std::string& CompiledPolicy::pool_header() const {
    return settings_.pool_header;
}

Verdict CompiledPolicy::judge(const ResolvedIsp& isp, const reply::ReplyFacts& reply) const {
    Verdict verdict;
    if (reply.code >= 200 && reply.code < 300) {
        verdict.action = Action::delivered;
        verdict.bounce_class = "success";
        return verdict;
    }
    auto pattern =
        std::find_if(isp.bounce_patterns.begin(), isp.bounce_patterns.end(),
                     [&](const CompiledBouncePattern& p) { return p.matcher.matches(reply); });
    if (pattern != isp.bounce_patterns.end()) {
        verdict.pattern = pattern->pattern;
        verdict.category =
            pattern->pattern->category.empty() ? "other" : pattern->pattern->category;
        switch (pattern->pattern->bounce_class) {
            case config::BounceClass::hard:
                verdict.action = Action::bounce;
                verdict.bounce_class = "hard";
                break;
            case config::BounceClass::soft:
                verdict.action = Action::retry;
                verdict.bounce_class = "soft";
                break;
            case config::BounceClass::ignore:
                verdict.action = Action::delivered;
                verdict.bounce_class = "ignore";
                break;
        }
    } else {
        const bool permanent = reply.code >= 500 && reply.code < 600;
        verdict.action = permanent ? Action::bounce : Action::retry;
        verdict.bounce_class = permanent ? "hard" : "soft";
        verdict.category = "other";
    }
    if (!reply.synthetic) {
        for (const CompiledLockRule& lock : isp.locks) {
            if (lock.matcher.matches(reply)) {
                verdict.lock = lock.rule;
                break;
            }
        }
    }
    return verdict;
}

}  // namespace sluice::policy::engine
