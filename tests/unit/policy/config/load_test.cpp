// Tests for load_config_text / load_config_file: every rule of sluice.conf(5) as a table of
// {config text, want errors}, plus files (includes, unreadable files, the bundled configs).
#include "policy/config/load.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/unit/policy/config/load_cases.hpp"

namespace sluice::policy::config {
namespace {

using namespace std::chrono_literals;
using testing::Case;
using testing::joined;
using testing::run;

// The repository root: SLUICE_SOURCE_DIR (ctest sets it), else from this file's path, which is
// relative (and useless) when ccache rewrites paths under CCACHE_BASEDIR.
std::string source_dir() {
    if (const char* dir = std::getenv("SLUICE_SOURCE_DIR"); dir && *dir) return dir;
    std::string here = __FILE__;
    return here.substr(0, here.rfind("/tests/unit/policy/config/"));
}

std::string testdata(const std::string& name) {
    return source_dir() + "/tests/unit/policy/config/testdata/" + name;
}

// Lines 1-2 of every table config: the required settings outside smtp.
constexpr std::string_view kPrelude =
    "hostname = \"mx.example.com\";\n"
    "spool = { directory = \"spool\"; };\n";

// kPrelude, then an smtp section with one listener (lines 3-4) and `extra` from line 5 on.
std::string with_smtp(std::string_view extra) {
    return std::string(kPrelude) +
           "smtp = {\n"
           "  listen = ( { address = \"127.0.0.1\"; port = 2525; } );\n" +
           std::string(extra) + "\n};\n";
}

TEST(LoadConfig, AcceptsValidSettings) {
    run({
        {"minimal", with_smtp(""), {}},
        {"sizes and durations",
         with_smtp(
             "max_message_size = \"1k\"; idle_timeout = \"1h30m\"; data_timeout = \"500ms\";"),
         {}},
        {"64-bit integers", with_smtp("max_message_size = 5368709120L;"), {}},
        {"64-bit integer without suffix", with_smtp("max_message_size = 5368709120;"), {}},
        {"hex integer", with_smtp("max_recipients = 0x10;"), {}},
        {"port 0 twice is not a duplicate",
         std::string(kPrelude) +
             "smtp = { listen = ( { address = \"127.0.0.1\"; port = 0; },\n"
             "                    { address = \"127.0.0.1\"; port = 0; } ); };\n",
         {}},
        {"per-ip equal to total",
         with_smtp("max_connections = 5; max_connections_per_ip = 5;"),
         {}},
        {"empty relay_networks", with_smtp("relay_networks = [];"), {}},
        {"relay_networks as a list", with_smtp("relay_networks = ( \"10.0.0.0/8\" );"), {}},
        {"status over IPv6", with_smtp("") + "status = { listen = \"[::1]:0\"; };", {}},
    });
}

TEST(LoadConfig, ReportsUnknownSettings) {
    run({
        {"typo in smtp",
         with_smtp("max_recipents = 10;"),
         {"t.conf:5: smtp.max_recipents: unknown setting"}},
        {"unknown top-level key",
         with_smtp("") + "\nhostnme = \"x\";",
         {"t.conf:8: hostnme: unknown setting"}},
        {"unknown key in a listener",
         std::string(kPrelude) + "smtp = { listen = ( { address = \"127.0.0.1\"; port = 25;\n"
                                 "                      prot = 26; } ); };\n",
         {"t.conf:4: smtp.listen.[0].prot: unknown setting"}},
        {"unknown key in spool and status",
         "hostname = \"h\";\n"
         "spool = { directory = \"s\"; compresion_level = 3; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };\n"
         "status = { token = \"x\"; };\n",
         {"t.conf:2: spool.compresion_level: unknown setting",
          "t.conf:4: status.token: unknown setting"}},
    });
}

TEST(LoadConfig, ReportsWrongTypes) {
    run({
        {"string for an integer",
         with_smtp("max_recipients = \"10\";"),
         {"t.conf:5: smtp.max_recipients: expected an integer, got a string"}},
        {"float for an integer",
         with_smtp("max_errors = 3.0;"),
         {"t.conf:5: smtp.max_errors: expected an integer, got a floating-point number"}},
        {"boolean for a size",
         with_smtp("max_message_size = true;"),
         {"t.conf:5: smtp.max_message_size: expected a size (bytes, or a string like \"64k\" "
          "or \"50M\"), got a boolean"}},
        {"integer for a duration",
         with_smtp("idle_timeout = 300;"),
         {"t.conf:5: smtp.idle_timeout: a duration needs a unit: write \"300s\" for 300 "
          "seconds"}},
        {"list for a duration",
         with_smtp("data_timeout = ( \"5m\" );"),
         {"t.conf:5: smtp.data_timeout: expected a duration string like \"30s\" or \"5m\", "
          "got a list"}},
        {"integer for a string",
         "hostname = 5;\nspool = { directory = \"s\"; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:1: hostname: expected a string, got an integer"}},
        {"section that is not a group",
         "hostname = \"h\";\nspool = \"/var/spool\";\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:2: spool: expected a group { ... }, got a string"}},
        {"listen as a group",
         std::string(kPrelude) + "smtp = {\n  listen = { address = \"::1\"; port = 25; };\n};",
         {"t.conf:4: smtp.listen: expected a list of groups ( { ... }, ... ), got a group"}},
        {"listener that is not a group",
         std::string(kPrelude) + "smtp = {\n  listen = ( \"127.0.0.1:25\" );\n};",
         {"t.conf:4: smtp.listen.[0]: expected a group { ... }, got a string"}},
        {"relay_networks as a string",
         with_smtp("relay_networks = \"127.0.0.0/8\";"),
         {"t.conf:5: smtp.relay_networks: expected an array of strings [ \"...\", ... ], got a "
          "string"}},
        {"relay network that is not a string",
         with_smtp("relay_networks = ( \"::1\", 127 );"),
         {"t.conf:5: smtp.relay_networks.[1]: expected a string, got an integer"}},
    });
}

TEST(LoadConfig, ReportsOutOfRangeValues) {
    std::string two_listeners_prefix =
        std::string(kPrelude) + "smtp = {\n  listen = ( { address = \"127.0.0.1\"; port = 25; },\n";
    run({
        {"port too large",
         two_listeners_prefix + "    { address = \"::1\"; port = 70000; } );\n};",
         {"t.conf:5: smtp.listen.[1].port: must be between 0 and 65535 (got 70000)"}},
        {"negative port",
         two_listeners_prefix + "    { address = \"::1\"; port = -1; } );\n};",
         {"t.conf:5: smtp.listen.[1].port: must be between 0 and 65535 (got -1)"}},
        {"compression_level 0",
         "hostname = \"h\";\nspool = { directory = \"s\";\n  compression_level = 0; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:3: spool.compression_level: must be between 1 and 19 (got 0)"}},
        {"compression_level 20",
         "hostname = \"h\";\nspool = { directory = \"s\"; compression_level = 20; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:2: spool.compression_level: must be between 1 and 19 (got 20)"}},
        {"max_recipients 0",
         with_smtp("max_recipients = 0;"),
         {"t.conf:5: smtp.max_recipients: must be at least 1 (got 0)"}},
        {"max_recipients beyond 32 bits",
         with_smtp("max_recipients = 4294967296L;"),
         {"t.conf:5: smtp.max_recipients: must be between 1 and 4294967295 (got 4294967296)"}},
        {"max_line_length 511",
         with_smtp("max_line_length = 511;"),
         {"t.conf:5: smtp.max_line_length: must be between 512 and 65536 (got 511)"}},
        {"max_line_length 65537",
         with_smtp("max_line_length = 65537;"),
         {"t.conf:5: smtp.max_line_length: must be between 512 and 65536 (got 65537)"}},
        {"max_errors 0",
         with_smtp("max_errors = 0;"),
         {"t.conf:5: smtp.max_errors: must be at least 1 (got 0)"}},
        {"max_connections 0",
         with_smtp("max_connections = 0;"),
         {"t.conf:5: smtp.max_connections: must be at least 1 (got 0)"}},
        {"max_connections_per_ip 0",
         with_smtp("max_connections_per_ip = 0;"),
         {"t.conf:5: smtp.max_connections_per_ip: must be at least 1 (got 0)"}},
        {"per-ip above the total",
         with_smtp("max_connections = 10;\n  max_connections_per_ip = 11;"),
         {"t.conf:6: smtp.max_connections_per_ip: must not exceed smtp.max_connections (10)"}},
        {"per-ip above the default total",
         with_smtp("max_connections_per_ip = 1001;"),
         {"t.conf:5: smtp.max_connections_per_ip: must not exceed smtp.max_connections (1000)"}},
        {"zero timeout",
         with_smtp("shutdown_timeout = \"0s\";"),
         {"t.conf:5: smtp.shutdown_timeout: must be greater than zero"}},
        {"message size below 1024",
         with_smtp("max_message_size = 1023;"),
         {"t.conf:5: smtp.max_message_size: must be at least 1024 bytes"}},
        {"negative message size",
         with_smtp("max_message_size = -5;"),
         {"t.conf:5: smtp.max_message_size: not a valid size (bytes, or a number followed by k, "
          "M, G or T)"}},
    });
}

TEST(LoadConfig, ReportsMalformedValues) {
    run({
        {"bad duration",
         with_smtp("idle_timeout = \"5 minutes\";"),
         {"t.conf:5: smtp.idle_timeout: not a valid duration (numbers with units ms, s, m, h, "
          "d, w, largest first, like \"1h30m\")"}},
        {"bad size",
         with_smtp("max_message_size = \"50MB\";"),
         {"t.conf:5: smtp.max_message_size: not a valid size (bytes, or a number followed by k, "
          "M, G or T)"}},
        {"bad CIDR",
         with_smtp("relay_networks = [ \"127.0.0.0/8\", \"10.0.0.0/33\" ];"),
         {"t.conf:5: smtp.relay_networks.[1]: not a network in CIDR notation "
          "(address/prefix-length)"}},
        {"CIDR with host bits",
         with_smtp("relay_networks = [ \"10.1.2.3/8\" ];"),
         {"t.conf:5: smtp.relay_networks.[0]: has host bits set; the network is 10.0.0.0/8"}},
        {"empty string",
         with_smtp("relay_networks = [ \"\" ];"),
         {"t.conf:5: smtp.relay_networks.[0]: must not be empty"}},
        {"host name as listener address",
         std::string(kPrelude) +
             "smtp = {\n  listen = ( { address = \"localhost\"; port = 25; } );\n};",
         {"t.conf:4: smtp.listen.[0].address: not a numeric IPv4 or IPv6 address"}},
        {"bare_line_endings",
         with_smtp("bare_line_endings = \"strip\";"),
         {"t.conf:5: smtp.bare_line_endings: must be \"normalize\" or \"reject\""}},
        {"status.listen without port",
         with_smtp("") + "\nstatus = { listen = \"127.0.0.1\"; };",
         {"t.conf:8: status.listen: must be \"address:port\" with a numeric address (IPv6 as "
          "\"[address]:port\")"}},
        {"status.listen IPv6 without brackets",
         with_smtp("") + "\nstatus = { listen = \"::1:80\"; };",
         {"t.conf:8: status.listen: must be \"address:port\" with a numeric address (IPv6 as "
          "\"[address]:port\")"}},
        {"hostname with a space",
         "hostname = \"mx example\";\nspool = { directory = \"s\"; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:1: hostname: not a valid host name (letters, digits, hyphens and dots)"}},
        {"hostname with a trailing dot",
         "hostname = \"mx.example.\";\nspool = { directory = \"s\"; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:1: hostname: not a valid host name (letters, digits, hyphens and dots)"}},
    });
}

TEST(LoadConfig, ReportsMissingSettings) {
    run({
        {"empty file",
         "",
         {"t.conf: hostname: required setting is missing",
          "t.conf: smtp.listen: at least one listener is required",
          "t.conf: spool.directory: required setting is missing"}},
        {"empty hostname",
         "hostname = \"\";\nspool = { directory = \"s\"; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:1: hostname: must not be empty"}},
        {"spool without directory",
         "hostname = \"h\";\nspool = {\n  compression_level = 3; };\n"
         "smtp = { listen = ( { address = \"::1\"; port = 25; } ); };",
         {"t.conf:2: spool.directory: required setting is missing"}},
        {"empty listen list",
         std::string(kPrelude) + "smtp = {\n  listen = ();\n};",
         {"t.conf:4: smtp.listen: at least one listener is required"}},
        {"smtp without listen",
         std::string(kPrelude) + "smtp = {\n  max_errors = 3; };",
         {"t.conf:3: smtp.listen: at least one listener is required"}},
        {"listener without address or port",
         std::string(kPrelude) + "smtp = {\n  listen = ( { name = \"x\"; } );\n};",
         {"t.conf:4: smtp.listen.[0].address: required setting is missing",
          "t.conf:4: smtp.listen.[0].port: required setting is missing"}},
    });
}

TEST(LoadConfig, ReportsDuplicateListeners) {
    std::string prefix = std::string(kPrelude) + "smtp = {\n  listen = (\n";
    run({
        {"same address and port",
         prefix + "    { address = \"127.0.0.1\"; port = 25; },\n"
                  "    { address = \"127.0.0.1\"; port = 26; },\n"
                  "    { address = \"127.0.0.1\"; port = 25; } );\n};",
         {"t.conf:7: smtp.listen.[2]: duplicate listener 127.0.0.1:25 (also smtp.listen.[0])"}},
        {"same IPv6 address spelt differently",
         prefix + "    { address = \"::1\"; port = 25; },\n"
                  "    { address = \"0:0::1\"; port = 25; } );\n};",
         {"t.conf:6: smtp.listen.[1]: duplicate listener [::1]:25 (also smtp.listen.[0])"}},
        {"status on an SMTP listener",
         prefix + "    { address = \"127.0.0.1\"; port = 8025; } );\n};\n"
                  "status = { listen = \"127.0.0.1:8025\"; };",
         {"t.conf:7: status.listen: address 127.0.0.1:8025 is already used by smtp.listen.[0]"}},
    });
}

TEST(LoadConfig, CollectsEveryError) {
    const std::string text =
        "hostnam = \"h\";\n"
        "smtp = {\n"
        "  listen = ( { address = \"127.0.0.1\"; port = 99999; } );\n"
        "  max_recipients = \"many\";\n"
        "  idle_timeout = \"5\";\n"
        "  relay_networks = [ \"::1/200\" ];\n"
        "};\n"
        "spool = { compression_level = 42; };\n"
        "status = { listen = \"localhost:8025\"; };\n";
    run({{"several errors",
          text,
          {"t.conf:1: hostnam: unknown setting", "t.conf: hostname: required setting is missing",
           "t.conf:3: smtp.listen.[0].port: must be between 0 and 65535 (got 99999)",
           "t.conf:6: smtp.relay_networks.[0]: not a network in CIDR notation "
           "(address/prefix-length)",
           "t.conf:4: smtp.max_recipients: expected an integer, got a string",
           "t.conf:5: smtp.idle_timeout: not a valid duration (numbers with units ms, s, m, h, d, "
           "w, largest first, like \"1h30m\")",
           "t.conf:8: spool.directory: required setting is missing",
           "t.conf:8: spool.compression_level: must be between 1 and 19 (got 42)",
           "t.conf:9: status.listen: must be \"address:port\" with a numeric address (IPv6 as "
           "\"[address]:port\")"}}});
}

TEST(LoadConfig, ReportsSyntaxErrors) {
    run({
        {"missing value",
         "hostname = \"h\";\nsmtp = { max_errors = ; };\n",
         {"t.conf:2: syntax error"}},
        {"unterminated group", "hostname = \"h\";\nsmtp = {\n", {"t.conf:3: syntax error"}},
        {"setting given twice",
         "hostname = \"a\";\nhostname = \"b\";\n",
         {"t.conf:2: duplicate setting name"}},
        {"a string legally spanning lines is no excuse for another error",
         "hostname = \"h\";\nx = \"multi\nline\";\nsmtp = { max_errors = ; };\n",
         {"t.conf:4: syntax error"}},
    });
}

// Issue 13 item 3: libconfig strings may span lines, so a missing closing quote shows up as a
// syntax error wherever parsing finally fails (the line after the last, or where a later '"'
// closes the string). The error must name the line where the string opened.
TEST(LoadConfig, Issue13UnterminatedStringNamesTheLineItOpened) {
    const std::string prelude = with_smtp("");  // 6 lines
    run({
        {"on the last line of a 9-line file",
         prelude + "# the pool comes from this header\n\npool_header = \"X-Sluice-Pool;\n",
         {"t.conf:9: unterminated string: the '\"' opened here is never closed"}},
        {"in the middle, closed by a later line's quote",
         prelude + "pool_header = \"X-Sluice-Pool;\nstatus = {\n  listen = \"127.0.0.1:0\";\n};\n",
         {"t.conf:7: unterminated string: the '\"' opened here is closed only on line 9"}},
        {"in the middle, the flipped quotes reach the end of the file",
         prelude + "pool_header = \"X-Sluice-Pool;\nx = 1;\ny = \"q\";\nz = 3;\n",
         {"t.conf:7: unterminated string: the '\"' opened here is closed only on line 9"}},
        {"quotes in comments and escaped quotes do not count",
         prelude + "# a \"quoted\" word and a lone \" in a comment\n"
                   "// and \" here\n"
                   "/* and \" here,\n   \" over two lines */\n"
                   "hostname2 = \"a \\\" and a \\\\\";\n"
                   "pool_header = \"X-Sluice-Pool;\n",
         {"t.conf:12: unterminated string: the '\"' opened here is never closed"}},
        {"comment markers inside a string do not count",
         prelude + "x = \"# not a comment // nor /* this\";\npool_header = \"X-Sluice-Pool;\n",
         {"t.conf:8: unterminated string: the '\"' opened here is never closed"}},
    });
}

TEST(LoadConfig, FillsTheModel) {
    LoadResult result = load_config_text(
        "hostname = \"mx.example.com\";\n"
        "smtp = {\n"
        "  listen = ( { address = \"127.0.0.1\"; port = 2525; },\n"
        "             { address = \"::1\"; port = 2526; name = \"six\"; } );\n"
        "  relay_networks = [ \"127.0.0.0/8\", \"::1\" ];\n"
        "  max_message_size = \"10M\"; max_recipients = 50; max_connections = 20;\n"
        "  max_connections_per_ip = 2; max_errors = 3; max_line_length = 1000;\n"
        "  idle_timeout = \"1m\"; data_timeout = \"2m\"; shutdown_timeout = \"1500ms\";\n"
        "  bare_line_endings = \"reject\"; min_data_rate = 100;\n"
        "};\n"
        "spool = { directory = \"/tmp/s\"; compression_level = 19; min_free_space = 2048; };\n"
        "status = { listen = \"[::1]:9000\"; token_file = \"tok\"; };\n",
        "t.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    const Config& c = *result.config;
    EXPECT_EQ(c.source_file, "t.conf");
    EXPECT_EQ(c.hostname, "mx.example.com");
    ASSERT_EQ(c.smtp.listen.size(), 2u);
    EXPECT_EQ(c.smtp.listen[0].name, "127.0.0.1:2525");
    EXPECT_EQ(c.smtp.listen[0].address, "127.0.0.1");
    EXPECT_EQ(c.smtp.listen[0].port, 2525);
    EXPECT_EQ(c.smtp.listen[1].name, "six");
    EXPECT_EQ(c.smtp.listen[1].address, "::1");
    ASSERT_EQ(c.smtp.relay_networks.size(), 2u);
    EXPECT_EQ(c.smtp.relay_networks[0].to_string(), "127.0.0.0/8");
    EXPECT_EQ(c.smtp.relay_networks[1].to_string(), "::1/128");
    EXPECT_EQ(c.smtp.max_message_size, 10u << 20);
    EXPECT_EQ(c.smtp.max_recipients, 50u);
    EXPECT_EQ(c.smtp.max_connections, 20u);
    EXPECT_EQ(c.smtp.max_connections_per_ip, 2u);
    EXPECT_EQ(c.smtp.max_errors, 3u);
    EXPECT_EQ(c.smtp.max_line_length, 1000u);
    EXPECT_EQ(c.smtp.idle_timeout, 1min);
    EXPECT_EQ(c.smtp.data_timeout, 2min);
    EXPECT_EQ(c.smtp.shutdown_timeout, 1500ms);
    EXPECT_EQ(c.smtp.min_data_rate, 100u);
    EXPECT_EQ(c.smtp.bare_line_endings, BareLineEndings::reject);
    EXPECT_EQ(c.spool.directory, "/tmp/s");
    EXPECT_EQ(c.spool.compression_level, 19);
    EXPECT_EQ(c.spool.min_free_space, 2048u);
    EXPECT_EQ(c.spool_free_space_floor(), 2048u);
    EXPECT_EQ(c.status.listen, "[::1]:9000");
    EXPECT_EQ(c.status.token_file, "tok");
}

TEST(LoadConfig, AppliesDefaults) {
    LoadResult result = load_config_text(with_smtp(""), "t.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    const Config& c = *result.config;
    const Config defaults;
    EXPECT_EQ(c.smtp.listen.at(0).name, "127.0.0.1:2525");
    EXPECT_TRUE(c.smtp.relay_networks.empty());
    EXPECT_EQ(c.smtp.max_message_size, defaults.smtp.max_message_size);
    EXPECT_EQ(c.smtp.max_recipients, defaults.smtp.max_recipients);
    EXPECT_EQ(c.smtp.idle_timeout, defaults.smtp.idle_timeout);
    EXPECT_EQ(c.smtp.min_data_rate, 500u);  // Postfix's smtpd_min_data_rate
    EXPECT_EQ(c.smtp.bare_line_endings, BareLineEndings::normalize);
    EXPECT_EQ(c.spool.compression_level, 3);
    EXPECT_EQ(c.spool_free_space_floor(), c.smtp.max_message_size * 3 / 2);
    EXPECT_EQ(c.status.listen, "127.0.0.1:8025");
    EXPECT_EQ(c.status.token_file, "");
}

TEST(LoadConfigFile, UnreadableFile) {
    struct Case {
        std::string path;
        std::string want;
    } cases[] = {
        {"/nonexistent/sluice.conf",
         "/nonexistent/sluice.conf: cannot read file: No such file or directory\n"},
        {testdata("included"), testdata("included") + ": cannot read file (is it a directory?)\n"},
    };
    for (const auto& c : cases) {
        LoadResult result = load_config_file(c.path);
        std::string got = joined(result.errors);
        EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
        EXPECT_FALSE(result.config);
    }
}

TEST(LoadConfigFile, ErrorsInAnIncludedFileNameThatFile) {
    const std::string main = testdata("with_include.conf");
    LoadResult result = load_config_file(main);
    EXPECT_EQ(joined(result.errors),
              testdata("included/smtp.conf") +
                  ":4: smtp.listen.[1].port: must be between 0 and 65535 (got 70000)\n");
}

TEST(LoadConfigFile, SyntaxErrorInAnIncludedFile) {
    LoadResult result = load_config_file(testdata("syntax_error_in_include.conf"));
    EXPECT_EQ(joined(result.errors), testdata("included/broken.conf") + ":2: syntax error\n");
}

TEST(LoadConfigFile, Issue13UnterminatedStringInAnIncludedFile) {
    LoadResult result = load_config_file(testdata("runaway_string_in_include.conf"));
    const std::string want = testdata("included/runaway.conf") +
                             ":3: unterminated string: the '\"' opened here is never closed\n";
    EXPECT_EQ(joined(result.errors), want);
}

TEST(LoadConfigFile, MissingIncludedFile) {
    LoadResult result = load_config_file(testdata("missing_include.conf"));
    ASSERT_EQ(result.errors.size(), 1u) << joined(result.errors);
    EXPECT_EQ(result.errors[0].file, testdata("missing_include.conf"));
    EXPECT_EQ(result.errors[0].line, 2);
}

TEST(LoadConfigFile, BundledConfigLoads) {
    LoadResult result = load_config_file(source_dir() + "/conf/sluice.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    const Config& c = *result.config;
    EXPECT_EQ(c.hostname, "localhost.localdomain");
    ASSERT_EQ(c.smtp.listen.size(), 1u);
    EXPECT_EQ(c.smtp.listen[0].address, "127.0.0.1");
    EXPECT_EQ(c.smtp.listen[0].port, 2525);
    EXPECT_EQ(c.spool.directory, "var/spool");
    EXPECT_EQ(c.status.listen, "127.0.0.1:8025");
    auto loopback = net::IpAddress::parse("127.0.0.1");
    ASSERT_TRUE(loopback);
    EXPECT_TRUE(net::any_contains(c.smtp.relay_networks, *loopback));
}

TEST(LoadConfigFile, AnnotatedExampleLoads) {
    LoadResult result = load_config_file(source_dir() + "/conf/sluice.conf.example");
    EXPECT_TRUE(result.config) << joined(result.errors);
}

TEST(ConfigError, ToString) {
    struct Case {
        ConfigError error;
        std::string want;
    } cases[] = {
        {{"a.conf", 12, "smtp.listen.[0].port", "must be between 0 and 65535"},
         "a.conf:12: smtp.listen.[0].port: must be between 0 and 65535"},
        {{"a.conf", 0, "hostname", "required setting is missing"},
         "a.conf: hostname: required setting is missing"},
        {{"a.conf", 3, "", "syntax error"}, "a.conf:3: syntax error"},
        {{"", 0, "", "cannot read file"}, "cannot read file"},
        {{"", 0, "hostname", "must not be empty"}, "hostname: must not be empty"},
    };
    for (const auto& c : cases) {
        std::string got = c.error.to_string();
        EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
    }
}

// Found by fuzz/config_load_fuzz: a value with a line break (a "\n" escape in a libconfig string)
// is quoted in a message, which split one error over two lines of `sluiced --check-config`.
TEST(ConfigErrorTest, ToStringIsOneLineWhateverTheMessageQuotes) {
    const std::string text =
        "hostname = \"mx.example\";\n"
        "routes = ( { domains = [ \"a.test\\nb\", \"a.test\\nb\" ]; host = \"127.0.0.2\"; } );\n";
    const LoadResult result = load_config_text(text, "t.conf");
    ASSERT_FALSE(result.errors.empty());
    for (const ConfigError& error : result.errors) {
        const std::string got = error.to_string();
        EXPECT_EQ(got.find_first_of("\r\n"), std::string::npos) << "got " << got;
    }
    const ConfigError quoted{"t.conf", 2, "routes.[0].domains.[1]", "\"a\nb\r\x7f\" is bad"};
    EXPECT_EQ(quoted.to_string(), "t.conf:2: routes.[0].domains.[1]: \"a\\x0ab\\x0d\\x7f\" is bad");
}

}  // namespace
}  // namespace sluice::policy::config
