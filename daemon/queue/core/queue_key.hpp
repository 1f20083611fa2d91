// The identity of a destination queue: the ISP its recipients' domains belong to, the site for
// the long tail, and the source (sending IP) it leaves from. Typed so that no code builds or
// parses "ISP/source" strings.
//
// A domain that an ISP entry claims (domain list or MX rollup) is queued per (ISP, source): the
// ISP's limits are the ISP's. A domain only the default rules cover is queued per (site, source)
// where the site is the set of its MX hosts (or the domain itself when it has none that could be
// looked up, or is statically routed): domains hosted together share a queue and its caps, and
// each other destination is paced, capped and locked on its own (PowerMTA's queue per domain,
// KumoMTA's site name).
#pragma once

#include <compare>
#include <cstddef>
#include <string>

namespace sluice::daemon::queue {

struct QueueKey {
    std::string isp;
    std::string source;
    std::string site{};  // empty for an ISP entry's queue (an initializer: {isp, source} is fine)

    [[nodiscard]] bool empty() const { return isp.empty(); }  // "no queue known"
    friend auto operator<=>(const QueueKey&, const QueueKey&) = default;
};

// The destination a queue serves, which ISP-wide rules (isp_message_rate, a lock rule of scope
// isp, an admin's hold of the ISP) apply to: the ISP's name, or "ISP:site" for a site of the
// long tail ("default:mx1.example.net,mx2.example.net").
[[nodiscard]] std::string destination_of(const QueueKey& key);

// "destination/source": how logs, holds, lock records and the status endpoint name a queue (""
// for the empty key).
[[nodiscard]] std::string to_string(const QueueKey& key);

struct QueueKeyHash {
    std::size_t operator()(const QueueKey& key) const noexcept;
};

}  // namespace sluice::daemon::queue
