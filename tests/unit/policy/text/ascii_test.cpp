// Table tests for ASCII case folding: only A-Z/a-z fold; neighbours of the letter ranges, bytes
// above 0x7f and embedded NULs compare as themselves.
#include "policy/text/ascii.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::policy::text {
namespace {

using namespace std::string_literals;

TEST(Ascii, FoldsOnlyAsciiLetters) {
    for (int byte = 0; byte < 256; ++byte) {
        const char c = static_cast<char>(byte);
        const bool upper = byte >= 'A' && byte <= 'Z';
        const bool lower = byte >= 'a' && byte <= 'z';
        const char want_lower = upper ? static_cast<char>(byte + 32) : c;
        const char want_upper = lower ? static_cast<char>(byte - 32) : c;
        EXPECT_EQ(to_lower(c), want_lower) << "to_lower(" << byte << ")";
        EXPECT_EQ(to_upper(c), want_upper) << "to_upper(" << byte << ")";
    }
}

TEST(Ascii, ChangesTheCaseOfStrings) {
    struct Case {
        std::string text;
        std::string want_lower;
        std::string want_upper;
    } cases[] = {
        {"", "", ""},
        {"Example.COM", "example.com", "EXAMPLE.COM"},
        {"@[\\]^_`{", "@[\\]^_`{", "@[\\]^_`{"},           // the neighbours of A-Z and a-z
        {"\xc3\x9cUber", "\xc3\x9cuber", "\xc3\x9cUBER"},  // UTF-8 bytes stay as they are
        {"A\0b"s, "a\0b"s, "A\0B"s},
    };
    for (const auto& c : cases) {
        const std::string lower = to_lower(c.text);
        EXPECT_EQ(lower, c.want_lower)
            << "to_lower(\"" << c.text << "\"): got " << lower << ", want " << c.want_lower;
        std::string in_place = c.text;
        lower_in_place(in_place);
        EXPECT_EQ(in_place, c.want_lower) << "lower_in_place(\"" << c.text << "\")";
        const std::string upper = to_upper(c.text);
        EXPECT_EQ(upper, c.want_upper)
            << "to_upper(\"" << c.text << "\"): got " << upper << ", want " << c.want_upper;
    }
}

TEST(Ascii, ComparesWithoutCase) {
    struct Case {
        std::string a;
        std::string b;
        bool equal;        // iequals(a, b)
        bool starts_with;  // istarts_with(a, b)
    } cases[] = {
        {"", "", true, true},
        {"SMTPUTF8", "smtputf8", true, true},
        {"Message-ID", "message-id", true, true},
        {"SIZE", "SIZ", false, true},
        {"SIZ", "SIZE", false, false},
        {"[", "{", false, false},  // only ASCII letters fold
        {"@", "`", false, false},
        {"\xc3\x9c", "\xc3\xbc", false, false},
        {"MAIL FROM:<a@b>", "mail", false, true},
        {"MA\0L"s, "MAIL", false, false},
        {"X\0Y"s, "x\0y"s, true, true},
        {"X\0Y"s, "x\0Z"s, false, false},  // past a NUL too (strncasecmp would stop there)
        {"Bearer token", "bearer ", false, true},
    };
    for (const auto& c : cases) {
        const bool equal = iequals(c.a, c.b);
        EXPECT_EQ(equal, c.equal) << "iequals(\"" << c.a << "\", \"" << c.b << "\"): got " << equal
                                  << ", want " << c.equal;
        EXPECT_EQ(iequals(c.b, c.a), equal) << "iequals is symmetric: " << c.a << ", " << c.b;
        const bool starts_with = istarts_with(c.a, c.b);
        EXPECT_EQ(starts_with, c.starts_with)
            << "istarts_with(\"" << c.a << "\", \"" << c.b << "\"): got " << starts_with
            << ", want " << c.starts_with;
    }
}

TEST(Ascii, EightBitIsAnyByteFrom0x80) {
    using namespace std::string_literals;
    const std::pair<std::string, bool> cases[] = {
        {"", false},
        {"plain ASCII\r\n\x7f", false},
        {"\0 NUL is ASCII"s, false},
        {"caf\xc3\xa9", true},
        {"\x80", true},
        {"\xff at the start", true},
    };
    for (const auto& [text, want] : cases) {
        EXPECT_EQ(has_eight_bit(text), want) << "\"" << text << "\"";
    }
}

}  // namespace
}  // namespace sluice::policy::text
