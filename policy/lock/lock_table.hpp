// Active locks of destination queues and ISPs: a locked key opens no connection until its lock
// expires or an admin lifts it. Keys are the caller's (a queue key or an ISP name). A new lock on
// a locked key keeps the later expiry. Pure: time is an argument.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/retry/retry_schedule.hpp"

namespace sluice::policy::lock {

using TimePoint = retry::TimePoint;

struct Lock {
    std::string rule;   // the lock rule's name (or "admin")
    std::string reply;  // the reply that triggered it
    TimePoint until;
};

class LockTable {
  public:
    void lock(const std::string& key, Lock lock);
    // The lock on `key` if it is still in force at `now`.
    [[nodiscard]] const Lock* active(const std::string& key, TimePoint now) const;
    bool unlock(const std::string& key);
    // Drops expired locks; returns the keys that opened.
    std::vector<std::string> expire(TimePoint now);
    [[nodiscard]] std::optional<TimePoint> next_expiry() const;
    [[nodiscard]] const std::map<std::string, Lock>& all() const { return locks_; }

  private:
    std::map<std::string, Lock> locks_;
};

}  // namespace sluice::policy::lock
