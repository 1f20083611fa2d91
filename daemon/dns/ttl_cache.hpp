// A bounded cache of DNS answers keyed by (normalized name, type). Positive answers live for
// min(TTL, max_ttl); negative ones (nxdomain, no_data) for min(negative TTL, max_negative_ttl)
// (RFC 2308); an answer whose lifetime is 0 and every other error is not stored. When full, the
// oldest stored entry goes first. Pure: time is passed in, nothing is read from a clock. Owned
// by one Resolver; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "daemon/dns/answer.hpp"

namespace sluice::daemon::dns {

class TtlCache {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    struct Limits {
        std::chrono::seconds max_ttl{3600};
        std::chrono::seconds max_negative_ttl{300};
        std::size_t max_entries = 10000;
    };

    explicit TtlCache(Limits limits);

    // How long `answer` may be kept under these limits (0: not cacheable).
    [[nodiscard]] std::chrono::seconds lifetime(const Answer& answer) const;
    // Stores `answer` (replacing any entry for the key) and returns its lifetime.
    std::chrono::seconds store(const QueryKey& key, const Answer& answer, TimePoint now);
    // The stored answer with ttl set to the whole seconds it has left, or nullopt if absent or
    // expired (an expired entry is dropped).
    [[nodiscard]] std::optional<Answer> find(const QueryKey& key, TimePoint now);
    [[nodiscard]] std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        Answer answer;
        TimePoint expires_at;
        std::uint64_t sequence = 0;  // insertion order, for evicting the oldest
    };

    void erase(std::map<QueryKey, Entry>::iterator it);

    Limits limits_;
    std::map<QueryKey, Entry> entries_;
    std::map<std::uint64_t, QueryKey> by_age_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace sluice::daemon::dns
