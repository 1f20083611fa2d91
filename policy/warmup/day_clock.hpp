// Where the days of a time zone begin: a warm-up schedule counts a source's day and its daily
// volume by the calendar of its time zone, so a cap resets at local midnight. Pure: converts the
// instants it is given (the time zone database is read once, when a zone is first named).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace date {
class time_zone;
}

namespace sluice::policy::warmup {

class DayClock {
  public:
    DayClock() = default;  // UTC

    // The clock of an IANA time zone ("Europe/Berlin"); nullopt when the system's time zone
    // database does not know it. "UTC" needs no database.
    [[nodiscard]] static std::optional<DayClock> for_zone(std::string_view name);

    // The local calendar date at `at`, as days since 1970-01-01.
    [[nodiscard]] std::int32_t local_date(std::chrono::sys_seconds at) const;
    // The first instant of local date `date` (its midnight, or the end of a DST gap over it).
    [[nodiscard]] std::chrono::sys_seconds start_of(std::int32_t date) const;

  private:
    const date::time_zone* zone_ = nullptr;  // null: UTC
};

}  // namespace sluice::policy::warmup
