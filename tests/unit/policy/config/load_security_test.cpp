// The transport-security settings of sluice.conf(5): per-listener tls and auth, the shared
// certificate, key and users file, AUTH limits, delivery.tls. Tables of {config, want errors},
// then the model they fill.
#include <gtest/gtest.h>

#include <string>

#include "policy/config/load.hpp"
#include "tests/unit/policy/config/load_cases.hpp"

namespace sluice::policy::config {
namespace {

using namespace std::chrono_literals;
using testing::run;

constexpr std::string_view kPrelude =
    "hostname = \"mx.example.com\";\n"
    "spool = { directory = \"spool\"; };\n";

// Line 3: the listener with `listener_extra`; line 4 on: `smtp_extra`.
std::string config(std::string_view listener_extra, std::string_view smtp_extra = "") {
    return std::string(kPrelude) + "smtp = { listen = ( { address = \"127.0.0.1\"; port = 25; " +
           std::string(listener_extra) + " } );\n" + std::string(smtp_extra) + "\n};\n";
}

constexpr std::string_view kFiles =
    "tls_certificate = \"/c.pem\"; tls_key = \"/k.pem\"; auth_users_file = \"/users\";";

TEST(LoadSecurityConfig, AcceptsValidSettings) {
    run({
        {"starttls", config("tls = \"starttls\";", kFiles), {}},
        {"implicit with auth required",
         config("tls = \"implicit\"; auth = \"required\";", kFiles),
         {}},
        {"files without a TLS listener", config("", kFiles), {}},
        {"auth limits", config("", "auth_max_failures = 5; auth_failure_delay = \"250ms\";"), {}},
        {"delivery tls", config("") + "delivery = { tls = \"verified\"; };", {}},
    });
}

TEST(LoadSecurityConfig, ReportsBadSettings) {
    run({
        {"unknown tls mode",
         config("tls = \"yes\";", kFiles),
         {"t.conf:3: smtp.listen.[0].tls: must be \"none\", \"starttls\" or \"implicit\""}},
        {"unknown auth mode",
         config("tls = \"starttls\"; auth = \"maybe\";", kFiles),
         {"t.conf:3: smtp.listen.[0].auth: must be \"none\", \"optional\" or \"required\""}},
        {"tls without a certificate",
         config("tls = \"starttls\";"),
         {"t.conf:3: smtp.tls_certificate: required when a listener has tls set"}},
        {"tls without a key",
         config("tls = \"implicit\";", "tls_certificate = \"/c.pem\";"),
         {"t.conf:3: smtp.tls_key: required when a listener has tls set"}},
        {"auth without tls",
         config("auth = \"optional\";", kFiles),
         {"t.conf:3: smtp.listen.[0].auth: AUTH is offered only over TLS; set tls on this "
          "listener"}},
        {"auth without users",
         config("tls = \"starttls\"; auth = \"required\";",
                "tls_certificate = \"/c.pem\"; tls_key = \"/k.pem\";"),
         {"t.conf:3: smtp.auth_users_file: required when a listener has auth set"}},
        {"zero failures",
         config("", "auth_max_failures = 0;"),
         {"t.conf:4: smtp.auth_max_failures: must be between 1 and 100 (got 0)"}},
        {"unknown delivery tls",
         config("") + "delivery = { tls = \"always\"; };",
         {"t.conf:6: delivery.tls: must be \"none\", \"opportunistic\", \"required\" or "
          "\"verified\""}},
    });
}

TEST(LoadSecurityConfig, FillsTheModel) {
    auto result = load_config_text(config("tls = \"implicit\"; auth = \"required\";",
                                          std::string(kFiles) + " auth_max_failures = 4; "
                                                                "auth_failure_delay = \"2s\";") +
                                       "delivery = { tls = \"required\"; };",
                                   "t.conf");
    ASSERT_TRUE(result.config) << testing::joined(result.errors);
    const Config& c = *result.config;
    EXPECT_EQ(c.smtp.listen[0].tls, ListenerTls::implicit);
    EXPECT_EQ(c.smtp.listen[0].auth, ListenerAuth::required);
    EXPECT_EQ(c.smtp.tls_certificate, "/c.pem");
    EXPECT_EQ(c.smtp.tls_key, "/k.pem");
    EXPECT_EQ(c.smtp.auth_users_file, "/users");
    EXPECT_EQ(c.smtp.auth_max_failures, 4u);
    EXPECT_EQ(c.smtp.auth_failure_delay, 2s);
    EXPECT_EQ(c.delivery.tls, DeliveryTls::required);
}

TEST(LoadSecurityConfig, AppliesDefaults) {
    auto result = load_config_text(config(""), "t.conf");
    ASSERT_TRUE(result.config) << testing::joined(result.errors);
    const Config& c = *result.config;
    EXPECT_EQ(c.smtp.listen[0].tls, ListenerTls::none);
    EXPECT_EQ(c.smtp.listen[0].auth, ListenerAuth::none);
    EXPECT_EQ(c.smtp.auth_max_failures, 3u);
    EXPECT_EQ(c.smtp.auth_failure_delay, 1s);
    EXPECT_EQ(c.delivery.tls, DeliveryTls::opportunistic);
}

}  // namespace
}  // namespace sluice::policy::config
