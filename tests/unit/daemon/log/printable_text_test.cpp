#include "daemon/log/printable_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::daemon::log {
namespace {

TEST(PrintableText, EscapesWhatATerminalWouldActOn) {
    struct Case {
        std::string in, want;
    };
    const Case cases[] = {
        {"250 2.0.0 Ok", "250 2.0.0 Ok"},
        {"go\x1b[2J away\x07\x08", "go\\x1B[2J away\\x07\\x08"},
        {"line\r\nnext\tx", "line\\x0D\\x0Anext\\x09x"},
        {std::string("nul\0here", 8), "nul\\x00here"},
        {"del\x7f", "del\\x7F"},
        {"back\\slash \\x41", "back\\\\slash \\\\x41"},  // no escape can be forged
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7"},
        {"\xff\xfe", "\\xFF\\xFE"},
        {"\xc3(", "\\xC3("},                  // a lead byte without its continuation
        {"\xc0\xaf", "\\xC0\\xAF"},           // overlong "/"
        {"\xed\xa0\x80", "\\xED\\xA0\\x80"},  // a surrogate
        {"\xe2\x82", "\\xE2\\x82"},           // cut short at the end
    };
    for (const auto& c : cases) {
        const std::string got = printable_text(c.in);
        EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::daemon::log
