// ReplyMatcher: code prefix, enhanced-code prefix by whole components, case-insensitive Perl
// regex searched in the text; every present part must match; a bad regex is reported.
#include "policy/reply/reply_matcher.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::reply {
namespace {

ReplyMatcher compiled(config::ReplyMatch match) {
    std::string error;
    auto matcher = ReplyMatcher::compile(match, error);
    EXPECT_TRUE(matcher.has_value()) << error;
    return std::move(*matcher);
}

TEST(ReplyMatcher, Table) {
    const struct {
        config::ReplyMatch match;
        ReplyFacts reply;
        bool want;
    } cases[] = {
        {{"", "", ""}, {250, "", "ok"}, true},
        {{"421", "", ""}, {421, "4.7.0", "x"}, true},
        {{"42", "", ""}, {421, "", ""}, true},
        {{"4", "", ""}, {550, "", ""}, false},
        {{"45", "", ""}, {421, "", ""}, false},
        {{"", "5.1", ""}, {550, "5.1.1", ""}, true},
        {{"", "5.1", ""}, {550, "5.1", ""}, true},
        {{"", "5.1", ""}, {550, "5.10.1", ""}, false},
        {{"", "5.1.1", ""}, {550, "5.1.10", ""}, false},
        {{"", "5", ""}, {550, "5.7.1", ""}, true},
        {{"", "4.7.0", ""}, {421, "", "no enhanced code"}, false},
        {{"", "", "too many|rate"}, {421, "", "Too Many connections"}, true},
        {{"", "", "too many|rate"}, {421, "", "RATE limited"}, true},
        {{"", "", "^try again"}, {421, "", "please try again"}, false},
        {{"", "", "\\[TSS?0[1-4]\\]"}, {421, "4.7.0", "[TSS04] Messages deferred"}, true},
        {{"", "", "\\b\\d{3}\\b"}, {550, "", "S3150 blocked"}, false},
        {{"", "", "S31[45]0"}, {550, "", "Unfortunately... (s3150)"}, true},
        {{"550", "5.1.1", "does not exist"},
         {550, "5.1.1", "The email account that you tried to reach does not exist."},
         true},
        {{"550", "5.1.1", "does not exist"}, {550, "5.1.1", "mailbox full"}, false},
        {{"550", "5.2", "does not exist"}, {550, "5.1.1", "does not exist"}, false},
    };
    for (const auto& c : cases) {
        const bool got = compiled(c.match).matches(c.reply);
        EXPECT_EQ(got, c.want) << "match {" << c.match.code << ", " << c.match.enhanced << ", "
                               << c.match.text << "} against " << c.reply.code << " "
                               << c.reply.enhanced << " " << c.reply.text << ": got " << got
                               << ", want " << c.want;
    }
}

TEST(ReplyMatcher, ReportsABadRegex) {
    std::string error;
    EXPECT_FALSE(ReplyMatcher::compile({"", "", "too (many"}, error).has_value());
    EXPECT_NE(error, "");
}

}  // namespace
}  // namespace sluice::policy::reply
