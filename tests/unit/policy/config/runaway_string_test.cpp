// Tests for find_runaway_string (issue 13 item 3): a table of {config text, libconfig's error
// line, want}, covering comments, escapes, strings that legally span lines and runs of strings
// inverted by one missing quote.
#include "policy/config/runaway_string.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::policy::config {
namespace {

std::string describe(const std::optional<RunawayString>& found) {
    if (!found) return "none";
    return "open " + std::to_string(found->open_line) + ", close " +
           std::to_string(found->close_line);
}

TEST(FindRunawayString, Table) {
    struct Case {
        std::string name;
        std::string text;
        int error_line;
        std::optional<RunawayString> want;
    } cases[] = {
        {"no strings", "a = 1;\nb = ;\n", 2, std::nullopt},
        {"balanced strings", "a = \"x\";\nb = \"y\" z;\n", 2, std::nullopt},
        {"never closed, last line", "a = 1;\nb = \"x;\n", 3, RunawayString{2, 0}},
        {"never closed, no final newline", "a = 1;\nb = \"x;", 2, RunawayString{2, 0}},
        {"closed by a later line", "a = \"x;\nb = 1;\nc = \"y\";\n", 3, RunawayString{1, 3}},
        {"a run of inverted strings", "a = \"x;\nb = \"y\";\nc = 1;\n", 4, RunawayString{1, 2}},
        {"legal multi-line string before the error", "a = \"x\ny\";\nb = ;\n", 3, std::nullopt},
        {"escaped quote", "a = \"x\\\"y;\nb = 1;\n", 3, RunawayString{1, 0}},
        {"escaped backslash ends before the quote", "a = \"x\\\\\";\nb = ;\n", 2, std::nullopt},
        {"escaped line break", "a = \"x\\\ny;\n", 3, RunawayString{1, 0}},
        {"quote in a # comment", "# don't \"quote\" me \"\na = \"x;\n", 3, RunawayString{2, 0}},
        {"quote in a // comment", "// \"\na = \"x;\n", 3, RunawayString{2, 0}},
        {"quote in a block comment", "/* \"\n \" \" */ a = \"x;\n", 3, RunawayString{2, 0}},
        {"comment markers in a string", "a = \"# // /*\";\nb = \"x;\n", 3, RunawayString{2, 0}},
        {"unterminated block comment", "a = 1; /* \"\nb = ;\n", 2, std::nullopt},
        {"runaway opened after the error line", "a = ;\nb = \"x;\n", 1, std::nullopt},
    };
    for (const auto& c : cases) {
        const auto got = find_runaway_string(c.text, c.error_line);
        EXPECT_EQ(describe(got), describe(c.want))
            << c.name << ": got " << describe(got) << ", want " << describe(c.want);
    }
}

TEST(IncludeDirectives, Table) {
    const std::string text =
        "@include \"a.conf\"\n"
        "  \t@include   \"dir/b.conf\"\n"
        "# @include \"comment.conf\"\n"
        "x = 1; @include \"not-at-line-start.conf\"\n"
        "@includex \"typo.conf\"\n"
        "@include \"unclosed.conf\n"
        "@include \"last.conf\"";
    const auto got = include_directives(text);
    std::string described;
    for (const auto& include : got) {
        described += std::to_string(include.line) + ":" + include.path + " ";
    }
    EXPECT_EQ(described, "1:a.conf 2:dir/b.conf 7:last.conf ");
}

}  // namespace
}  // namespace sluice::policy::config
