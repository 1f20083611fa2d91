// Relaxed canonicalization against RFC 6376 §3.4.5's example and edge cases of §3.4.2/§3.4.4.
#include "daemon/dkim/relaxed_canonicalizer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sluice::daemon::dkim {
namespace {

struct Case {
    std::string input;
    std::string want;
};

std::string visible(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\r')
            out += "<CR>";
        else if (c == '\n')
            out += "<LF>";
        else if (c == '\t')
            out += "<HTAB>";
        else if (c == ' ')
            out += "<SP>";
        else
            out += c;
    }
    return out;
}

// RFC 6376 §3.4.5: the example message and its relaxed forms.
TEST(RelaxedCanonicalizer, Rfc6376Example) {
    EXPECT_EQ(canonicalize_header_relaxed("A: X"), "a:X\r\n");
    EXPECT_EQ(canonicalize_header_relaxed("B : Y\t\r\n\tZ  "), "b:Y Z\r\n");
    EXPECT_EQ(canonicalize_body_relaxed(" C \r\nD \t E\r\n\r\n\r\n"), " C\r\nD E\r\n");
}

TEST(RelaxedCanonicalizer, Headers) {
    const std::vector<Case> cases = {
        {"Subject: hello", "subject:hello\r\n"},
        {"SUBJECT:hello\r\n", "subject:hello\r\n"},        // its own line break
        {"Subject:  a \t b\t", "subject:a b\r\n"},         // runs and trailing WSP
        {"Subject: a\r\n b\r\n\tc", "subject:a b c\r\n"},  // unfolded
        {"Subject:\r\n a", "subject:a\r\n"},               // fold right after colon
        {"Subject \t: a", "subject:a\r\n"},                // WSP before colon
        {"Subject:", "subject:\r\n"},                      // empty value
        {"Subject: a:b: c", "subject:a:b: c\r\n"},         // later colons are value
        {"To: a@example.com,\n b@example.com", "to:a@example.com, b@example.com\r\n"},
        {"X-Odd:\xc3\xa9 t\xc3\xa9", "x-odd:\xc3\xa9 t\xc3\xa9\r\n"},  // 8-bit kept as is
    };
    for (const auto& c : cases) {
        const std::string got = canonicalize_header_relaxed(c.input);
        EXPECT_EQ(got, c.want) << "header " << visible(c.input) << ": got " << visible(got)
                               << ", want " << visible(c.want);
    }
}

TEST(RelaxedCanonicalizer, Bodies) {
    const std::vector<Case> cases = {
        {"", ""},                 // empty stays empty
        {"\r\n", ""},             // only empty lines: empty
        {"\r\n \t\r\n\r\n", ""},  // whitespace-only lines count as empty
        {"a", "a\r\n"},           // a final CRLF is added
        {"a\r\n", "a\r\n"},
        {"a  \t\r\n\r\nb\t\r\n\r\n \r\n", "a\r\n\r\nb\r\n"},  // inner empty line kept
        {"\r\n\r\na\r\n", "\r\n\r\na\r\n"},                   // leading empty lines kept
        {"  a  b  \r\n", " a b\r\n"},                         // leading WSP becomes one SP
        {"a\nb\rc\r\n", "a\r\nb\r\nc\r\n"},                   // bare LF / CR end lines, as sent
        {".\r\n..x\r\n", ".\r\n..x\r\n"},  // dots are content (stuffing comes later)
    };
    for (const auto& c : cases) {
        const std::string got = canonicalize_body_relaxed(c.input);
        EXPECT_EQ(got, c.want) << "body " << visible(c.input) << ": got " << visible(got)
                               << ", want " << visible(c.want);
    }
}

// Properties a fuzzer can check too: the output of each function is its own canonical form, it
// holds CR and LF only as CRLF line ends, and a canonical body is empty or ends in one CRLF.
TEST(RelaxedCanonicalizer, CanonicalFormsAreFixedPoints) {
    std::mt19937 random(6376);
    const std::string alphabet = "aB \t\r\n:";
    for (int round = 0; round < 20000; ++round) {
        std::string input(random() % 24, ' ');
        for (char& c : input) c = alphabet[random() % alphabet.size()];
        const std::string header = canonicalize_header_relaxed(input);
        const std::string body = canonicalize_body_relaxed(input);
        const std::string header_line = header.substr(0, header.size() - 2);
        EXPECT_EQ(canonicalize_header_relaxed(header_line), header) << visible(input);
        EXPECT_EQ(header_line.find_first_of("\r\n"), std::string::npos) << visible(input);
        EXPECT_EQ(canonicalize_body_relaxed(body), body) << visible(input);
        EXPECT_TRUE(body.empty() || (body.ends_with("\r\n") && !body.ends_with("\r\n\r\n")))
            << visible(input);
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '\n') EXPECT_TRUE(i > 0 && body[i - 1] == '\r') << visible(input);
            if (body[i] == '\r') EXPECT_TRUE(i + 1 < body.size() && body[i + 1] == '\n');
        }
    }
}

}  // namespace
}  // namespace sluice::daemon::dkim
