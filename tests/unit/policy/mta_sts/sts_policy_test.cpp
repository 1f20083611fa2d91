#include "policy/mta_sts/sts_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::policy::mta_sts {
namespace {

StsPolicy parsed(std::string_view text) {
    auto result = parse_policy(text);
    if (auto* error = std::get_if<std::string>(&result)) {
        ADD_FAILURE() << "parse_policy failed: " << *error << "\n" << text;
        return {};
    }
    return std::get<StsPolicy>(result);
}

TEST(StsPolicy, ParsesTheRfcExampleWithCrlf) {
    const auto policy = parsed(
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
        "mx: backupmx.example.com\r\nmax_age: 604800\r\n");
    EXPECT_EQ(policy.mode, Mode::enforce);
    EXPECT_EQ(policy.mx, (std::vector<std::string>{"mail.example.com", "*.example.net",
                                                   "backupmx.example.com"}));
    EXPECT_EQ(policy.max_age.count(), 604800);
}

TEST(StsPolicy, AcceptsLfTrailingSpaceUnknownKeysAndUpperCaseMx) {
    const auto policy = parsed(
        "version: STSv1\nmode:testing  \nextension: whatever\nmx: MX.Example.COM\nmax_age: 86400");
    EXPECT_EQ(policy.mode, Mode::testing);
    EXPECT_EQ(policy.mx, std::vector<std::string>{"mx.example.com"});
}

TEST(StsPolicy, AcceptsFullyQualifiedMxPatterns) {
    const auto policy = parsed(
        "version: STSv1\nmode: enforce\nmx: mail.example.com.\nmx: *.example.net.\nmax_age: 60");
    EXPECT_EQ(policy.mx, (std::vector<std::string>{"mail.example.com", "*.example.net"}));
    EXPECT_TRUE(mx_matches(policy, "mail.example.com"));
    EXPECT_TRUE(mx_matches(policy, "a.example.net."));
}

TEST(StsPolicy, ModeNoneNeedsNoMx) {
    const auto policy = parsed("version: STSv1\nmode: none\nmax_age: 0\n");
    EXPECT_EQ(policy.mode, Mode::none);
    EXPECT_TRUE(policy.mx.empty());
}

TEST(StsPolicy, FirstOfARepeatedKeyWins) {
    const auto policy = parsed(
        "version: STSv1\nmode: testing\nmode: enforce\nmx: a.test\n"
        "max_age: 10\nmax_age: 20\n");
    EXPECT_EQ(policy.mode, Mode::testing);
    EXPECT_EQ(policy.max_age.count(), 10);
}

TEST(StsPolicy, RejectsMalformedPolicies) {
    struct Case {
        const char* text;
        const char* want;  // a word of the error
    };
    const Case cases[] = {
        {"mode: enforce\nmx: a.test\nmax_age: 10\n", "version"},
        {"version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 10\n", "version"},
        {"version: STSv1\nmode: strict\nmx: a.test\nmax_age: 10\n", "mode"},
        {"version: STSv1\nmode: enforce\nmx: a.test\n", "max_age"},
        {"version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601\n", "max_age"},
        {"version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1\n", "max_age"},
        {"version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 12345678901\n", "max_age"},
        {"version: STSv1\nmode: enforce\nmax_age: 10\n", "mx"},
        {"version: STSv1\nmode: enforce\nmx: a..test\nmax_age: 10\n", "mx"},
        {"version: STSv1\nmode: enforce\nmx: a.*.test\nmax_age: 10\n", "mx"},
        {"version: STSv1\nmode enforce\nmx: a.test\nmax_age: 10\n", ":"},
        {"<html>not found</html>", ":"},
    };
    for (const auto& c : cases) {
        auto result = parse_policy(c.text);
        auto* error = std::get_if<std::string>(&result);
        ASSERT_NE(error, nullptr) << "got a policy, want an error for:\n" << c.text;
        EXPECT_NE(error->find(c.want), std::string::npos)
            << "got \"" << *error << "\", want it to mention " << c.want;
    }
}

TEST(StsPolicy, ParsesAtEverySplitOffsetTheSameWayOnlyWhenWhole) {
    // Truncated bodies (a fetch cut short) never parse into a different valid policy.
    const std::string text =
        "version: STSv1\r\nmode: enforce\r\nmx: mx.a.test\r\nmax_age: 86400\r\n";
    const auto whole = parsed(text);
    for (std::size_t cut = 0; cut < text.size(); ++cut) {
        auto result = parse_policy(std::string_view(text).substr(0, cut));
        if (auto* policy = std::get_if<StsPolicy>(&result)) {
            EXPECT_EQ(policy->mx, whole.mx) << "cut at " << cut;
            EXPECT_EQ(policy->mode, whole.mode) << "cut at " << cut;
        }
    }
}

TEST(StsPolicy, MatchesMxHostsLikeRfc8461Section4_1) {
    const auto policy = parsed(
        "version: STSv1\nmode: enforce\nmx: mail.example.com\n"
        "mx: *.example.net\nmax_age: 86400\n");
    struct Case {
        const char* host;
        bool want;
    };
    const Case cases[] = {
        {"mail.example.com", true}, {"MAIL.Example.Com.", true}, {"mail2.example.com", false},
        {"mx1.example.net", true},  {"example.net", false},      {"a.b.example.net", false},
        {"xexample.net", false},    {".example.net", false},     {"", false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(mx_matches(policy, c.host), c.want) << "host " << c.host;
    }
}

}  // namespace
}  // namespace sluice::policy::mta_sts
