#include "daemon/dns/ttl_cache.hpp"

#include <algorithm>

#include "daemon/dns/errc.hpp"

namespace sluice::daemon::dns {

TtlCache::TtlCache(Limits limits) : limits_(limits) {}

std::chrono::seconds TtlCache::lifetime(const Answer& answer) const {
    if (!answer.error) {
        if (answer.records.empty()) return std::chrono::seconds{0};
        return std::clamp(answer.ttl, std::chrono::seconds{0}, limits_.max_ttl);
    }
    if (answer.error == errc::nxdomain || answer.error == errc::no_data) {
        return std::clamp(answer.ttl, std::chrono::seconds{0}, limits_.max_negative_ttl);
    }
    return std::chrono::seconds{0};  // failures are never cached: the next lookup asks again
}

std::chrono::seconds TtlCache::store(const QueryKey& key, const Answer& answer, TimePoint now) {
    const auto keep = lifetime(answer);
    if (keep <= std::chrono::seconds{0} || limits_.max_entries == 0) return keep;
    if (auto it = entries_.find(key); it != entries_.end()) erase(it);
    while (entries_.size() >= limits_.max_entries) erase(entries_.find(by_age_.begin()->second));
    Answer kept = answer;
    kept.ttl = keep;
    const std::uint64_t sequence = next_sequence_++;
    entries_.emplace(key, Entry{std::move(kept), now + keep, sequence});
    by_age_.emplace(sequence, key);
    return keep;
}

std::optional<Answer> TtlCache::find(const QueryKey& key, TimePoint now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.expires_at) {
        erase(it);
        return std::nullopt;
    }
    Answer answer = it->second.answer;
    answer.ttl = std::chrono::duration_cast<std::chrono::seconds>(it->second.expires_at - now);
    return answer;
}

void TtlCache::erase(std::map<QueryKey, Entry>::iterator it) {
    by_age_.erase(it->second.sequence);
    entries_.erase(it);
}

}  // namespace sluice::daemon::dns
