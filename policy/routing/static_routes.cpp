// find_route (see static_routes.hpp): one pass over every pattern of every route, scoring each
// match by specificity; routes are few (smarthosts and test overrides), so no index is built.
#include "policy/routing/static_routes.hpp"

#include <cstddef>
#include <limits>

#include "policy/text/ascii.hpp"

namespace sluice::policy::routing {
namespace {

constexpr std::size_t kNoMatch = 0;
constexpr std::size_t kCatchAll = 1;
constexpr std::size_t kExact = std::numeric_limits<std::size_t>::max();

// How specifically `pattern` matches `domain`: kNoMatch, kCatchAll for "*", kExact for the
// domain itself, and for "*.suffix" 2 + the suffix length (a longer suffix is more specific).
std::size_t match_score(std::string_view pattern, std::string_view domain) {
    if (pattern == "*") {
        return kCatchAll;
    }
    if (!pattern.starts_with("*.")) {
        return text::iequals(pattern, domain) ? kExact : kNoMatch;
    }
    const std::string_view dot_suffix = pattern.substr(1);  // ".example.com"
    if (domain.size() <= dot_suffix.size()) {
        return kNoMatch;  // the suffix itself is not its own subdomain
    }
    return text::iequals(domain.substr(domain.size() - dot_suffix.size()), dot_suffix)
               ? 2 + dot_suffix.size()
               : kNoMatch;
}

}  // namespace

const config::Route* find_route(const std::vector<config::Route>& routes, std::string_view domain) {
    if (domain.ends_with('.')) {
        domain.remove_suffix(1);
    }
    if (domain.empty()) {
        return nullptr;
    }
    const config::Route* best = nullptr;
    std::size_t best_score = kNoMatch;
    for (const config::Route& route : routes) {
        for (const std::string& pattern : route.domains) {
            const std::size_t score = match_score(pattern, domain);
            if (score > best_score) {
                best = &route;
                best_score = score;
            }
        }
    }
    return best;
}

}  // namespace sluice::policy::routing
