#include "daemon/status/admin_request.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::status {
namespace {

TEST(ParseScope, Accepted) {
    struct Case {
        std::string body, query, isp, source;
        bool all;
        bool dsn = false;
    };
    const std::vector<Case> cases = {
        {"", "", "", "", false},
        {"  \r\n", "", "", "", false},
        {"{}", "", "", "", false},
        {R"({"isp":"Gmail"})", "", "Gmail", "", false},
        {R"({"isp":"Gmail","source":"192.0.2.10"})", "", "Gmail", "192.0.2.10", false},
        {R"({"all":true})", "", "", "", true},
        {"", "isp=Gmail&source=192.0.2.10", "Gmail", "192.0.2.10", false},
        {"", "isp=Big%20Mail", "Big Mail", "", false},
        {"", "all=1", "", "", true},
        {R"({"isp":"Gmail","dsn":true})", "", "Gmail", "", false, true},
        {"", "isp=Gmail&dsn=1", "Gmail", "", false, true},
    };
    for (const auto& c : cases) {
        auto got = parse_scope(c.body, c.query);
        const auto* scope = std::get_if<OperationScope>(&got);
        ASSERT_NE(scope, nullptr) << "body " << c.body << " query " << c.query << ": "
                                  << std::get<ScopeError>(got).message;
        EXPECT_EQ(scope->isp, c.isp);
        EXPECT_EQ(scope->source, c.source);
        EXPECT_EQ(scope->all, c.all);
        EXPECT_EQ(scope->dsn, c.dsn);
    }
}

TEST(ParseScope, Refused) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{", ""},                          // not JSON
        {"[1]", ""},                        // not an object
        {R"({"isp":1})", ""},               // not a string
        {R"({"queue":"x"})", ""},           // unknown field
        {R"({"source":"192.0.2.1"})", ""},  // source without ISP
        {R"({"all":"yes"})", ""},           // not a bool
        {R"({"dsn":1})", ""},               // not a bool
        {"", "isp=%zz"},                    // bad escape
        {"", "what=1"},                     // unknown parameter
        {R"({"isp":"a"})", "isp=b"},        // both
        {R"({"isp":"a\nnode"})", ""},       // a line break would forge a line of the holds file
        {"", "isp=a&source=b%0Anode"},      // ... also in a query
    };
    for (const auto& [body, query] : cases) {
        auto got = parse_scope(body, query);
        EXPECT_TRUE(std::holds_alternative<ScopeError>(got))
            << "body " << body << " query " << query;
    }
}

}  // namespace
}  // namespace sluice::daemon::status
