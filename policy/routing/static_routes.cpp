// find_route (see static_routes.hpp): one pass over every pattern of every route, scoring each
// match by specificity; routes are few (smarthosts and test overrides), so no index is built.
#include "policy/routing/static_routes.hpp"

#include <cstddef>
#include <limits>

#include "policy/net/domain_pattern.hpp"

namespace sluice::policy::routing {
namespace {

constexpr std::size_t kNoMatch = 0;
constexpr std::size_t kCatchAll = 1;
constexpr std::size_t kExact = std::numeric_limits<std::size_t>::max();

// How specifically `text` matches `domain`: kNoMatch, kCatchAll for "*", kExact for the
// domain itself, and for "*.parent" 3 + the parent's length (a longer parent is more specific).
std::size_t match_score(std::string_view text, std::string_view domain) {
    const net::DomainPattern pattern = net::parse_domain_pattern(text);
    if (!net::matches(pattern, domain)) {
        return kNoMatch;
    }
    switch (pattern.kind) {
        case net::PatternKind::any:
            return kCatchAll;
        case net::PatternKind::subdomains:
            return 3 + pattern.base.size();
        case net::PatternKind::exact:
            return kExact;
    }
    return kNoMatch;
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
