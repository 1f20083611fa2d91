// Checks that relate settings to each other in a Config that was read setting by setting:
// no two listeners (or the status endpoint) on one address:port, the per-IP and per-destination
// connection limits within their totals, no domain in two routes, no DKIM domain and selector
// twice, and the sending policy's cross references (validate_policy.hpp). Single settings (type,
// syntax, range) are checked while reading (settings_reader.hpp). Pure: returns every problem
// found, located through `where`; an empty result means the Config may be used.
#pragma once

#include <vector>

#include "policy/config/load.hpp"
#include "policy/config/model.hpp"
#include "policy/config/setting_locations.hpp"

namespace sluice::policy::config {

[[nodiscard]] std::vector<ConfigError> validate_config(const Config& config,
                                                       const SettingLocations& where);

}  // namespace sluice::policy::config
