// Table tests for IpAddress and Cidr: parsing, canonical output, prefix matching, IPv4-mapped.
#include "policy/net/cidr.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::net {
namespace {

IpAddress address(std::string_view text) {
    auto parsed = IpAddress::parse(text);
    EXPECT_TRUE(parsed.has_value()) << "test address " << text << " does not parse";
    return parsed.value_or(IpAddress{});
}

TEST(IpAddress, ParseAndFormat) {
    struct Case {
        std::string_view input;
        std::string_view want;  // to_string() of the result, or "nullopt"
    } cases[] = {
        {"127.0.0.1", "127.0.0.1"},
        {"0.0.0.0", "0.0.0.0"},
        {"255.255.255.255", "255.255.255.255"},
        {"::1", "::1"},
        {"::", "::"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"2001:DB8::A", "2001:db8::a"},
        {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
        {"fe80::1%eth0", "nullopt"},
        {"256.0.0.1", "nullopt"},
        {"1.2.3", "nullopt"},
        {"1.2.3.4.5", "nullopt"},
        {"01.2.3.4", "nullopt"},
        {" 1.2.3.4", "nullopt"},
        {"1.2.3.4 ", "nullopt"},
        {"localhost", "nullopt"},
        {"1:2:3:4:5:6:7:8:9", "nullopt"},
        {"[::1]", "nullopt"},
        {"", "nullopt"},
        {std::string_view("1.2.3.4\0x", 9), "nullopt"},
        {"1111:2222:3333:4444:5555:6666:7777:8888:", "nullopt"},
    };
    for (const auto& c : cases) {
        auto parsed = IpAddress::parse(c.input);
        std::string got = parsed ? parsed->to_string() : "nullopt";
        EXPECT_EQ(got, c.want) << "IpAddress::parse(\"" << c.input << "\"): got " << got
                               << ", want " << c.want;
    }
}

TEST(IpAddress, FamilyAndBytes) {
    auto v4 = address("10.1.2.3");
    EXPECT_EQ(v4.family, IpAddress::Family::v4);
    EXPECT_EQ(v4.bytes[0], 10);
    EXPECT_EQ(v4.bytes[3], 3);
    EXPECT_EQ(v4.bytes[4], 0);
    EXPECT_EQ(address("::1").family, IpAddress::Family::v6);
    EXPECT_EQ(address("::1").bytes[15], 1);
}

TEST(Cidr, ParseAndFormat) {
    struct Case {
        std::string_view input;
        std::string_view want;  // to_string() of the result, or "nullopt"
    } cases[] = {
        {"127.0.0.0/8", "127.0.0.0/8"},
        {"127.0.0.1/8", "127.0.0.0/8"},  // host bits cleared
        {"10.0.0.1", "10.0.0.1/32"},     // a bare address is a host route
        {"0.0.0.0/0", "0.0.0.0/0"},
        {"192.168.1.255/23", "192.168.0.0/23"},
        {"10.0.0.0/32", "10.0.0.0/32"},
        {"::1/128", "::1/128"},
        {"::1", "::1/128"},
        {"2001:db8::ff/64", "2001:db8::/64"},
        {"2001:db8:ffff::/33", "2001:db8:8000::/33"},
        {"::/0", "::/0"},
        {"::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"},
        {"10.0.0.0/33", "nullopt"},
        {"::/129", "nullopt"},
        {"10.0.0.0/", "nullopt"},
        {"10.0.0.0/-1", "nullopt"},
        {"10.0.0.0/+8", "nullopt"},
        {"10.0.0.0/8/8", "nullopt"},
        {"10.0.0.0/8 ", "nullopt"},
        {"10.0.0.0/0008", "nullopt"},
        {"10.0.0.0/4294967304", "nullopt"},  // 2^32 + 8 must not wrap to 8
        {"/8", "nullopt"},
        {"10.0.0/8", "nullopt"},
        {"example.com/8", "nullopt"},
        {"", "nullopt"},
    };
    for (const auto& c : cases) {
        auto parsed = Cidr::parse(c.input);
        std::string got = parsed ? parsed->to_string() : "nullopt";
        EXPECT_EQ(got, c.want) << "Cidr::parse(\"" << c.input << "\"): got " << got << ", want "
                               << c.want;
    }
}

TEST(Cidr, Contains) {
    struct Case {
        std::string_view network;
        std::string_view address;
        bool want;
    } cases[] = {
        {"127.0.0.0/8", "127.0.0.1", true},
        {"127.0.0.0/8", "127.255.255.255", true},
        {"127.0.0.0/8", "128.0.0.1", false},
        {"127.0.0.0/8", "126.255.255.255", false},
        {"10.0.0.1/32", "10.0.0.1", true},
        {"10.0.0.1/32", "10.0.0.2", false},
        {"0.0.0.0/0", "203.0.113.9", true},
        {"192.168.0.0/23", "192.168.1.200", true},
        {"192.168.0.0/23", "192.168.2.1", false},
        {"172.16.0.0/12", "172.31.255.255", true},
        {"172.16.0.0/12", "172.32.0.0", false},
        {"::1/128", "::1", true},
        {"::1/128", "::2", false},
        {"2001:db8::/32", "2001:db8:ffff::1", true},
        {"2001:db8::/32", "2001:db9::1", false},
        {"2001:db8::/33", "2001:db8:7fff::1", true},
        {"2001:db8::/33", "2001:db8:8000::1", false},
        {"::/0", "2001:db8::1", true},
        // IPv4-mapped IPv6 clients match IPv4 networks, and IPv4 clients match mapped networks.
        {"127.0.0.0/8", "::ffff:127.0.0.1", true},
        {"127.0.0.0/8", "::ffff:128.0.0.1", false},
        {"10.0.0.0/8", "::ffff:a00:1", true},
        {"::ffff:10.0.0.0/104", "10.9.9.9", true},
        {"::ffff:10.0.0.0/104", "11.0.0.1", false},
        // Other IPv6 addresses never match IPv4 networks, and the reverse.
        {"0.0.0.0/0", "::1", false},
        {"0.0.0.0/0", "::127.0.0.1", false},
        {"0.0.0.0/0", "::fffe:127.0.0.1", false},
        {"::1/128", "0.0.0.1", false},
        {"2001:db8::/32", "32.1.13.184", false},
    };
    for (const auto& c : cases) {
        auto network = Cidr::parse(c.network);
        ASSERT_TRUE(network) << c.network;
        bool got = network->contains(address(c.address));
        EXPECT_EQ(got, c.want) << c.network << " contains " << c.address << ": got " << got
                               << ", want " << c.want;
    }
}

TEST(Cidr, AnyContains) {
    std::vector<Cidr> networks{*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")};
    EXPECT_TRUE(any_contains(networks, address("127.0.0.2")));
    EXPECT_TRUE(any_contains(networks, address("::1")));
    EXPECT_TRUE(any_contains(networks, address("::ffff:127.0.0.2")));
    EXPECT_FALSE(any_contains(networks, address("192.0.2.1")));
    EXPECT_FALSE(any_contains({}, address("127.0.0.1")));
}

}  // namespace
}  // namespace sluice::policy::net
