#include "daemon/delivery/dot_stuffer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../smtp/split_plans.hpp"

namespace sluice::daemon::delivery {
namespace {

using smtp::split_plans;

struct Case {
    std::string input;
    std::string want;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> table = {
        {"", ".\r\n"},
        {"a\r\n", "a\r\n.\r\n"},
        {"a", "a\r\n.\r\n"},
        {".", "..\r\n.\r\n"},
        {".\r\n", "..\r\n.\r\n"},
        {"a\r\n.b\r\n..\r\n", "a\r\n..b\r\n...\r\n.\r\n"},
        {"a.b\r\n. \r\n", "a.b\r\n.. \r\n.\r\n"},
        {"\r\n.\r\n", "\r\n..\r\n.\r\n"},
        {"Subject: x\r\n\r\n.\r\n.\r\n", "Subject: x\r\n\r\n..\r\n..\r\n.\r\n"},
        // Bare LF and bare CR each become CRLF; a CR before LF stays one line break.
        {"a\nb\n", "a\r\nb\r\n.\r\n"},
        {"a\rb\r", "a\r\nb\r\n.\r\n"},
        {"a\r\r\n", "a\r\n\r\n.\r\n"},
        {"a\n\r", "a\r\n\r\n.\r\n"},
        {"\n.x", "\r\n..x\r\n.\r\n"},
        {".\r.\n.", "..\r\n..\r\n..\r\n.\r\n"},
        {"\r", "\r\n.\r\n"},
        {"\n\n", "\r\n\r\n.\r\n"},
        {"x\r\n.\r\nQUIT\r\n", "x\r\n..\r\nQUIT\r\n.\r\n"},
    };
    return table;
}

std::string encode(std::string_view input, const std::vector<std::size_t>& cuts) {
    DotStuffer stuffer;
    std::string out;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : input.size();
        stuffer.encode(input.substr(from, to - from), out);
        from = to;
    }
    stuffer.finish(out);
    return out;
}

TEST(DotStuffer, Table) {
    for (const Case& c : cases()) {
        const std::string got = dot_stuff(c.input);
        EXPECT_EQ(got, c.want) << "input " << testing::PrintToString(c.input) << ": got "
                               << testing::PrintToString(got) << ", want "
                               << testing::PrintToString(c.want);
    }
}

TEST(DotStuffer, SplitAtEveryOffset) {
    for (const Case& c : cases()) {
        for (const auto& cuts : split_plans(c.input.size())) {
            const std::string got = encode(c.input, cuts);
            ASSERT_EQ(got, c.want)
                << "input " << testing::PrintToString(c.input) << " cut at "
                << testing::PrintToString(cuts) << ": got " << testing::PrintToString(got)
                << ", want " << testing::PrintToString(c.want);
        }
    }
}

// Whatever the content, the output has no bare CR or LF and only its last line is ".".
TEST(DotStuffer, NeverEmitsBareLineEndingsOrAnEarlyEnd) {
    const std::string alphabet = "a.\r\n";
    for (int n = 0; n < 4 * 4 * 4 * 4 * 4 * 4; ++n) {
        std::string input;
        for (int m = n; input.size() < 6; m /= 4)
            input += alphabet[static_cast<std::size_t>(m % 4)];
        const std::string got = dot_stuff(input);
        for (std::size_t i = 0; i < got.size(); ++i) {
            if (got[i] == '\r') {
                ASSERT_TRUE(i + 1 < got.size() && got[i + 1] == '\n') << input;
            }
            if (got[i] == '\n') {
                ASSERT_TRUE(i > 0 && got[i - 1] == '\r') << input;
            }
        }
        ASSERT_TRUE(got.ends_with("\r\n.\r\n") || got == ".\r\n") << input;
        const std::size_t end = got.find("\r\n.\r\n");
        ASSERT_EQ(end == std::string::npos ? 0 : end + 5, got.size())
            << testing::PrintToString(input) << " -> " << testing::PrintToString(got);
    }
}

TEST(DotStuffer, ReadyForAnotherMessageAfterFinish) {
    DotStuffer stuffer;
    std::string out;
    stuffer.encode("a\r", out);
    stuffer.finish(out);
    stuffer.encode(".b", out);
    stuffer.finish(out);
    EXPECT_EQ(out, "a\r\n.\r\n..b\r\n.\r\n");
}

}  // namespace
}  // namespace sluice::daemon::delivery
