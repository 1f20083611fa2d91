#include "daemon/dns/dns_name.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::dns {
namespace {

TEST(NormalizeName, Table) {
    struct Case {
        std::string input;
        std::optional<std::string> want;
    };
    const Case cases[] = {
        {"Example.COM", "example.com"},
        {"mx1.example.com.", "mx1.example.com"},
        {"_dmarc.example.com", "_dmarc.example.com"},
        {"127.0.0.1", "127.0.0.1"},
        {"", std::nullopt},
        {".", std::nullopt},
        {"a..b", std::nullopt},
        {".a", std::nullopt},
        {"a b.com", std::nullopt},
        {"a\\.com", std::nullopt},
        {"a\n.com", std::nullopt},
        {std::string(63, 'a') + ".com", std::string(63, 'a') + ".com"},
        {std::string(64, 'a') + ".com", std::nullopt},
        {std::string(253, 'a'), std::nullopt},  // a 253-octet label is too long anyway
    };
    for (const auto& c : cases) {
        const auto got = normalize_name(c.input);
        EXPECT_EQ(got, c.want) << "input \"" << c.input << "\": got "
                               << (got ? "\"" + *got + "\"" : "nullopt") << ", want "
                               << (c.want ? "\"" + *c.want + "\"" : "nullopt");
    }
}

TEST(NormalizeName, LengthLimitIs253) {
    std::string name;
    while (name.size() < 253) name += (name.empty() ? "" : ".") + std::string(9, 'a');
    name.resize(253);
    if (name.back() == '.') name.back() = 'a';
    EXPECT_TRUE(normalize_name(name)) << name.size();
    EXPECT_FALSE(normalize_name(name + "a"));
}

}  // namespace
}  // namespace sluice::daemon::dns
