// The identity of a destination queue: the ISP its recipients' domains belong to and the source
// (sending IP) it leaves from. Typed so that no code builds or parses "ISP/source" strings; the
// per-domain queues of the long tail extend it with a domain field.
#pragma once

#include <compare>
#include <cstddef>
#include <string>

namespace sluice::daemon::queue {

struct QueueKey {
    std::string isp;
    std::string source;

    [[nodiscard]] bool empty() const { return isp.empty(); }  // "no queue known"
    friend auto operator<=>(const QueueKey&, const QueueKey&) = default;
};

// "ISP/source": how logs, holds, lock records and the status endpoint name a queue ("" for the
// empty key).
[[nodiscard]] std::string to_string(const QueueKey& key);

struct QueueKeyHash {
    std::size_t operator()(const QueueKey& key) const noexcept;
};

}  // namespace sluice::daemon::queue
