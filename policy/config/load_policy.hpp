// The reader of the sending-policy sections of sluice.conf: pools, strategies, retry_rules,
// lock_rules, bounce_patterns, isps, defaults and pool_header (see policy_model.hpp and
// sluice.conf(5)). Each setting is checked alone here (type, syntax, range, a regex that
// compiles); names that refer across sections, duplicates and listener names are checked by
// validate_policy. Called by load.cpp's build(); no state of its own.
#pragma once

#include "policy/config/model.hpp"
#include "policy/config/settings_reader.hpp"

namespace sluice::policy::config {

void read_policy(SettingsReader& reader, const Group& root, PolicySettings& out);

}  // namespace sluice::policy::config
