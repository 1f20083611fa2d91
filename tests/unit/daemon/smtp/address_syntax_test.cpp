#include "daemon/smtp/address_syntax.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::daemon::smtp {
namespace {

struct Case {
    std::string input;
    bool want;
};

template <typename Check>
void run(const char* what, Check check, const std::vector<Case>& cases) {
    for (const Case& c : cases) {
        bool got = check(c.input);
        EXPECT_EQ(got, c.want) << what << "(" << testing::PrintToString(c.input) << "): got " << got
                               << ", want " << c.want;
    }
}

// 255 octets: four labels of 63 and three dots.
std::string longest_domain() {
    std::string label(63, 'x');
    return label + "." + label + "." + label + "." + label;
}

TEST(AddressSyntax, IsValidDomain) {
    run("is_valid_domain", is_valid_domain,
        {{"example.com", true},
         {"localhost", true},
         {"a-b.c", true},
         {"1.2.3.4", true},
         {"xn--bcher-kva.example", true},
         {"b\xc3\xbc"
          "cher.example",
          true},
         {"", false},
         {".", false},
         {"a.", false},
         {".a", false},
         {"a..b", false},
         {"-a.b", false},
         {"a-.b", false},
         {"a_b.c", false},
         {"a b", false},
         {std::string(63, 'x') + ".example", true},
         {std::string(64, 'x') + ".example", false},
         {longest_domain(), true},
         {"a." + longest_domain(), false}});
}

TEST(AddressSyntax, IsValidAddressLiteral) {
    run("is_valid_address_literal", is_valid_address_literal,
        {{"[192.0.2.1]", true},
         {"[IPv6:::1]", true},
         {"[ipv6:2001:db8::1]", true},
         {"[IPv6:::ffff:192.0.2.1]", true},
         {"[256.0.0.1]", false},
         {"[1.2.3]", false},
         {"[01.2.3.4]", false},
         {"[::1]", false},
         {"[IPv6:]", false},
         {"[IPv6:1::2::3]", false},
         {"[tag:x]", false},
         {"[]", false},
         {"192.0.2.1", false},
         {"[192.0.2.1", false},
         {"[" + std::string(60, '1') + "]", false}});
}

TEST(AddressSyntax, IsValidMailbox) {
    run("is_valid_mailbox", is_valid_mailbox,
        {{"a@b", true},
         {"\"\"@b", true},
         {"\"a\\ b\"@b", true},
         {"\"a\\\x01\"@b", false},
         {"\"a\x01\"@b", false},
         {"\"a\"@", false},
         {"\"a\"", false},
         {"a@b@c", false},
         {"@b", false},
         {"a@", false},
         {"a", false},
         {"a@[127.0.0.1]", true},
         {"\xc3\xa9@b", true},
         {"\xc3@b", false},
         {"a\x7f@b", false}});
}

TEST(AddressSyntax, StripSourceRoute) {
    struct RouteCase {
        std::string input;
        std::string want;  // "!" for nullopt
    };
    const std::vector<RouteCase> cases = {
        {"a@b", "a@b"},
        {"@r:a@b", "a@b"},
        {"@r1,@r2.example:a@b", "a@b"},
        {"@r1,@r2:\"x:y\"@b", "\"x:y\"@b"},
        {"@r", "!"},
        {"@:a@b", "!"},
        {"@r,:a@b", "!"},
        {"@r,r2:a@b", "!"},
        {"@r..x:a@b", "!"},
    };
    for (const RouteCase& c : cases) {
        std::optional<std::string_view> result = strip_source_route(c.input);
        std::string got = result ? std::string(*result) : "!";
        EXPECT_EQ(got, c.want) << c.input << ": got " << got << ", want " << c.want;
    }
}

TEST(AddressSyntax, IsValidUtf8) {
    run("is_valid_utf8", is_valid_utf8,
        {{"", true},
         {"ascii", true},
         {"\xc3\xbc", true},
         {"\xe2\x82\xac", true},
         {"\xf0\x9f\x98\x80", true},
         {"\xf4\x8f\xbf\xbf", true},
         {"\xc3", false},
         {"\xc0\xaf", false},
         {"\xc1\xbf", false},
         {"\xe0\x80\xaf", false},
         {"\xed\xa0\x80", false},
         {"\xf4\x90\x80\x80", false},
         {"\xf5\x80\x80\x80", false},
         {"\x80", false},
         {"\xff", false},
         {"\xe2\x82", false},
         {"\xe2\x28\xa1", false}});
}

}  // namespace
}  // namespace sluice::daemon::smtp
