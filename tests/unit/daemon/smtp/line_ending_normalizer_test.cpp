#include "daemon/smtp/line_ending_normalizer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "split_plans.hpp"

namespace sluice::daemon::smtp {
namespace {

struct Case {
    std::string input;
    std::string want;
    bool want_bare;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> table = {
        {"", "", false},
        {"a\r\nb", "a\r\nb", false},
        {"a\r\n", "a\r\n", false},
        {"\r\n\r\n", "\r\n\r\n", false},
        {"a\nb", "a\r\nb", true},
        {"a\rb", "a\r\nb", true},
        {"a\r", "a\r\n", true},  // settled by finish()
        {"\r\r\n", "\r\n\r\n", true},
        {"\n\r", "\r\n\r\n", true},
        {"\n\n", "\r\n\r\n", true},
        {"\r\r", "\r\n\r\n", true},
        {"x\r\n.\r\ny", "x\r\n.\r\ny", false},  // BDAT content: a "." line is just content
        {"a\r\nb\nc\rd\r\n", "a\r\nb\r\nc\r\nd\r\n", true},
    };
    return table;
}

std::string normalize(std::string_view input, const std::vector<std::size_t>& cuts, bool& bare) {
    LineEndingNormalizer normalizer;
    std::string out;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        normalizer.append(input.substr(from, cut - from), out);
        from = cut;
    }
    normalizer.append(input.substr(from), out);
    normalizer.finish(out);
    bare = normalizer.saw_bare_line_ending();
    return out;
}

TEST(LineEndingNormalizer, SplitAtEveryOffset) {
    for (const Case& c : cases()) {
        for (const auto& plan : split_plans(c.input.size())) {
            bool bare = false;
            std::string got = normalize(c.input, plan, bare);
            EXPECT_EQ(got, c.want)
                << "input " << testing::PrintToString(c.input) << " in " << plan.size() + 1
                << " pieces: got " << testing::PrintToString(got) << ", want "
                << testing::PrintToString(c.want);
            EXPECT_EQ(bare, c.want_bare) << "input " << testing::PrintToString(c.input)
                                         << ": got bare=" << bare << ", want " << c.want_bare;
        }
    }
}

}  // namespace
}  // namespace sluice::daemon::smtp
