#include "daemon/status/request_route.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::status {
namespace {

TEST(RequestRoute, Table) {
    struct Case {
        std::string method, target;
        unsigned want_status;  // 0: routed
        Endpoint want_endpoint;
        std::string want_isp;
    };
    const std::vector<Case> cases = {
        {"GET", "/", 0, Endpoint::dashboard, ""},
        {"GET", "/status", 0, Endpoint::status, ""},
        {"HEAD", "/status", 0, Endpoint::status, ""},
        {"GET", "/queues", 0, Endpoint::queues, ""},
        {"GET", "/queues/Gmail", 0, Endpoint::queue, "Gmail"},
        {"GET", "/queues/Big%20Mail", 0, Endpoint::queue, "Big Mail"},
        {"GET", "/queues/Gmail?x=1", 0, Endpoint::queue, "Gmail"},
        {"GET", "/queues/a/b", 404, Endpoint::queue, ""},
        {"GET", "/queues/%zz", 404, Endpoint::queue, ""},
        {"GET", "/queues/", 404, Endpoint::queue, ""},
        {"GET", "/metrics", 0, Endpoint::metrics, ""},
        {"GET", "/health", 0, Endpoint::health, ""},
        {"POST", "/hold?isp=Gmail", 0, Endpoint::hold, ""},
        {"POST", "/release", 0, Endpoint::release, ""},
        {"POST", "/clear", 0, Endpoint::clear, ""},
        {"POST", "/unlock", 0, Endpoint::unlock, ""},
        {"POST", "/reload", 0, Endpoint::reload, ""},
        {"GET", "/hold", 405, Endpoint::hold, ""},
        {"POST", "/status", 405, Endpoint::status, ""},
        {"DELETE", "/queues/Gmail", 405, Endpoint::queue, ""},
        {"GET", "/nope", 404, Endpoint::status, ""},
        {"GET", "/status/", 404, Endpoint::status, ""},
    };
    for (const auto& c : cases) {
        auto got = route_request(c.method, c.target);
        if (c.want_status) {
            const auto* error = std::get_if<RouteError>(&got);
            ASSERT_NE(error, nullptr)
                << c.method << " " << c.target << ": routed, want " << c.want_status;
            EXPECT_EQ(error->status, c.want_status) << c.method << " " << c.target;
            if (c.want_status == 405) {
                EXPECT_FALSE(error->allow.empty());
            }
            continue;
        }
        const auto* routed = std::get_if<RoutedRequest>(&got);
        ASSERT_NE(routed, nullptr) << c.method << " " << c.target << ": got an error, want a route";
        EXPECT_EQ(routed->endpoint, c.want_endpoint) << c.target;
        EXPECT_EQ(routed->isp, c.want_isp) << c.target;
    }
    EXPECT_EQ(std::get<RoutedRequest>(route_request("POST", "/hold?isp=Gmail")).query, "isp=Gmail");
}

TEST(RequestRoute, OperationsAreThePosts) {
    for (auto e :
         {Endpoint::hold, Endpoint::release, Endpoint::clear, Endpoint::unlock, Endpoint::reload}) {
        EXPECT_TRUE(is_operation(e));
    }
    for (auto e : {Endpoint::dashboard, Endpoint::status, Endpoint::queues, Endpoint::queue,
                   Endpoint::metrics, Endpoint::health}) {
        EXPECT_FALSE(is_operation(e));
    }
}

TEST(PercentDecode, Table) {
    const std::vector<std::pair<std::string, std::string>> good = {
        {"a%2Fb", "a/b"}, {"a+b", "a b"}, {"%41%62", "Ab"}, {"", ""}};
    for (const auto& [in, want] : good) {
        std::string out;
        EXPECT_TRUE(percent_decode(in, out)) << in;
        EXPECT_EQ(out, want) << "got " << out << ", want " << want;
    }
    for (std::string bad : {"%", "%4", "%G0", "a%"}) {
        std::string out;
        EXPECT_FALSE(percent_decode(bad, out)) << bad;
    }
}

}  // namespace
}  // namespace sluice::daemon::status
