// The reader of the "keys" list of sluice.conf: DKIM signing keys by domain and selector. It
// checks each setting's syntax and records where private_key was written, so that the daemon,
// which reads the key files (policy/ reads no file but the config), can name file and line
// when one does not load. Relations (the same domain and selector twice) are validate_config's.
#pragma once

#include <vector>

#include "policy/config/model.hpp"
#include "policy/config/settings_reader.hpp"

namespace sluice::policy::config {

void read_keys(SettingsReader& reader, const Group& root, std::vector<DkimKey>& out);

}  // namespace sluice::policy::config
