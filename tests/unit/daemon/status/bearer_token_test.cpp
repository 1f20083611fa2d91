#include "daemon/status/bearer_token.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace sluice::daemon::status {
namespace {

TEST(BearerToken, Table) {
    struct Case {
        std::string header, expected;
        TokenCheck want;
    };
    const std::vector<Case> cases = {
        {"Bearer s3cret", "s3cret", TokenCheck::ok},
        {"bearer s3cret", "s3cret", TokenCheck::ok},
        {"  Bearer   s3cret  ", "s3cret", TokenCheck::ok},
        {"Bearer s3cre", "s3cret", TokenCheck::wrong},
        {"Bearer s3cretX", "s3cret", TokenCheck::wrong},
        {"Bearer other", "s3cret", TokenCheck::wrong},
        {"Bearer s3cret", "", TokenCheck::wrong},
        {"", "s3cret", TokenCheck::missing},
        {"Bearer", "s3cret", TokenCheck::missing},
        {"Bearer ", "s3cret", TokenCheck::missing},
        {"Basic czNjcmV0", "s3cret", TokenCheck::missing},
        {"Bearers3cret", "s3cret", TokenCheck::missing},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(check_bearer_token(c.header, c.expected), c.want)
            << "header \"" << c.header << "\" expected \"" << c.expected << "\"";
    }
}

TEST(BearerToken, ReadTokenFileTrimsAndRefusesEmpty) {
    const std::string path = ::testing::TempDir() + "/token-test";
    { std::ofstream(path) << "  abc123\n"; }
    std::string token;
    ASSERT_FALSE(read_token_file(path, token));
    EXPECT_EQ(token, "abc123");
    { std::ofstream(path) << "\n \n"; }
    EXPECT_TRUE(read_token_file(path, token));
    std::remove(path.c_str());
    EXPECT_TRUE(read_token_file(path, token)) << "a missing file is an error";
}

}  // namespace
}  // namespace sluice::daemon::status
