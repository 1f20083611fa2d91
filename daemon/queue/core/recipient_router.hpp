// Which destination queue a recipient goes to: its domain's ISP (domain lists, else MX rollup,
// else the default rules), for the default rules the domain's site (queue_key.hpp: its MX host
// set, or the domain), the pool (the ISP's, else the message's: control header, sender domain,
// listener, default) and a source of that pool in rotation. MX rollup and sites need the
// domain's MX hosts: until the caller has looked them up (mx_known) the recipient cannot be
// routed and the domain is listed in wanted_lookups(). It answers with a Route and writes into no
// queue: the caller registers the route (DestinationRegistry::ensure). Answers are kept for their
// validity and forgotten an hour after it (a million domains of the long tail must not stay in
// memory). Pure: wall time is an argument. io thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/queue/core/destination_registry.hpp"
#include "daemon/queue/core/queued_message.hpp"
#include "policy/config/model.hpp"
#include "policy/engine/compiled_policy.hpp"
#include "policy/pool/source_rotation.hpp"

namespace sluice::daemon::queue {

class RecipientRouter {
  public:
    // `warmups` tells which warming sources have spent today's cap (over_cap = warm_sources
    // sends their mail through a warm source of the pool instead).
    RecipientRouter(std::shared_ptr<const policy::config::Config> config,
                    std::shared_ptr<const policy::engine::CompiledPolicy> policy,
                    const WarmupBudgets& warmups);

    // A reload: forgets every MX rollup answer (ISPs may have changed).
    void reconfigure(std::shared_ptr<const policy::config::Config> config,
                     std::shared_ptr<const policy::engine::CompiledPolicy> policy);

    // The route for (message, domain), or nullopt until the domain's MX hosts are known. Takes
    // the next source of the pool's rotation; when that source has spent its warm-up cap for
    // the ISP and its schedule says over_cap = warm_sources, a warm source of the pool in turn
    // (if the pool has one).
    std::optional<Route> route(const QueuedMessage& message, const std::string& domain,
                               std::int64_t now_unix);

    // Domains whose MX hosts route() is waiting for; each is returned once until answered.
    std::vector<std::string> take_wanted_lookups();
    // The answer of a lookup: the domain's MX host names in preference order (empty when the
    // lookup failed: the default rules apply, with the domain as its own site, until
    // `valid_until`).
    void mx_known(const std::string& domain, const std::vector<std::string>& mx_hosts,
                  std::int64_t now_unix, std::int64_t valid_until_unix);

    // The ISP of a domain if known without a lookup (status and tests).
    [[nodiscard]] const policy::engine::ResolvedIsp* isp_of(const std::string& domain,
                                                            std::int64_t now_unix) const;
    // The ISP of a domain as last known, an MX rollup answer past its validity included; null
    // when its MX hosts were never looked up since the last reload. No side effects (the
    // expiry sweep asks this for mail that waits, whose domain is not routed again until due).
    [[nodiscard]] const policy::engine::ResolvedIsp* last_known_isp(
        const std::string& domain) const;
    // The site of a domain of the long tail as last known ("" when it belongs to an ISP entry
    // or was never looked up): the status endpoint's domain filter.
    [[nodiscard]] std::string last_known_site(const std::string& domain) const;
    // Asks for `domain`'s MX lookup (take_wanted_lookups) unless one is under way.
    void want_lookup(const std::string& domain);
    // A warm source of `pool` at `now_unix` (no warm-up, or past it), in turn; null if none.
    [[nodiscard]] const policy::config::Source* warm_source(const policy::config::Pool& pool,
                                                            std::int64_t now_unix);
    // Whether mail of `source` to `isp` goes elsewhere while its cap is spent: its schedule says
    // over_cap = warm_sources and `pool` has a warm source.
    [[nodiscard]] bool overflows(const std::string& source, const policy::config::Pool& pool,
                                 std::int64_t now_unix) const;
    // Domains whose lookup answer is kept (tests and the scheduler benchmark).
    [[nodiscard]] std::size_t known_domains() const { return rolled_up_.size(); }

  private:
    struct RolledUp {
        std::string isp;   // empty: the default rules
        std::string site;  // for the default rules
        std::int64_t valid_until_unix;
    };
    struct Known {
        const policy::engine::ResolvedIsp* isp = nullptr;  // null: a lookup is needed
        std::string_view site;
    };
    [[nodiscard]] Known known(const std::string& domain, std::int64_t now_unix) const;
    void forget_stale(std::int64_t now_unix);

    std::shared_ptr<const policy::config::Config> config_;
    std::shared_ptr<const policy::engine::CompiledPolicy> policy_;
    policy::pool::SourceRotation rotation_;
    const WarmupBudgets& warmups_;
    std::size_t warm_turn_ = 0;  // warm_source's rotation
    std::unordered_map<std::string, RolledUp> rolled_up_;
    std::size_t prune_at_size_ = kFirstPrune;  // when rolled_up_ grows to this, forget_stale
    static constexpr std::size_t kFirstPrune = 1024;
    std::set<std::string> lookups_started_;
    std::vector<std::string> wanted_;
};

}  // namespace sluice::daemon::queue
