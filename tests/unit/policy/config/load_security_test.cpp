// The transport-security settings of sluice.conf(5): per-listener tls and the shared
// certificate and key. Tables of {config, want errors}, then the model they fill.
#include "policy/config/load.hpp"

#include <gtest/gtest.h>

#include <string>

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

constexpr std::string_view kFiles = "tls_certificate = \"/c.pem\"; tls_key = \"/k.pem\";";

TEST(LoadSecurityConfig, AcceptsValidSettings) {
    run({
        {"starttls", config("tls = \"starttls\";", kFiles), {}},
        {"implicit", config("tls = \"implicit\";", kFiles), {}},
        {"files without a TLS listener", config("", kFiles), {}},
    });
}

TEST(LoadSecurityConfig, ReportsBadSettings) {
    run({
        {"unknown tls mode", config("tls = \"yes\";", kFiles),
         {"t.conf:3: smtp.listen.[0].tls: must be \"none\", \"starttls\" or \"implicit\""}},
        {"tls without a certificate", config("tls = \"starttls\";"),
         {"t.conf:3: smtp.tls_certificate: required when a listener has tls set"}},
        {"tls without a key", config("tls = \"implicit\";", "tls_certificate = \"/c.pem\";"),
         {"t.conf:3: smtp.tls_key: required when a listener has tls set"}},
    });
}

TEST(LoadSecurityConfig, FillsTheModel) {
    auto result = load_config_text(config("tls = \"implicit\";", kFiles), "t.conf");
    ASSERT_TRUE(result.config) << testing::joined(result.errors);
    const Config& c = *result.config;
    EXPECT_EQ(c.smtp.listen[0].tls, ListenerTls::implicit);
    EXPECT_EQ(c.smtp.tls_certificate, "/c.pem");
    EXPECT_EQ(c.smtp.tls_key, "/k.pem");
}

TEST(LoadSecurityConfig, AppliesDefaults) {
    auto result = load_config_text(config(""), "t.conf");
    ASSERT_TRUE(result.config) << testing::joined(result.errors);
    EXPECT_EQ(result.config->smtp.listen[0].tls, ListenerTls::none);
}

}  // namespace
}  // namespace sluice::policy::config
