// The cross-reference checks of the sending policy: unique names per section (and per pool for
// sources), every name an ISP or the defaults refer to defined (the implicit "default" pool,
// strategy and retry rule always are), pool listeners that exist in smtp.listen, no domain
// claimed by two ISPs, an adaptive strategy with a ceiling above its floor, a random retry
// range with min <= max. Called by validate_config; pure, returns every problem found.
#pragma once

#include <vector>

#include "policy/config/load.hpp"
#include "policy/config/model.hpp"
#include "policy/config/setting_locations.hpp"

namespace sluice::policy::config {

void validate_policy(const Config& config, const SettingLocations& where,
                     std::vector<ConfigError>& errors);

}  // namespace sluice::policy::config
