#include "daemon/smtp/sasl_response.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "daemon/codec/base64.hpp"

namespace sluice::daemon::smtp {
namespace {

using namespace std::string_literals;

TEST(DecodeBase64, Table) {
    struct Case {
        std::string in;
        std::optional<std::string> want;
    };
    for (const auto& c : {
             Case{"=", ""s},
             Case{"YQ==", "a"s},
             Case{"YWI=", "ab"s},
             Case{"YWJj", "abc"s},
             Case{"AGFsaWNlAHNlY3JldA==", "\0alice\0secret"s},
             Case{"", std::nullopt},
             Case{"YQ=", std::nullopt},       // not a multiple of 4
             Case{"YQ==YQ==", std::nullopt},  // padding in the middle
             Case{"Y Q==", std::nullopt},     // whitespace
             Case{"YQ\r\n", std::nullopt},
             Case{"Y!==", std::nullopt},
             Case{"====", std::nullopt},
             Case{"*", std::nullopt},
         }) {
        const auto got = decode_base64(c.in);
        EXPECT_EQ(got, c.want) << "input \"" << c.in << "\": got "
                               << (got ? "\"" + *got + "\"" : "nullopt");
    }
}

TEST(EncodeBase64, RoundTrips) {
    for (const std::string& text : {""s, "a"s, "ab"s, "abc"s, "\0u\0p\xff"s}) {
        const std::string encoded = codec::encode_base64(text);
        EXPECT_EQ(decode_base64(encoded.empty() ? "=" : encoded), text) << encoded;
    }
    EXPECT_EQ(codec::encode_base64("Username:"), "VXNlcm5hbWU6");
}

TEST(ParsePlain, Table) {
    struct Case {
        std::string in;
        bool ok;
        std::string user;
        std::string password;
    };
    for (const auto& c : {
             Case{"\0alice\0secret"s, true, "alice", "secret"},
             Case{"alice\0alice\0secret"s, true, "alice", "secret"},
             Case{"bob\0alice\0secret"s, false, "", ""},  // no proxy authorization
             Case{"\0\0secret"s, false, "", ""},
             Case{"\0alice\0"s, false, "", ""},
             Case{"\0alice"s, false, "", ""},
             Case{"alice"s, false, "", ""},
             Case{"\0alice\0sec\0ret"s, false, "", ""},
         }) {
        const auto got = parse_plain(c.in);
        ASSERT_EQ(got.has_value(), c.ok) << "case with user " << c.user;
        if (got) {
            EXPECT_EQ(got->user, c.user);
            EXPECT_EQ(got->password, c.password);
        }
    }
}

}  // namespace
}  // namespace sluice::daemon::smtp
