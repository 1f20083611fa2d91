// Static routes (sluice.conf `routes`): which configured Route, if any, carries mail for a
// recipient domain instead of its MX records. Pure lookup over the routes of one Config
// snapshot; the caller owns the vector and the returned pointer lives as long as it does.
// No errors: "no route" is a null result.
#pragma once

#include <string_view>
#include <vector>

#include "policy/config/model.hpp"

namespace sluice::policy::routing {

// The route for `domain` (case-insensitive, one trailing dot ignored): a route naming the
// domain itself beats the longest matching "*.suffix" (subdomains only), which beats "*";
// among equals the first route in the file wins. Null if none matches.
[[nodiscard]] const config::Route* find_route(const std::vector<config::Route>& routes,
                                              std::string_view domain);

}  // namespace sluice::policy::routing
