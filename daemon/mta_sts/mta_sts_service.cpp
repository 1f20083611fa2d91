#include "daemon/mta_sts/mta_sts_service.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/mta_sts/policy_fetcher.hpp"
#include "daemon/mta_sts/policy_store.hpp"
#include "policy/config/host_name.hpp"
#include "policy/mta_sts/txt_record.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::mta_sts {

namespace asio = boost::asio;
using policy::mta_sts::CachedPolicy;
using policy::mta_sts::CacheStep;
using policy::mta_sts::StsPolicy;

namespace {
using asio_support::nothrow_awaitable;
}  // namespace

MtaStsService::MtaStsService(asio::any_io_executor executor, dns::Resolver& resolver,
                             tls::ContextPtr verified_context, std::filesystem::path directory,
                             asio::thread_pool& blocking, log::Logger& logger)
    : executor_(std::move(executor)),
      resolver_(resolver),
      verified_context_(std::move(verified_context)),
      directory_(std::move(directory)),
      store_(boost::asio::make_strand(blocking.get_executor())),
      logger_(logger) {}

std::size_t MtaStsService::load() {
    for (auto& stored : load_stored_policies(directory_, kMaxPolicies)) {
        auto parsed = policy::mta_sts::parse_policy(stored.text);
        if (auto* policy = std::get_if<StsPolicy>(&parsed)) {
            cache_[stored.domain] = CachedPolicy{std::move(*policy), stored.id, stored.fetched_at};
        }
    }
    return cache_.size();
}

const CachedPolicy* MtaStsService::cached(const std::string& domain) const {
    const auto found = cache_.find(domain);
    return found == cache_.end() ? nullptr : &found->second;
}

asio::awaitable<std::optional<std::string>> MtaStsService::look_up_id(const std::string& domain) {
    std::string name = "_mta-sts." + domain;  // named: no temporaries inside co_await (GCC 12)
    auto txt = co_await resolver_.lookup_txt(std::move(name));
    if (txt.error) co_return std::nullopt;  // none, or DNS trouble: the cache rule decides
    auto parsed = policy::mta_sts::parse_txt_records(txt.value);
    if (auto* id = std::get_if<std::string>(&parsed)) co_return std::move(*id);
    if (auto* error = std::get_if<policy::mta_sts::TxtError>(&parsed)) {
        logger_.warning("MTA-STS {}: unusable _mta-sts TXT record: {}", domain, error->why);
    }
    co_return std::nullopt;
}

asio::awaitable<std::optional<StsPolicy>> MtaStsService::policy_for(std::string domain,
                                                                    std::uint16_t port) {
    policy::text::lower_in_place(domain);
    if (!policy::config::is_host_name(domain)) co_return std::nullopt;  // e.g. [192.0.2.1]
    const auto txt_id = co_await look_up_id(domain);
    const auto now = clock::now_unix();
    const CachedPolicy* known = cached(domain);
    switch (policy::mta_sts::next_step(known, txt_id, now)) {
        case CacheStep::use_cached:
            co_return known->policy;
        case CacheStep::no_policy:
            co_return std::nullopt;
        case CacheStep::fetch:
            break;
    }
    std::optional<StsPolicy> fetched;
    const auto in_flight = fetching_.find(domain);
    if (in_flight != fetching_.end()) {
        // Another delivery is fetching this policy: wait for it, then read the cache.
        const auto done = in_flight->second;  // keeps the timer alive while waiting
        co_await done->async_wait(nothrow_awaitable);
    } else {
        const auto done =
            std::make_shared<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
        fetching_.emplace(domain, done);
        const std::string id = txt_id ? *txt_id : known->id;  // no record: refresh the cached
        try {
            fetched = co_await fetch_and_remember(domain, id, port);
        } catch (...) {
            // bad_alloc, or OpenSSL failing to make a session: waiters must not hang for ever.
            fetching_.erase(domain);
            done->cancel();
            throw;
        }
        fetching_.erase(domain);
        done->cancel();  // wakes the waiters
    }
    if (fetched) co_return fetched;
    // A failed fetch keeps the unexpired cached policy (RFC 8461 §10.2); the cache may have
    // changed while the fetch was in flight.
    const StsPolicy* kept =
        policy::mta_sts::after_fetch(cached(domain), nullptr, clock::now_unix());
    if (kept) co_return *kept;
    co_return std::nullopt;
}

asio::awaitable<std::optional<StsPolicy>> MtaStsService::fetch_and_remember(
    const std::string& domain, const std::string& id, std::uint16_t port) {
    const auto failed = failed_until_.find(domain);
    if (failed != failed_until_.end() && failed->second > clock::now_unix()) {
        co_return std::nullopt;  // logged when it failed
    }
    auto fetched = co_await fetch_policy_text(executor_, resolver_, verified_context_, domain, port,
                                              kFetchTimeout);
    std::string error = std::move(fetched.error);
    if (error.empty()) {
        auto parsed = policy::mta_sts::parse_policy(fetched.body);
        if (auto* policy = std::get_if<StsPolicy>(&parsed)) {
            logger_.info("MTA-STS {}: policy {} fetched: mode {}, max_age {}s", domain, id,
                         policy::mta_sts::mode_name(policy->mode), policy->max_age.count());
            failed_until_.erase(domain);
            std::optional<StsPolicy> result = *policy;
            remember(domain, CachedPolicy{std::move(*policy), id, clock::now_unix()},
                     std::move(fetched.body));
            co_return result;
        }
        error = "malformed policy: " + std::get<std::string>(parsed);
    }
    if (failed_until_.size() >= kMaxPolicies) failed_until_.clear();
    failed_until_[domain] = clock::now_unix() + kFetchFailureMemory;
    logger_.warning("MTA-STS {}: cannot fetch the policy: {}", domain, error);
    co_return std::nullopt;
}

void MtaStsService::remember(const std::string& domain, CachedPolicy cached, std::string text) {
    if (!cache_.contains(domain) && cache_.size() >= kMaxPolicies) {
        // Bounded: the policy expiring first goes (expired ones first of all).
        const auto victim = std::min_element(cache_.begin(), cache_.end(), [](auto& a, auto& b) {
            return a.second.expires_at() < b.second.expires_at();
        });
        asio::post(store_, [directory = directory_, gone = victim->first] {
            (void)remove_stored_policy(directory, gone);
        });
        cache_.erase(victim);
    }
    StoredPolicy stored{domain, cached.id, cached.fetched_at, std::move(text)};
    cache_[domain] = std::move(cached);
    asio::post(store_, [directory = directory_, stored = std::move(stored), &logger = logger_] {
        if (auto ec = save_stored_policy(directory, stored)) {
            logger.warning("MTA-STS {}: cannot save the policy in {}: {}", stored.domain,
                           directory.string(), ec.message());
        }
    });
}

}  // namespace sluice::daemon::mta_sts
