// Table tests for Endpoint: "address:port" and "[IPv6]:port", canonical output.
#include "policy/config/endpoint.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::config {
namespace {

TEST(Endpoint, ParseAndFormat) {
    struct Case {
        std::string_view input;
        std::string_view want;  // to_string() of the result, or "nullopt"
    } cases[] = {
        {"127.0.0.1:8025", "127.0.0.1:8025"},
        {"0.0.0.0:0", "0.0.0.0:0"},
        {"10.0.0.1:65535", "10.0.0.1:65535"},
        {"[::1]:8025", "[::1]:8025"},
        {"[0:0::1]:25", "[::1]:25"},
        {"[::]:80", "[::]:80"},
        {"[::ffff:1.2.3.4]:80", "[::ffff:1.2.3.4]:80"},
        {"127.0.0.1:65536", "nullopt"},
        {"127.0.0.1:99999", "nullopt"},
        {"127.0.0.1:", "nullopt"},
        {"127.0.0.1", "nullopt"},
        {"127.0.0.1:+80", "nullopt"},
        {"127.0.0.1:-1", "nullopt"},
        {"127.0.0.1:80 ", "nullopt"},
        {"127.0.0.1:080", "127.0.0.1:80"},
        {"127.0.0.1:000000080", "nullopt"},
        {"::1:8025", "nullopt"},  // IPv6 needs brackets
        {"[127.0.0.1]:80", "nullopt"},
        {"[::1:80", "nullopt"},
        {"::1]:80", "nullopt"},
        {"[::1]80", "nullopt"},
        {"localhost:8025", "nullopt"},
        {":8025", "nullopt"},
        {"", "nullopt"},
    };
    for (const auto& c : cases) {
        auto parsed = Endpoint::parse(c.input);
        std::string got = parsed ? parsed->to_string() : "nullopt";
        EXPECT_EQ(got, c.want) << "Endpoint::parse(\"" << c.input << "\"): got " << got << ", want "
                               << c.want;
    }
}

}  // namespace
}  // namespace sluice::policy::config
