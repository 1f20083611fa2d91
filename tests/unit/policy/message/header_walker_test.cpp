// Table tests for the header walker: folding, the empty line, bare CR and LF under each
// LineBreaks choice, a last line without a break; and, for every prefix of a message, that the
// fields, the empty line and the body put back together give the content byte for byte.
#include "policy/message/header_walker.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::policy::message {
namespace {

// "text|text|...#header_end#body_begin", with CR, LF and HTAB written as \r, \n and \t.
std::string describe(std::string_view content, LineBreaks breaks) {
    auto visible = [](std::string_view text) {
        std::string out;
        for (char c : text) {
            out += c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t" : std::string(1, c);
        }
        return out;
    };
    HeaderWalker walker(content, breaks);
    std::string out;
    while (const auto field = walker.next()) out += visible(field->text) + "|";
    return out + "#" + std::to_string(walker.header_end()) + "#" +
           std::to_string(walker.body_begin());
}

TEST(HeaderWalker, SplitsFields) {
    constexpr auto kCrlf = LineBreaks::crlf;
    constexpr auto kAny = LineBreaks::crlf_cr_lf;
    struct Case {
        std::string content;
        LineBreaks breaks;
        std::string want;
    } cases[] = {
        {"", kCrlf, "#0#0"},
        {"\r\n", kCrlf, "#0#2"},
        {"\r\nA: 1\r\n", kCrlf, "#0#2"},
        {"A: 1\r\nB: 2\r\n\r\nbody", kCrlf, "A: 1|B: 2|#12#14"},
        {"A: 1\r\n b\r\n\tc\r\nB: 2\r\n", kCrlf, "A: 1\\r\\n b\\r\\n\\tc|B: 2|#20#20"},
        {"A: 1\r\n b", kCrlf, "A: 1\\r\\n b|#8#8"},
        {"A: 1", kCrlf, "A: 1|#4#4"},
        {" A: 1\r\nB: 2\r\n", kCrlf, " A: 1|B: 2|#13#13"},
        {"A: 1\nB: 2\rC\r\n\r\n", kCrlf, "A: 1\\nB: 2\\rC|#13#15"},
        {"A: 1\nB: 2\rC\r\n\r\n", kAny, "A: 1|B: 2|C|#13#15"},
        {"A: 1\n b\r\tc\r\n\nbody", kAny, "A: 1\\n b\\r\\tc|#12#13"},
        {"A: 1\r\r\nb", kAny, "A: 1|#5#7"},
        {"A: 1\r\r\nb", kCrlf, "A: 1\\r|b|#8#8"},
        {"\n", kAny, "#0#1"},
        {"\n", kCrlf, "\\n|#1#1"},
    };
    for (const auto& c : cases) {
        const std::string got = describe(c.content, c.breaks);
        EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
    }
}

TEST(HeaderWalker, ReportsNamesAndPositions) {
    const std::string content = "Subject : hi\r\n there\r\nno colon\r\nX:\r\n\r\nbody";
    HeaderWalker walker(content, LineBreaks::crlf);
    struct Want {
        std::string name;
        std::size_t begin;
        std::size_t next;
    } wants[] = {{"Subject", 0, 22}, {"", 22, 32}, {"X", 32, 36}};
    for (const Want& want : wants) {
        const auto field = walker.next();
        ASSERT_TRUE(field.has_value()) << want.name;
        EXPECT_EQ(field->name, want.name);
        EXPECT_EQ(field->begin, want.begin) << want.name;
        EXPECT_EQ(field->next, want.next) << want.name;
        EXPECT_TRUE(field->terminated()) << want.name;
        EXPECT_EQ(field->text, content.substr(want.begin, want.next - want.begin - 2));
    }
    EXPECT_FALSE(walker.next().has_value());
    EXPECT_FALSE(walker.next().has_value());  // and stays at the end
    EXPECT_EQ(walker.header_end(), 36u);
    EXPECT_EQ(content.substr(walker.body_begin()), "body");
}

// Every prefix: the fields tile the header, the empty line sits between header and body, and
// only the content's last field may lack its line break.
TEST(HeaderWalker, FieldsTileEveryPrefix) {
    const std::string message =
        "Received: from a\r\n\tby b\r\nFrom: x@example.com\nSubject: s\r t\r\n"
        " folded\r\n\r\nbody\r\n";
    for (const LineBreaks breaks : {LineBreaks::crlf, LineBreaks::crlf_cr_lf}) {
        for (std::size_t size = 0; size <= message.size(); ++size) {
            const std::string_view content = std::string_view(message).substr(0, size);
            HeaderWalker walker(content, breaks);
            std::string rebuilt;
            while (const auto field = walker.next()) {
                EXPECT_EQ(field->begin, rebuilt.size()) << "prefix " << size;
                EXPECT_EQ(content.substr(field->begin, field->text.size()), field->text);
                EXPECT_TRUE(field->terminated() || field->next == content.size())
                    << "prefix " << size;
                rebuilt += content.substr(field->begin, field->next - field->begin);
            }
            EXPECT_EQ(walker.header_end(), rebuilt.size()) << "prefix " << size;
            EXPECT_GE(walker.body_begin(), walker.header_end()) << "prefix " << size;
            rebuilt += content.substr(walker.header_end());
            EXPECT_EQ(rebuilt, content) << "prefix " << size;
            EXPECT_EQ(find_header_end(content, breaks), walker.header_end()) << "prefix " << size;
        }
    }
}

TEST(HeaderWalker, HasFieldName) {
    struct Case {
        std::string text;
        std::string name;
        bool want;
    } cases[] = {
        {"X-Sluice-Pool: bulk", "X-Sluice-Pool", true},
        {"x-sluice-pool: bulk", "X-Sluice-Pool", true},
        {"X-Sluice-Pool:", "X-Sluice-Pool", true},
        {"X-Sluice-Pool : bulk", "X-Sluice-Pool", false},  // obsolete WSP: not this strict form
        {"X-Sluice-Pools: bulk", "X-Sluice-Pool", false},
        {"X-Sluice-Poo: bulk", "X-Sluice-Pool", false},
        {"X-Sluice-Pool", "X-Sluice-Pool", false},
        {" X-Sluice-Pool: bulk", "X-Sluice-Pool", false},
    };
    for (const auto& c : cases) {
        const bool got = has_field_name(c.text, c.name);
        EXPECT_EQ(got, c.want) << "has_field_name(\"" << c.text << "\", " << c.name << "): got "
                               << got << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::policy::message
