// Tests for the "keys" list of sluice.conf(5) (DKIM signing keys) as read by load_config_text:
// tables of {config text, want errors}, then the model it fills.
#include "policy/config/load_keys.hpp"

#include <gtest/gtest.h>

#include <string>

#include "policy/config/load.hpp"
#include "tests/unit/policy/config/load_cases.hpp"

namespace sluice::policy::config {
namespace {

using testing::joined;
using testing::run;

// Lines 1-3: the required settings; `extra` starts on line 4.
std::string with(std::string_view extra) {
    return "hostname = \"mx.example.com\";\n"
           "spool = { directory = \"spool\"; };\n"
           "smtp = { listen = ( { address = \"127.0.0.1\"; port = 2525; } ); };\n" +
           std::string(extra) + "\n";
}

TEST(LoadKeysConfig, AcceptsValidKeys) {
    run({
        {"no keys", with("keys = ();"), {}},
        {"minimal key",
         with("keys = ( { domain = \"example.com\"; selector = \"s1\"; private_key = \"k.pem\"; } "
              ");"),
         {}},
        {"every setting",
         with("pools = ( { name = \"bulk\"; sources = ( { name = \"b\"; } ); } );\n"
              "keys = ( { domain = \"example.com\"; selector = \"s1\"; private_key = \"k.pem\";\n"
              " algorithm = \"ed25519-sha256\"; subdomains = true; pools = [ \"bulk\" ]; },\n"
              " { domain = \"example.com\"; selector = \"s2\"; private_key = \"r.pem\";\n"
              " algorithm = \"rsa-sha256\"; } );"),
         {}},
    });
}

TEST(LoadKeysConfig, ReportsBadKeys) {
    run({
        {"missing settings",
         with("keys = ( { algorithm = \"rsa-sha256\"; } );"),
         {"t.conf:4: keys.[0].domain: required setting is missing",
          "t.conf:4: keys.[0].selector: required setting is missing",
          "t.conf:4: keys.[0].private_key: required setting is missing"}},
        {"bad names and algorithm",
         with("keys = ( { domain = \"exa mple.com\";\n selector = \"s_1\";\n"
              " private_key = \"\";\n algorithm = \"rsa-sha1\"; subdomains = 1;\n key = 2; } );"),
         {"t.conf:8: keys.[0].key: unknown setting",
          "t.conf:4: keys.[0].domain: not a valid domain name",
          "t.conf:5: keys.[0].selector: not a valid selector (letters, digits, hyphens and dots)",
          "t.conf:6: keys.[0].private_key: must not be empty",
          "t.conf:7: keys.[0].algorithm: must be \"rsa-sha256\" or \"ed25519-sha256\" (or left "
          "out: from the key)",
          "t.conf:7: keys.[0].subdomains: expected true or false, got an integer"}},
        {"same domain and selector twice",
         with("keys = ( { domain = \"example.com\"; selector = \"s1\"; private_key = \"a\"; },\n"
              " { domain = \"Example.COM\"; selector = \"S1\"; private_key = \"b\"; } );"),
         {"t.conf:5: keys.[1].selector: domain and selector (s1._domainkey.example.com) are "
          "used already by keys.[0]"}},
        {"a pool nobody defines",
         with("keys = ( { domain = \"example.com\"; selector = \"s1\"; private_key = \"a\";\n"
              " pools = [ \"default\", \"vip\" ]; } );"),
         {"t.conf:5: keys.[0].pools.[1]: no pool is named \"vip\""}},
    });
}

TEST(LoadKeysConfig, FillsTheModel) {
    LoadResult result = load_config_text(
        with("keys = ( { domain = \"Example.COM\"; selector = \"S1\"; private_key = \"k.pem\";\n"
             " subdomains = true; pools = [ \"bulk\", \"news\" ]; } );\n"
             "pools = ( { name = \"bulk\"; sources = ( { name = \"b\"; } ); },\n"
             " { name = \"news\"; sources = ( { name = \"n\"; } ); } );"),
        "t.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    ASSERT_EQ(result.config->keys.size(), 1u);
    const DkimKey& key = result.config->keys[0];
    EXPECT_EQ(key.domain, "example.com");
    EXPECT_EQ(key.selector, "s1");
    EXPECT_EQ(key.private_key, "k.pem");
    EXPECT_EQ(key.algorithm, DkimAlgorithm::from_key);
    EXPECT_TRUE(key.subdomains);
    EXPECT_EQ(key.pools, (std::vector<std::string>{"bulk", "news"}));
    EXPECT_EQ(key.private_key_place.file, "t.conf");
    EXPECT_EQ(key.private_key_place.line, 4);
    EXPECT_EQ(key.private_key_place.setting, "keys.[0].private_key");
}

}  // namespace
}  // namespace sluice::policy::config
