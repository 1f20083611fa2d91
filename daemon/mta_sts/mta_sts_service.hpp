// MTA-STS (RFC 8461) for outbound delivery: which policy applies to a recipient domain now.
// Looks up _mta-sts.<domain> TXT, fetches the policy over HTTPS when the cache rule says so
// (policy/mta_sts/cache_rule.hpp), and keeps the fetched policies in memory (at most
// kMaxPolicies; the one expiring first goes) and on disk (policy_store.hpp, saved on the
// blocking pool), so a restart keeps them. Deliveries asking while a domain's policy is being
// fetched wait for that fetch instead of starting another. A domain whose fetch failed is not
// fetched again for kFetchFailureMemory. One per process, owned by App; lives on the io thread (not
// thread-safe). Never fails: a failed lookup or fetch falls back to the cache rule, and is logged.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "daemon/dns/resolver.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/tls/contexts.hpp"
#include "policy/mta_sts/cache_rule.hpp"

namespace sluice::daemon::mta_sts {

class MtaStsService {
  public:
    static constexpr std::size_t kMaxPolicies = 10000;
    static constexpr std::int64_t kFetchFailureMemory = 300;  // seconds
    // The whole fetch, all addresses: a delivery waits for it (a firewalled port 443 costs
    // this once per kFetchFailureMemory per domain).
    static constexpr std::chrono::seconds kFetchTimeout{15};

    // `verified_context`: a client context verifying against the system CAs (may be null:
    // every fetch then fails). `directory`: where policies persist (SPOOL/mta-sts).
    MtaStsService(boost::asio::any_io_executor executor, dns::Resolver& resolver,
                  tls::ContextPtr verified_context, std::filesystem::path directory,
                  boost::asio::thread_pool& blocking, log::Logger& logger);

    // Reads the persisted policies (blocking; call once at start-up); how many.
    std::size_t load();

    // The policy for mail to `domain` at this moment, nullopt when none applies. `port`: the
    // HTTPS port of mta-sts.<domain> (443 but in tests).
    boost::asio::awaitable<std::optional<policy::mta_sts::StsPolicy>> policy_for(
        std::string domain, std::uint16_t port);

  private:
    boost::asio::awaitable<std::optional<std::string>> look_up_id(const std::string& domain);
    // Fetches, parses and remembers the policy published under `id`; nullopt when that fails.
    boost::asio::awaitable<std::optional<policy::mta_sts::StsPolicy>> fetch_and_remember(
        const std::string& domain, const std::string& id, std::uint16_t port);
    void remember(const std::string& domain, policy::mta_sts::CachedPolicy cached,
                  std::string text);
    const policy::mta_sts::CachedPolicy* cached(const std::string& domain) const;

    boost::asio::any_io_executor executor_;
    dns::Resolver& resolver_;
    tls::ContextPtr verified_context_;
    std::filesystem::path directory_;
    // Saves and removals of policy files, in the order they were asked for (on the blocking
    // pool, but one at a time: a removal must not overtake a later save of the same domain).
    boost::asio::strand<boost::asio::thread_pool::executor_type> store_;
    log::Logger& logger_;
    std::unordered_map<std::string, policy::mta_sts::CachedPolicy> cache_;
    std::unordered_map<std::string, std::int64_t> failed_until_;
    // Fetches in flight; their timers never expire but are cancelled when the fetch ends.
    std::unordered_map<std::string, std::shared_ptr<boost::asio::steady_timer>> fetching_;
};

}  // namespace sluice::daemon::mta_sts
