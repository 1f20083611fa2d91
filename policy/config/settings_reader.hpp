// SettingsReader: checked reads of one libconfig tree into model fields. Each read checks one
// setting alone (unknown keys, presence, type, syntax, range), records where it was written and,
// on a problem, adds a ConfigError and leaves the field at its default, so that a single pass
// reports every error. Relations between settings are validate_config's job, not this one's.
// One reader per load; it borrows the libconfig tree, which must outlive it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <libconfig.h++>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/config/load.hpp"
#include "policy/config/model.hpp"
#include "policy/config/setting_locations.hpp"

namespace sluice::policy::config {

enum class Presence { optional, required };
// Whether an empty string "" is a value (a match part meaning "any") or a mistake.
enum class Emptiness { rejected, allowed };

using KnownKeys = std::initializer_list<std::string_view>;

// A group being read (the root, a section or a list element) and its dotted path.
struct Group {
    const libconfig::Setting* setting;
    std::string path;
};

// One string of a string list, with its path for error messages.
struct ListItem {
    std::string value;
    std::string path;
};

// The largest value of T that an int64 can hold.
template <class T>
constexpr std::int64_t int64_limit() {
    constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(
        std::min<std::uint64_t>(std::numeric_limits<T>::max(), int64_max));
}

class SettingsReader {
  public:
    explicit SettingsReader(SourceFiles files) : locations_(std::move(files)) {}

    // The root group, its keys checked against `known`.
    [[nodiscard]] Group root(const libconfig::Config& config, KnownKeys known);
    // Section `key` of `parent`, keys checked; an empty group if absent; nullopt if not a group.
    [[nodiscard]] std::optional<Group> section(const Group& parent, const char* key,
                                               KnownKeys known);
    // The elements of list `key` (none if absent), each one's keys checked; an element that is
    // not a group is reported and left as nullopt, so that indexes still match the file.
    // nullopt if `key` is not a list.
    [[nodiscard]] std::optional<std::vector<std::optional<Group>>> group_list(const Group& parent,
                                                                              const char* key,
                                                                              KnownKeys known,
                                                                              Presence presence);
    // The strings of array or list `key`; reports elements that are not non-empty strings.
    [[nodiscard]] std::vector<ListItem> string_list(const Group& parent, const char* key);

    // Each read_* sets `out` and returns true only if the setting is present and valid.
    bool read_string(const Group& parent, const char* key, std::string& out, Presence presence,
                     Emptiness emptiness = Emptiness::rejected);
    bool read_integer(const Group& parent, const char* key, std::int64_t& out, Presence presence,
                      std::int64_t min, std::int64_t max);
    // An integer or a size string ("64k", "50M"); at least `min` bytes.
    bool read_size(const Group& parent, const char* key, std::uint64_t& out, std::uint64_t min);
    // A duration string with a unit ("30s", "1h30m"); greater than zero.
    bool read_duration(const Group& parent, const char* key, Duration& out);
    // A number (integer or floating point) in [min, max].
    bool read_number(const Group& parent, const char* key, double& out, double min, double max);
    // A boolean (true / false).
    bool read_bool(const Group& parent, const char* key, bool& out);
    // The durations of array or list `key`, each checked as read_duration does; nullopt if
    // absent, not a list, or any element is bad (each bad element is reported).
    [[nodiscard]] std::optional<std::vector<Duration>> duration_list(const Group& parent,
                                                                     const char* key);

    // read_integer into a narrower field; `max` defaults to the field's own limit.
    template <class T>
    bool read_integer(const Group& parent, const char* key, T& out, Presence presence,
                      std::int64_t min, std::int64_t max = int64_limit<T>()) {
        std::int64_t value = 0;
        if (!read_integer(parent, key, value, presence, min, max)) {
            return false;
        }
        out = static_cast<T>(value);
        return true;
    }

    // Adds an error about the setting at `path`.
    void report(std::string_view path, std::string message);

    [[nodiscard]] const SettingLocations& locations() const { return locations_; }
    [[nodiscard]] std::vector<ConfigError> take_errors() { return std::move(errors_); }

  private:
    // Child `key` of `parent`, its location recorded; null (reported if required) when absent.
    const libconfig::Setting* find(const Group& parent, const char* key, Presence presence);
    void visit(const libconfig::Setting& setting, const std::string& path);
    void check_keys(const Group& group, KnownKeys known);
    std::optional<std::string> string_value(const libconfig::Setting& setting,
                                            const std::string& path,
                                            Emptiness emptiness = Emptiness::rejected);
    std::optional<Duration> duration_value(const libconfig::Setting& setting,
                                           const std::string& path);

    SettingLocations locations_;
    std::vector<ConfigError> errors_;
    libconfig::Config empty_;  // its root stands in for an absent section
};

}  // namespace sluice::policy::config
