// Tests for the sending-policy sections of sluice.conf(5) as read by load_config_text: the
// model they fill, then tables of {config text, want errors} for every setting and every
// cross reference.
#include "policy/config/load_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/config/load.hpp"
#include "policy/engine/compiled_policy.hpp"
#include "tests/unit/policy/config/load_cases.hpp"

namespace sluice::policy::config {
namespace {

using namespace std::chrono_literals;
using testing::Case;
using testing::joined;
using testing::run;

// Lines 1-3: the required settings (the listener is named "submission"); `extra` starts on 4.
std::string with(std::string_view extra) {
    return "hostname = \"mx.example.com\";\n"
           "spool = { directory = \"spool\"; };\n"
           "smtp = { listen = ( { address = \"127.0.0.1\"; port = 2525; name = \"submission\"; "
           "} ); };\n" +
           std::string(extra) + "\n";
}

// The example of the brief and of sluice.conf(5), every setting written.
const char* const kFullPolicy = R"(
pools = ( { name = "bulk"; selection = "weighted"; sender_domains = [ "Example.com", "*.example.org" ];
            listeners = [ "submission" ];
            sources = ( { name = "a"; address = "127.0.0.2"; helo = "mta1.example.com"; weight = 3; },
                        { address = "::1"; } ); } );
strategies = ( { name = "gentle"; max_connections = 10; messages_per_connection = 50;
                 message_rate = "1000/h"; isp_message_rate = "5000/h"; connect_rate = "30/m";
                 adaptive = { min_rate = "100/h"; step_up = "10%"; step_down = "50%"; success_streak = 100; }; } );
retry_rules = ( { name = "standard"; kind = "growing"; interval = "5m"; factor = 2.0; max_interval = "4h"; max_attempts = 0; expire_after = "3d"; },
                { name = "fixed10"; kind = "fixed"; interval = "10m"; expire_after = "1d"; },
                { name = "spread"; kind = "random"; min_interval = "3h"; max_interval = "5h"; expire_after = "5d"; },
                { name = "ladder"; kind = "list"; intervals = [ "1m", "1h" ]; max_attempts = 5; } );
lock_rules = ( { name = "throttled"; code = "421"; enhanced = "4.7.0"; text = "too many|rate"; lock_for = "30m"; scope = "source"; },
               { name = "blocked"; code = "5"; text = "S3150"; lock_for = "2h"; scope = "isp"; } );
bounce_patterns = ( { name = "no-such-user"; code = "5"; enhanced = "5.1.1"; text = ""; class = "hard"; category = "bad-mailbox"; },
                    { code = "4"; enhanced = "4.2.2"; class = "soft"; category = "quota"; } );
isps = ( { name = "Gmail"; domains = [ "gmail.com", "GoogleMail.com" ]; mx = [ "*.google.com" ]; strategy = "gentle";
           retry = "standard"; pool = "bulk"; locks = [ "throttled", "blocked" ];
           bounce_patterns = ( { name = "gmail-quota"; code = "452"; enhanced = "4.2.2"; class = "soft"; category = "quota"; } ); },
         { name = "Yandex"; mx = [ "mx.yandex.ru" ]; } );
defaults = { pool = "bulk"; strategy = "gentle"; retry = "standard"; locks = [ "throttled" ]; };
pool_header = "X-Sluice-Pool";
)";

TEST(LoadPolicyConfig, DomainListsAreStoredAsNamesAreCompared) {
    LoadResult result = load_config_text(with(R"(
pools = ( { name = "p"; sender_domains = [ "Example.COM.", "*.Example.org." ];
            sources = ( { address = "127.0.0.2"; } ); } );
isps = ( { name = "I"; domains = [ "Mail.Example.", "*.Sub.Example" ]; mx = [ "*.MX.example.net." ]; } );
)"),
                                         "t.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    const PolicySettings& p = result.config->policy;
    EXPECT_EQ(p.pools[0].sender_domains,
              (std::vector<std::string>{"example.com", "*.example.org"}));
    EXPECT_EQ(p.isps[0].domains, (std::vector<std::string>{"mail.example", "*.sub.example"}));
    EXPECT_EQ(p.isps[0].mx_patterns, std::vector<std::string>{"*.mx.example.net"});
    // A trailing dot in the config no longer makes a pool unreachable by sender domain.
    const auto policy = engine::CompiledPolicy::build(*result.config);
    EXPECT_EQ(policy->pool_for("", "example.com", "").name, "p");
    EXPECT_EQ(policy->pool_for("", "a.example.org.", "").name, "p");
}

TEST(LoadPolicyConfig, FillsTheModel) {
    LoadResult result = load_config_text(with(kFullPolicy), "t.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    const PolicySettings& p = result.config->policy;
    ASSERT_EQ(p.pools.size(), 1u);
    EXPECT_EQ(p.pools[0].selection, SourceSelection::weighted);
    EXPECT_EQ(p.pools[0].sender_domains,
              (std::vector<std::string>{"example.com", "*.example.org"}));
    EXPECT_EQ(p.pools[0].listeners, std::vector<std::string>{"submission"});
    ASSERT_EQ(p.pools[0].sources.size(), 2u);
    EXPECT_EQ(p.pools[0].sources[0].name, "a");
    EXPECT_EQ(p.pools[0].sources[0].helo, "mta1.example.com");
    EXPECT_EQ(p.pools[0].sources[0].weight, 3u);
    EXPECT_EQ(p.pools[0].sources[1].name, "::1") << "defaults to the address";
    EXPECT_EQ(p.pools[0].sources[1].weight, 1u);

    ASSERT_EQ(p.strategies.size(), 1u);
    const Strategy& s = p.strategies[0];
    EXPECT_EQ(s.max_connections, 10u);
    EXPECT_EQ(s.messages_per_connection, 50u);
    EXPECT_EQ(s.message_rate, (Rate{1000, 1h}));
    EXPECT_EQ(s.isp_message_rate, (Rate{5000, 1h}));
    EXPECT_EQ(s.connect_rate, (Rate{30, 1min}));
    ASSERT_TRUE(s.adaptive);
    EXPECT_EQ(s.adaptive->min_rate, (Rate{100, 1h}));
    EXPECT_DOUBLE_EQ(s.adaptive->step_up, 0.10);
    EXPECT_DOUBLE_EQ(s.adaptive->step_down, 0.50);
    EXPECT_EQ(s.adaptive->success_streak, 100u);

    ASSERT_EQ(p.retry_rules.size(), 4u);
    EXPECT_EQ(p.retry_rules[0].kind, RetryIntervalKind::growing);
    EXPECT_EQ(p.retry_rules[0].interval, 5min);
    EXPECT_DOUBLE_EQ(p.retry_rules[0].factor, 2.0);
    EXPECT_EQ(p.retry_rules[0].max_interval, 4h);
    EXPECT_EQ(p.retry_rules[0].expire_after, 72h);
    EXPECT_EQ(p.retry_rules[1].kind, RetryIntervalKind::fixed);
    EXPECT_EQ(p.retry_rules[1].interval, 10min);
    EXPECT_EQ(p.retry_rules[2].kind, RetryIntervalKind::random);
    EXPECT_EQ(p.retry_rules[2].min_interval, 3h);
    EXPECT_EQ(p.retry_rules[2].max_interval, 5h);
    EXPECT_EQ(p.retry_rules[3].kind, RetryIntervalKind::list);
    EXPECT_EQ(p.retry_rules[3].intervals, (std::vector<std::chrono::milliseconds>{1min, 1h}));
    EXPECT_EQ(p.retry_rules[3].max_attempts, 5u);

    ASSERT_EQ(p.lock_rules.size(), 2u);
    EXPECT_EQ(p.lock_rules[0].match.code, "421");
    EXPECT_EQ(p.lock_rules[0].match.enhanced, "4.7.0");
    EXPECT_EQ(p.lock_rules[0].match.text, "too many|rate");
    EXPECT_EQ(p.lock_rules[0].lock_for, 30min);
    EXPECT_EQ(p.lock_rules[0].scope, LockScope::source);
    EXPECT_EQ(p.lock_rules[1].scope, LockScope::isp);

    ASSERT_EQ(p.bounce_patterns.size(), 2u);
    EXPECT_EQ(p.bounce_patterns[0].bounce_class, BounceClass::hard);
    EXPECT_EQ(p.bounce_patterns[0].category, "bad-mailbox");
    EXPECT_EQ(p.bounce_patterns[1].name, "#2") << "named by position";

    ASSERT_EQ(p.isps.size(), 2u);
    EXPECT_EQ(p.isps[0].domains, (std::vector<std::string>{"gmail.com", "googlemail.com"}));
    EXPECT_EQ(p.isps[0].mx_patterns, std::vector<std::string>{"*.google.com"});
    EXPECT_EQ(p.isps[0].locks, (std::vector<std::string>{"throttled", "blocked"}));
    ASSERT_EQ(p.isps[0].bounce_patterns.size(), 1u);
    EXPECT_EQ(p.isps[0].bounce_patterns[0].name, "gmail-quota");
    EXPECT_EQ(p.defaults.pool, "bulk");
    EXPECT_EQ(p.defaults.locks, std::vector<std::string>{"throttled"});
    EXPECT_EQ(p.pool_header, "X-Sluice-Pool");

    const auto policy = engine::CompiledPolicy::build(*result.config);
    EXPECT_EQ(policy->isp_by_domain("googlemail.com")->name, "Gmail");
    EXPECT_EQ(policy->default_isp().strategy->name, "gentle");
}

TEST(LoadPolicyConfig, AcceptsValidSettings) {
    run({
        {"no policy sections", with(""), {}},
        {"empty sections",
         with("pools = (); strategies = (); retry_rules = (); lock_rules = (); "
              "bounce_patterns = (); isps = (); defaults = {};"),
         {}},
        {"the full example", with(kFullPolicy), {}},
        {"references to the implicit defaults",
         with("isps = ( { name = \"A\"; domains = [ \"a.test\" ]; strategy = \"default\"; "
              "retry = \"default\"; pool = \"default\"; } );\n"
              "defaults = { pool = \"default\"; strategy = \"default\"; retry = \"default\"; };"),
         {}},
        {"user-defined default strategy",
         with("strategies = ( { name = \"default\"; max_connections = 1; } );"),
         {}},
        {"adaptive min equal to the ceiling in another unit",
         with("strategies = ( { name = \"s\"; message_rate = \"60/m\"; "
              "adaptive = { min_rate = \"3600/h\"; }; } );"),
         {}},
        {"random with min equal max",
         with("retry_rules = ( { name = \"r\"; kind = \"random\"; min_interval = \"1h\"; "
              "max_interval = \"1h\"; } );"),
         {}},
        {"integer factor", with("retry_rules = ( { name = \"r\"; factor = 3; } );"), {}},
        {"shaping of a pool and a source, for all ISPs and per ISP",
         with("strategies = ( { name = \"slow\"; max_connections = 1; } );\n"
              "isps = ( { name = \"Gmail\"; domains = [ \"gmail.test\" ]; } );\n"
              "pools = ( { name = \"p\"; shaping = ( { message_rate = \"500/h\"; },\n"
              " { isp = \"Gmail\"; strategy = \"slow\"; max_connections = 2; } );\n"
              " sources = ( { name = \"new\"; shaping = ( { isp = \"default\"; "
              "messages_per_connection = 5; connect_rate = \"1/s\"; } ); } ); } );"),
         {}},
        {"a warm-up schedule and the sources that follow it",
         with("isps = ( { name = \"Gmail\"; domains = [ \"gmail.test\" ]; } );\n"
              "warmups = ( { name = \"w\"; time_zone = \"America/New_York\"; "
              "warm_from_day = 30; over_cap = \"warm_sources\";\n"
              " days = ( { day = 1; isp = \"Gmail\"; daily = 200; growth = 2.0; },\n"
              " { day = 1; daily = 1000; message_rate = \"100/m\"; growth = 1.5; },\n"
              " { day = 10; isp = \"default\"; message_rate = \"1000/m\"; } ); } );\n"
              "pools = ( { name = \"p\"; sources = ( { name = \"new\"; warmup = \"w\"; "
              "warmup_start = \"2026-12-07\"; }, { name = \"old\"; } ); } );"),
         {}},
        {"match parts all empty",
         with("bounce_patterns = ( { code = \"\"; enhanced = \"\"; text = \"\"; } );"),
         {}},
        {"enhanced prefixes",
         with("bounce_patterns = ( { enhanced = \"5\"; }, { enhanced = \"4.7\"; }, "
              "{ enhanced = \"5.7.650\"; } );"),
         {}},
    });
}

TEST(LoadPolicyConfig, ReportsBadSettings) {
    run({
        {"header policies",
         with("isps = ( { name = \"i\"; domains = [\"a.test\"];\n"
              " headers = { add = [ \"No colon\", \"Ok: yes\" ];\n remove = [ \"Bad:name\" ]; }; } "
              ");"),
         {"t.conf:5: isps.[0].headers.add.[0]: must be one line \"Name: value\" with a valid field "
          "name",
          "t.conf:6: isps.[0].headers.remove.[0]: must be a header field name"}},
        {"an ISP's tls",
         with("isps = ( { name = \"i\"; domains = [\"a.test\"]; tls = \"sometimes\"; } );"),
         {"t.conf:4: isps.[0].tls: must be \"none\", \"opportunistic\", \"required\" or "
          "\"verified\""}},
        {"unknown keys",
         with("pools = ( { name = \"p\"; size = 1;\n sources = ( { addr = \"x\"; } ); } );\n"
              "strategies = ( { name = \"s\"; rate = 1; adaptive = { floor = \"1/h\"; }; } );\n"
              "isps = ( { name = \"i\"; domains = [\"a.test\"]; mxs = []; } );\n"
              "defaults = { isp = \"x\"; };"),
         {"t.conf:4: pools.[0].size: unknown setting",
          "t.conf:5: pools.[0].sources.[0].addr: unknown setting",
          "t.conf:6: strategies.[0].rate: unknown setting",
          "t.conf:6: strategies.[0].adaptive.floor: unknown setting",
          "t.conf:6: strategies.[0].adaptive.min_rate: required setting is missing",
          "t.conf:7: isps.[0].mxs: unknown setting", "t.conf:8: defaults.isp: unknown setting",
          "t.conf:6: strategies.[0].adaptive: adaptive speed needs message_rate (its ceiling)"}},
        {"missing names",
         with("pools = ( { sources = ( { } ); } );\nstrategies = ( {} );\nretry_rules = ( {} );\n"
              "lock_rules = ( {} );\nisps = ( { domains = [ \"a.test\" ]; } );"),
         {"t.conf:4: pools.[0].name: required setting is missing",
          "t.conf:5: strategies.[0].name: required setting is missing",
          "t.conf:6: retry_rules.[0].name: required setting is missing",
          "t.conf:7: lock_rules.[0].name: required setting is missing",
          "t.conf:8: isps.[0].name: required setting is missing"}},
        {"empty pool",
         with("pools = ( { name = \"p\"; },\n { name = \"q\"; sources = (); } );"),
         {"t.conf:4: pools.[0].sources: a pool needs at least one source",
          "t.conf:5: pools.[1].sources: a pool needs at least one source"}},
        {"bad source",
         with("pools = ( { name = \"p\"; sources = ( { address = \"localhost\"; helo = \"a b\"; "
              "weight = 0; } ); } );"),
         {"t.conf:4: pools.[0].sources.[0].address: not a numeric IPv4 or IPv6 address",
          "t.conf:4: pools.[0].sources.[0].helo: must be a host name or an address literal "
          "(\"[192.0.2.1]\")",
          "t.conf:4: pools.[0].sources.[0].weight: must be between 1 and 1000000 (got 0)"}},
        {"unknown selection, kind, scope and class",
         with("pools = ( { name = \"p\"; selection = \"random\"; sources = ( { } ); } );\n"
              "retry_rules = ( { name = \"r\"; kind = \"linear\"; } );\n"
              "lock_rules = ( { name = \"l\"; scope = \"pool\"; } );\n"
              "bounce_patterns = ( { class = \"fatal\"; } );"),
         {"t.conf:4: pools.[0].selection: must be one of \"round-robin\", \"weighted\"",
          "t.conf:5: retry_rules.[0].kind: must be one of \"fixed\", \"growing\", \"random\", "
          "\"list\"",
          "t.conf:6: lock_rules.[0].scope: must be one of \"source\", \"isp\"",
          "t.conf:7: bounce_patterns.[0].class: must be one of \"hard\", \"soft\", \"ignore\""}},
        {"bad rates and percentages",
         with(
             "strategies = ( { name = \"s\"; message_rate = \"1000\"; isp_message_rate = \"0/h\";\n"
             " connect_rate = 30; max_connections = 0;\n"
             " adaptive = { min_rate = \"x\"; step_up = \"0%\"; step_down = \"100%\"; "
             "success_streak = 0; }; } );"),
         {"t.conf:5: strategies.[0].max_connections: must be at least 1 (got 0)",
          "t.conf:4: strategies.[0].message_rate: not a valid rate (a positive count per "
          "period, like \"1000/h\", \"30/m\" or \"5/10s\")",
          "t.conf:4: strategies.[0].isp_message_rate: not a valid rate (a positive count per "
          "period, like \"1000/h\", \"30/m\" or \"5/10s\")",
          "t.conf:5: strategies.[0].connect_rate: expected a string, got an integer",
          "t.conf:6: strategies.[0].adaptive.min_rate: not a valid rate (a positive count per "
          "period, like \"1000/h\", \"30/m\" or \"5/10s\")",
          "t.conf:6: strategies.[0].adaptive.step_up: must be a percentage above 0% and below "
          "10000% (like \"10%\")",
          "t.conf:6: strategies.[0].adaptive.step_down: must be a percentage above 0% and below "
          "100% (like \"10%\")",
          "t.conf:6: strategies.[0].adaptive.success_streak: must be at least 1 (got 0)",
          "t.conf:6: strategies.[0].adaptive: adaptive speed needs message_rate (its ceiling)"}},
        {"adaptive floor above the ceiling",
         with("strategies = ( { name = \"s\"; message_rate = \"100/h\";\n"
              " adaptive = { min_rate = \"2/m\"; }; } );"),
         {"t.conf:5: strategies.[0].adaptive.min_rate: must not exceed the strategy's "
          "message_rate"}},
        {"bad retry rules",
         with("retry_rules = ( { name = \"r\"; kind = \"random\"; min_interval = \"5h\"; "
              "max_interval = \"3h\"; },\n"
              " { name = \"g\"; factor = 0.5; interval = 5; max_attempts = -1; },\n"
              " { name = \"l\"; kind = \"list\"; },\n"
              " { name = \"x\"; intervals = [ \"1m\" ]; } );"),
         {"t.conf:5: retry_rules.[1].interval: a duration needs a unit: write \"5s\" for 5 "
          "seconds",
          "t.conf:5: retry_rules.[1].factor: must be between 1 and 100 (got 0.5)",
          "t.conf:5: retry_rules.[1].max_attempts: must be at least 0 (got -1)",
          "t.conf:6: retry_rules.[2].intervals: kind \"list\" needs at least one interval",
          "t.conf:7: retry_rules.[3].intervals: is used only by kind \"list\" (write kind = "
          "\"list\";)",
          "t.conf:4: retry_rules.[0].min_interval: must not exceed max_interval"}},
        {"bad match parts",
         with("lock_rules = ( { name = \"l\"; code = \"42x\"; enhanced = \"4.7.\"; text = "
              "\"(rate\"; } );\n"
              "bounce_patterns = ( { code = \"6\"; enhanced = \"3.1.1\"; },\n"
              " { code = \"4211\"; enhanced = \"5.1234\"; text = \"[\"; } );"),
         {"t.conf:4: lock_rules.[0].code: must be a reply code or its first digits (\"421\", "
          "\"45\", \"5\")",
          "t.conf:4: lock_rules.[0].enhanced: must be an enhanced status code or its first "
          "components (\"5.1.1\", \"4.7\", \"5\")",
          "t.conf:4: lock_rules.[0].text: not a valid regular expression: Unmatched marking "
          "parenthesis ( or \\(.  The error occurred while parsing the regular expression: "
          "'(rate>>>HERE>>>'.",
          "t.conf:5: bounce_patterns.[0].code: must be a reply code or its first digits (\"421\", "
          "\"45\", \"5\")",
          "t.conf:5: bounce_patterns.[0].enhanced: must be an enhanced status code or its first "
          "components (\"5.1.1\", \"4.7\", \"5\")",
          "t.conf:6: bounce_patterns.[1].code: must be a reply code or its first digits (\"421\", "
          "\"45\", \"5\")",
          "t.conf:6: bounce_patterns.[1].enhanced: must be an enhanced status code or its first "
          "components (\"5.1.1\", \"4.7\", \"5\")",
          "t.conf:6: bounce_patterns.[1].text: not a valid regular expression: Character set "
          "declaration starting with [ terminated prematurely - either no ] was found or the "
          "set had no content.  The error occurred while parsing the regular expression: "
          "'[>>>HERE>>>'."}},
        {"bad domains and header",
         with("isps = ( { name = \"i\"; domains = [ \"a b\" ]; mx = [ \"*\" ]; },\n"
              " { name = \"j\"; } );\npool_header = \"X-Pool:\";"),
         {"t.conf:4: isps.[0].domains.[0]: must be a domain or \"*.domain\" (its subdomains)",
          "t.conf:4: isps.[0].mx.[0]: must be a domain or \"*.domain\" (its subdomains)",
          "t.conf:5: isps.[1]: an ISP needs domains or mx patterns to match any mail",
          "t.conf:6: pool_header: not a header field name (printable ASCII without ':')"}},
    });
}

TEST(LoadPolicyConfig, ReportsBadReferences) {
    run({
        {"duplicate names",
         with("pools = ( { name = \"p\"; sources = ( { name = \"a\"; }, { name = \"a\"; } ); },\n"
              " { name = \"p\"; sources = ( {} ); } );\n"
              "strategies = ( { name = \"s\"; }, { name = \"s\"; } );\n"
              "retry_rules = ( { name = \"r\"; }, { name = \"r\"; } );\n"
              "lock_rules = ( { name = \"l\"; }, { name = \"l\"; } );\n"
              "isps = ( { name = \"i\"; domains = [\"a.test\"]; }, { name = \"i\"; domains = "
              "[\"b.test\"]; } );"),
         {"t.conf:5: pools.[1].name: duplicate name \"p\" (also pools.[0])",
          "t.conf:6: strategies.[1].name: duplicate name \"s\" (also strategies.[0])",
          "t.conf:7: retry_rules.[1].name: duplicate name \"r\" (also retry_rules.[0])",
          "t.conf:8: lock_rules.[1].name: duplicate name \"l\" (also lock_rules.[0])",
          "t.conf:9: isps.[1].name: duplicate name \"i\" (also isps.[0])",
          "t.conf:4: pools.[0].sources.[1].name: duplicate name \"a\" (also "
          "pools.[0].sources.[0])"}},
        {"unknown names",
         with("isps = ( { name = \"i\"; domains = [\"a.test\"]; strategy = \"fast\";\n"
              " retry = \"never\"; pool = \"vip\"; locks = [ \"default\", \"x\" ]; } );\n"
              "defaults = { pool = \"bulk\"; strategy = \"slow\"; retry = \"r\";\n"
              " locks = [ \"y\" ]; };"),
         {"t.conf:4: isps.[0].strategy: unknown strategy \"fast\"",
          "t.conf:5: isps.[0].retry: unknown retry rule \"never\"",
          "t.conf:5: isps.[0].pool: unknown pool \"vip\"",
          "t.conf:5: isps.[0].locks.[0]: unknown lock rule \"default\"",
          "t.conf:5: isps.[0].locks.[1]: unknown lock rule \"x\"",
          "t.conf:6: defaults.pool: unknown pool \"bulk\"",
          "t.conf:6: defaults.strategy: unknown strategy \"slow\"",
          "t.conf:6: defaults.retry: unknown retry rule \"r\"",
          "t.conf:7: defaults.locks.[0]: unknown lock rule \"y\""}},
        {"unknown listener",
         with("pools = ( { name = \"p\"; listeners = [ \"submission\",\n \"smtps\" ]; "
              "sources = ( {} ); } );"),
         {"t.conf:5: pools.[0].listeners.[1]: no smtp.listen entry is named \"smtps\""}},
        {"a source name in two pools",
         with("pools = ( { name = \"p\"; sources = ( { name = \"a\"; address = \"192.0.2.1\"; } ); "
              "},\n"
              " { name = \"q\"; sources = ( { name = \"a\"; address = \"192.0.2.2\"; } ); } );"),
         {"t.conf:5: pools.[1].sources.[0].name: source \"a\" is in another pool already "
          "(pools.[0].sources.[0]); queues are named ISP/source, so source names are unique "
          "across pools"}},
        {"shaping: unknown names, empty and repeated entries, a floor above the ceiling",
         with("strategies = ( { name = \"ad\"; message_rate = \"100/h\";\n"
              " adaptive = { min_rate = \"50/h\"; }; } );\n"
              "isps = ( { name = \"G\"; domains = [ \"g.test\" ]; strategy = \"ad\"; } );\n"
              "pools = ( { name = \"p\"; shaping = ( { isp = \"Nope\"; strategy = \"fast\"; "
              "},\n { }, { message_rate = \"1/h\"; }, { connect_rate = \"1/s\"; } );\n"
              " sources = ( { name = \"s\"; shaping = ( { isp = \"G\"; "
              "message_rate = \"10/h\"; } ); } ); } );"),
         {"t.conf:9: pools.[0].sources.[0]: for ISP \"G\" the shaped strategy's message_rate "
          "is below its adaptive.min_rate",
          "t.conf:7: pools.[0].shaping.[0].isp: unknown ISP \"Nope\" (an isps entry, or "
          "\"default\")",
          "t.conf:7: pools.[0].shaping.[0].strategy: unknown strategy \"fast\"",
          "t.conf:8: pools.[0].shaping.[1]: sets nothing: name a strategy or give "
          "max_connections, messages_per_connection, message_rate or connect_rate",
          "t.conf:8: pools.[0].shaping.[2]: a second entry for every ISP (merge them)",
          "t.conf:8: pools.[0].shaping.[3]: a second entry for every ISP (merge them)"}},
        {"warm-up: bad zone, rows and references",
         with("warmups = ( { name = \"w\"; time_zone = \"Nowhere/City\"; warm_from_day = 5;\n"
              " days = ( { day = 1; isp = \"Nope\"; daily = 10; },\n"
              " { day = 5; daily = 10; }, { day = 2; }, { day = 2; daily = 1; growth = 0.5; },\n"
              " { day = 2; message_rate = \"1/s\"; } ); },\n"
              " { name = \"empty\"; days = ( ); over_cap = \"drop\"; } );\n"
              "pools = ( { name = \"p\"; sources = ( { name = \"a\"; warmup = \"x\"; "
              "warmup_start = \"2026-02-30\"; },\n { name = \"b\"; warmup = \"w\"; }, "
              "{ name = \"c\"; warmup_start = \"2026-12-07\"; } ); } );"),
         {"t.conf:9: pools.[0].sources.[0].warmup_start: not a calendar date \"YYYY-MM-DD\"",
          "t.conf:10: pools.[0].sources.[1].warmup: a warm-up needs warmup_start, the date of its "
          "day 1 (\"YYYY-MM-DD\")",
          "t.conf:10: pools.[0].sources.[2].warmup_start: a start date without a warmup schedule "
          "to start",
          "t.conf:6: warmups.[0].days.[2]: a row needs daily or message_rate (or both)",
          "t.conf:6: warmups.[0].days.[3].growth: must be between 1 and 100 (got 0.5)",
          "t.conf:8: warmups.[1].warm_from_day: required setting is missing",
          "t.conf:8: warmups.[1].over_cap: must be one of \"wait\", \"warm_sources\"",
          "t.conf:8: warmups.[1].days: a warm-up schedule needs at least one row",
          "t.conf:9: pools.[0].sources.[0].warmup: unknown warm-up schedule \"x\"",
          "t.conf:4: warmups.[0].time_zone: unknown time zone \"Nowhere/City\" (an IANA name like "
          "\"Europe/Berlin\", from the tzdata package, or \"UTC\")",
          "t.conf:5: warmups.[0].days.[0].isp: unknown ISP \"Nope\" (an isps entry, or "
          "\"default\")",
          "t.conf:6: warmups.[0].days.[1].day: day 5 is not before warm_from_day (5): the source "
          "is warm by then",
          "t.conf:6: warmups.[0].days.[3]: a second row for day 2 and every ISP",
          "t.conf:7: warmups.[0].days.[4]: a second row for day 2 and every ISP"}},
        {"domain in two ISPs and the reserved name",
         with("isps = ( { name = \"a\"; domains = [ \"x.test\" ]; },\n"
              " { name = \"default\"; domains = [ \"X.test\" ]; } );"),
         {"t.conf:5: isps.[1].name: \"default\" is reserved for the rules of unmatched domains "
          "(set them in defaults)",
          "t.conf:5: isps.[1].domains.[0]: \"x.test\" is listed already by isps.[0]"}},
    });
}

}  // namespace
}  // namespace sluice::policy::config
