// Table tests for find_route: exact domains, "*.suffix" patterns, "*" and their precedence.
#include "policy/routing/static_routes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::policy::routing {
namespace {

using config::Route;

// The host of the route found, or "(none)".
std::string found_host(const std::vector<Route>& routes, std::string_view domain) {
    const Route* route = find_route(routes, domain);
    return route != nullptr ? route->host : "(none)";
}

TEST(FindRoute, Precedence) {
    const std::vector<Route> routes = {
        {{"*"}, "smarthost", 25},
        {{"*.relay.test"}, "wild", 25},
        {{"relay.test", "other.test"}, "exact", 2526},
        {{"*.deep.relay.test"}, "deeper", 25},
        {{"dup.test"}, "first", 25},
        {{"dup.test"}, "second", 25},
    };
    struct Case {
        std::string domain;
        std::string want;
    } cases[] = {
        {"relay.test", "exact"},
        {"RELAY.Test", "exact"},
        {"relay.test.", "exact"},
        {"other.test", "exact"},
        {"a.relay.test", "wild"},
        {"A.B.Relay.Test", "wild"},
        {"x.deep.relay.test", "deeper"},
        {"deep.relay.test", "wild"},
        {"xrelay.test", "smarthost"},
        {"relay.test.example", "smarthost"},
        {"example.com", "smarthost"},
        {"dup.test", "first"},
        {"", "(none)"},
        {".", "(none)"},
    };
    for (const auto& c : cases) {
        std::string got = found_host(routes, c.domain);
        EXPECT_EQ(got, c.want) << "domain \"" << c.domain << "\": got " << got << ", want "
                               << c.want;
    }
}

TEST(FindRoute, NoCatchAll) {
    const std::vector<Route> routes = {
        {{"*.Relay.Test"}, "wild", 25},
        {{"Exact.Test"}, "exact", 25},
    };
    struct Case {
        std::string domain;
        std::string want;
    } cases[] = {
        {"a.relay.test", "wild"},   {"relay.test", "(none)"}, {"exact.test", "exact"},
        {"a.exact.test", "(none)"}, {"test", "(none)"},       {"example.com", "(none)"},
    };
    for (const auto& c : cases) {
        std::string got = found_host(routes, c.domain);
        EXPECT_EQ(got, c.want) << "domain \"" << c.domain << "\": got " << got << ", want "
                               << c.want;
    }
}

TEST(FindRoute, EmptyTable) {
    EXPECT_EQ(find_route({}, "example.com"), nullptr);
}

}  // namespace
}  // namespace sluice::policy::routing
