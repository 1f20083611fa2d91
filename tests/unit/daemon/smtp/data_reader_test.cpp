#include "daemon/smtp/data_reader.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <vector>

#include "split_plans.hpp"

namespace sluice::daemon::smtp {
namespace {

// Everything observable about one DATA phase, as one line of text.
std::string describe(bool done, std::string_view content, std::uint64_t size, bool too_large,
                     bool bare, std::string_view rest) {
    return fmt::format("done={} content={} size={} too_large={} bare={} rest={}", done,
                       testing::PrintToString(std::string(content)), size, too_large, bare,
                       testing::PrintToString(std::string(rest)));
}

// Feeds `input` cut at `cuts` the way a session does: what the reader leaves unconsumed stays
// pending and is offered again with the next read.
std::string feed(std::string_view input, const std::vector<std::size_t>& cuts,
                 std::uint64_t max_size = 1 << 20) {
    DataReader reader(max_size);
    std::string pending;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size() && !reader.done(); ++i) {
        std::size_t to = i < cuts.size() ? cuts[i] : input.size();
        pending.append(input.substr(from, to - from));
        from = to;
        std::size_t used = reader.consume(pending);
        if (!reader.done()) {
            EXPECT_EQ(used, pending.size()) << "a reader that is not done takes everything";
        }
        pending.erase(0, used);
    }
    std::string rest = pending + std::string(input.substr(from));
    std::string content = reader.done() ? reader.take_content() : "";
    return describe(reader.done(), content, reader.size(), reader.too_large(),
                    reader.saw_bare_line_ending(), rest);
}

struct Case {
    std::string name;
    std::string input;
    std::string want;
};

std::string ended(std::string_view content, bool bare, std::string_view rest = "") {
    return describe(true, content, content.size(), false, bare, rest);
}

const std::vector<Case>& cases() {
    static const std::vector<Case> table = {
        // The end of data, and what follows it.
        {"empty message", ".\r\n", ended("", false)},
        {"one line", "a\r\n.\r\n", ended("a\r\n", false)},
        {"pipelined command after the end", "a\r\n.\r\nQUIT\r\n",
         ended("a\r\n", false, "QUIT\r\n")},
        {"second dot line is left", ".\r\n.\r\n", ended("", false, ".\r\n")},
        {"empty lines", "\r\n\r\n.\r\n", ended("\r\n\r\n", false)},
        {"not yet ended", "a\r\n.", describe(false, "", 3, false, false, "")},
        {"not yet ended after dot CR", "a\r\n.\r", describe(false, "", 3, false, false, "")},
        {"nothing", "", describe(false, "", 0, false, false, "")},
        // Smuggling variants (CVE-2023-51764/5/6): none ends DATA; each is content, with the
        // bare line endings repaired, and the command behind it is content too.
        {"LF.LF", "a\n.\nMAIL FROM:<x@y>\r\n.\r\n", ended("a\r\n.\r\nMAIL FROM:<x@y>\r\n", true)},
        {"CR.CR", "a\r.\rMAIL FROM:<x@y>\r\n.\r\n", ended("a\r\n.\r\nMAIL FROM:<x@y>\r\n", true)},
        {"LF.CRLF", "a\n.\r\nMAIL FROM:<x@y>\r\n.\r\n",
         ended("a\r\n.\r\nMAIL FROM:<x@y>\r\n", true)},
        {"CRLF.LF", "a\r\n.\nMAIL FROM:<x@y>\r\n.\r\n",
         ended("a\r\n.\r\nMAIL FROM:<x@y>\r\n", true)},
        {"CR.CRLF", "a\r.\r\nMAIL FROM:<x@y>\r\n.\r\n",
         ended("a\r\n.\r\nMAIL FROM:<x@y>\r\n", true)},
        {"CRLF.CR+x", "a\r\n.\rMAIL FROM:<x@y>\r\n.\r\n",
         ended("a\r\n.\r\nMAIL FROM:<x@y>\r\n", true)},
        {"CRLF.CRCRLF", "a\r\n.\r\r\n.\r\n", ended("a\r\n.\r\n\r\n", true)},
        {"brief example", "a\n.\nb\r\n.\r\n", ended("a\r\n.\r\nb\r\n", true)},
        {"LF.CRLF first", "\n.\r\n.\r\n", ended("\r\n.\r\n", true)},
        {"dot LF first", ".\n.\r\n.\r\n", ended(".\r\n.\r\n", true)},
        {"dot CR first", ".\r.\r\n.\r\n", ended(".\r\n.\r\n", true)},
        {"CR CRLF", "a\r\r\n.\r\n", ended("a\r\n\r\n", true)},
        {"LF CRLF", "\n\r\n.\r\n", ended("\r\n\r\n", true)},
        {"LF LF", "\n\n.\r\n", describe(false, "", 7, false, true, "")},
        // Dot-unstuffing (RFC 5321 §4.5.2), only for lines that start after CRLF.
        {"stuffed lone dot", "..\r\n.\r\n", ended(".\r\n", false)},
        {"stuffed first line", ".x\r\n.\r\n", ended("x\r\n", false)},
        {"stuffed dots", "a\r\n...\r\n.\r\n", ended("a\r\n..\r\n", false)},
        {"stuffed then bare CR", "..\r.\r\n.\r\n", ended(".\r\n.\r\n", true)},
        {"dot after bare LF kept", "a\n..\r\n.\r\n", ended("a\r\n..\r\n", true)},
        {"dot after bare CR kept", "a\r..\r\n.\r\n", ended("a\r\n..\r\n", true)},
        {"dot mid line", "a.b\r\n.\r\n", ended("a.b\r\n", false)},
        {"dot space", ". \r\n.\r\n", ended(" \r\n", false)},
    };
    return table;
}

TEST(DataReader, SplitAtEveryOffset) {
    for (const Case& c : cases()) {
        for (const auto& plan : split_plans(c.input.size())) {
            std::string got = feed(c.input, plan);
            EXPECT_EQ(got, c.want) << c.name << " in " << plan.size() + 1 << " pieces: got " << got
                                   << ", want " << c.want;
        }
    }
}

TEST(DataReader, SizeCap) {
    struct CapCase {
        std::string input;
        std::uint64_t max_size;
        std::string want;
    };
    const std::vector<CapCase> cases = {
        {"12345678\r\n.\r\n", 10, describe(true, "12345678\r\n", 10, false, false, "")},
        {"123456789\r\n.\r\n", 10, describe(true, "123456789\r", 11, true, false, "")},
        {"0123456789ABCDEF\r\n.\r\nQUIT\r\n", 10,
         describe(true, "0123456789", 18, true, false, "QUIT\r\n")},
        // The cap counts stored octets: after unstuffing, with bare endings repaired.
        {"..\r\n.\r\n", 3, describe(true, ".\r\n", 3, false, false, "")},
        {"a\nb\r\n.\r\n", 4, describe(true, "a\r\nb", 6, true, true, "")},
        {"abc\r\n.\r\n", 0, describe(true, "", 5, true, false, "")},
    };
    for (const CapCase& c : cases) {
        for (const auto& plan : split_plans(c.input.size())) {
            std::string got = feed(c.input, plan, c.max_size);
            EXPECT_EQ(got, c.want) << testing::PrintToString(c.input) << " max " << c.max_size
                                   << ": got " << got << ", want " << c.want;
        }
    }
}

TEST(DataReader, ConsumesNothingOnceDone) {
    DataReader reader(100);
    EXPECT_EQ(reader.consume("x\r\n.\r\nMAIL"), 6u);
    EXPECT_TRUE(reader.done());
    EXPECT_EQ(reader.consume("MAIL FROM:<a@b>\r\n"), 0u);
    EXPECT_EQ(reader.take_content(), "x\r\n");
}

// The rules of data_reader.hpp restated line by line: cut the stream into lines with their
// endings (CRLF, bare CR, bare LF), then apply rules 2-5 per line.
struct Reference {
    std::string content;
    bool bare = false;
    std::size_t used = 0;
    bool done = false;
};

Reference reference_read(std::string_view input) {
    Reference ref;
    bool after_crlf = true;  // rule 1
    std::size_t i = 0;
    while (i < input.size()) {
        std::size_t end = input.find_first_of("\r\n", i);
        if (end == std::string_view::npos) break;  // unfinished line
        std::string_view text = input.substr(i, end - i);
        bool crlf = input[end] == '\r' && end + 1 < input.size() && input[end + 1] == '\n';
        if (input[end] == '\r' && end + 1 == input.size()) break;  // CR: ending not known yet
        std::size_t next = end + (crlf ? 2 : 1);
        if (after_crlf && text == "." && crlf) {  // rule 2
            ref.done = true;
            ref.used = next;
            return ref;
        }
        if (after_crlf && text.size() > 1 && text[0] == '.') text.remove_prefix(1);  // rule 3
        ref.content += text;
        ref.content += "\r\n";  // rule 5
        ref.bare = ref.bare || !crlf;
        after_crlf = crlf;
        i = next;
    }
    return ref;
}

// Every string of up to 7 octets over {".", CR, LF, "x"}, followed by a CRLF.CRLF so that each
// ends: the reader, fed whole and byte by byte, agrees with the reference.
TEST(DataReader, AgreesWithLineByLineReferenceExhaustively) {
    const std::string alphabet = ".\r\nx";
    std::vector<std::string> inputs = {""};
    for (std::size_t length = 1, begin = 0; length <= 7; ++length) {
        std::size_t end = inputs.size();
        for (std::size_t k = begin; k < end; ++k) {
            for (char c : alphabet) inputs.push_back(inputs[k] + c);
        }
        begin = end;
    }
    for (const std::string& prefix : inputs) {
        std::string input = prefix + "\r\n.\r\nQUIT\r\n";
        Reference ref = reference_read(input);
        ASSERT_TRUE(ref.done);
        std::string want = describe(true, ref.content, ref.content.size(), false, ref.bare,
                                    input.substr(ref.used));
        std::vector<std::size_t> every(input.size());
        for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
        for (const auto& plan : {std::vector<std::size_t>{}, every}) {
            std::string got = feed(input, plan);
            ASSERT_EQ(got, want) << "input " << testing::PrintToString(input) << ": got " << got
                                 << ", want " << want;
        }
    }
}

TEST(DataReader, LongMessageInLargeReads) {
    std::string line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n";
    std::string input;
    std::string want;
    for (int i = 0; i < 2000; ++i) {
        input += i % 10 == 0 ? "." + line : line;  // a stuffed line every tenth
        want += line;
    }
    input += ".\r\n";
    DataReader reader(10 << 20);
    std::size_t used = 0;
    for (std::size_t from = 0; from < input.size() && !reader.done(); from += 4096) {
        used += reader.consume(std::string_view(input).substr(from, 4096));
    }
    ASSERT_TRUE(reader.done());
    EXPECT_EQ(used, input.size());
    EXPECT_FALSE(reader.saw_bare_line_ending());
    EXPECT_EQ(reader.take_content(), want);
}

}  // namespace
}  // namespace sluice::daemon::smtp
