// LockTable (see lock_table.hpp). Locks are few (one per throttled queue or ISP), so the scans
// of expire() and next_expiry() are linear.
#include "policy/lock/lock_table.hpp"

namespace sluice::policy::lock {

void LockTable::lock(const std::string& key, Lock lock) {
    auto [it, inserted] = locks_.try_emplace(key, lock);
    if (!inserted && lock.until > it->second.until) {
        it->second = std::move(lock);
    }
}

const Lock* LockTable::active(const std::string& key, TimePoint now) const {
    auto it = locks_.find(key);
    if (it == locks_.end() || it->second.until <= now) {
        return nullptr;
    }
    return &it->second;
}

bool LockTable::unlock(const std::string& key) {
    return locks_.erase(key) > 0;
}

std::vector<std::string> LockTable::expire(TimePoint now) {
    std::vector<std::string> opened;
    for (auto it = locks_.begin(); it != locks_.end();) {
        if (it->second.until <= now) {
            opened.push_back(it->first);
            it = locks_.erase(it);
        } else {
            ++it;
        }
    }
    return opened;
}

std::optional<TimePoint> LockTable::next_expiry() const {
    std::optional<TimePoint> next;
    for (const auto& [key, lock] : locks_) {
        if (!next || lock.until < *next) {
            next = lock.until;
        }
    }
    return next;
}

}  // namespace sluice::policy::lock
