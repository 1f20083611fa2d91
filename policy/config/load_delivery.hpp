// The readers of the delivery-side sections of sluice.conf: dns, delivery, routes and
// accounting. Each maps one section onto the model with a SettingsReader, reporting every bad
// setting and leaving its default; relations (limits against limits, duplicate route domains)
// are validate_config's. Called by load.cpp's build(); no state of their own.
#pragma once

#include <cstdint>
#include <vector>

#include "policy/config/model.hpp"
#include "policy/config/settings_reader.hpp"

namespace sluice::policy::config {

void read_dns(SettingsReader& reader, const Group& root, DnsSettings& out);
void read_delivery(SettingsReader& reader, const Group& root, DeliverySettings& out);
// Routes without a port get `default_port` (delivery.port).
void read_routes(SettingsReader& reader, const Group& root, std::uint16_t default_port,
                 std::vector<Route>& out);
void read_accounting(SettingsReader& reader, const Group& root, AccountingSettings& out);

}  // namespace sluice::policy::config
