// test-reply (see test_reply_command.hpp). The reply is cut by the delivery client's own
// ReplyParser, so the enhanced code is found exactly as it is for a real reply.
#include "daemon/ctl/test_reply_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "daemon/delivery/reply_parser.hpp"
#include "policy/config/load.hpp"
#include "policy/engine/compiled_policy.hpp"
#include "policy/retry/retry_rule.hpp"

namespace sluice::daemon::ctl {
namespace {

namespace config = policy::config;
namespace engine = policy::engine;
namespace json = boost::json;

constexpr std::string_view kUsage =
    "usage: sluicectl test-reply [-c FILE] [--isp NAME | --domain DOMAIN] [--source NAME]\n"
    "                            [--synthetic] [--json] \"CODE [X.Y.Z] TEXT\"\n"
    "  -c, --config FILE   configuration file (default /etc/sluice/sluice.conf)\n"
    "  --isp NAME          the ISP that sent the reply (default: \"default\", the rules of\n"
    "                      unmatched domains)\n"
    "  --domain DOMAIN     find the ISP by recipient domain (domain lists only, no MX lookup)\n"
    "  --source NAME       the source that got the reply (default: the first of the pool)\n"
    "  --synthetic         judge it as a reply Sluice made up itself (never locks)\n"
    "  --json              print one JSON object instead of text\n"
    "  The reply may span lines (\"421-first\\n421 last\"). Prints the bounce pattern, lock\n"
    "  rule and retry rule that would fire and what Sluice would do.\n";

constexpr int kShownIntervals = 5;

struct Options {
    std::string config_path = "/etc/sluice/sluice.conf";
    std::string isp;
    std::string domain;
    std::string source;
    bool synthetic = false;
    bool json = false;
    std::vector<std::string_view> operands;
};

bool take_value(std::span<const std::string_view> args, std::size_t& i, std::string& out) {
    if (++i == args.size()) return false;
    out = std::string(args[i]);
    return true;
}

// False on a usage error.
bool parse_options(std::span<const std::string_view> args, Options& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        bool ok = true;
        if (arg == "-c" || arg == "--config") {
            ok = take_value(args, i, out.config_path);
        } else if (arg == "--isp") {
            ok = take_value(args, i, out.isp);
        } else if (arg == "--domain") {
            ok = take_value(args, i, out.domain);
        } else if (arg == "--source") {
            ok = take_value(args, i, out.source);
        } else if (arg == "--synthetic") {
            out.synthetic = true;
        } else if (arg == "--json") {
            out.json = true;
        } else if (arg.starts_with("-") && arg.size() > 1) {
            return false;
        } else {
            out.operands.push_back(arg);
        }
        if (!ok) return false;
    }
    return out.operands.size() == 1 && (out.isp.empty() || out.domain.empty());
}

// The reply text as a server would send it, cut by the delivery client's parser.
std::optional<policy::reply::ReplyFacts> parse_reply(std::string_view text, bool synthetic) {
    std::string wire;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        std::string_view line =
            text.substr(start, end == std::string_view::npos ? end : end - start);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (!line.empty()) wire += std::string(line) + "\r\n";
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    delivery::ReplyParser parser;
    const std::size_t used = parser.consume(wire);
    if (parser.state() != delivery::ReplyParser::State::complete || used != wire.size()) {
        return std::nullopt;
    }
    const smtp::Reply reply = parser.take_reply();
    policy::reply::ReplyFacts facts{reply.code, reply.enhanced, "", synthetic};
    for (const std::string& line : reply.lines) {
        facts.text += (facts.text.empty() ? "" : " ") + line;
    }
    return facts;
}

// "5m", "1h20m", "3d", "45s".
std::string format_duration(std::chrono::seconds duration) {
    static constexpr std::pair<std::int64_t, char> kUnits[] = {
        {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    std::int64_t left = duration.count();
    if (left <= 0) return "0s";
    std::string out;
    for (auto [size, unit] : kUnits) {
        if (left >= size) {
            out += std::to_string(left / size) + unit;
            left %= size;
        }
    }
    return out;
}

std::string_view kind_name(config::RetryIntervalKind kind) {
    switch (kind) {
        case config::RetryIntervalKind::fixed:
            return "fixed";
        case config::RetryIntervalKind::growing:
            return "growing";
        case config::RetryIntervalKind::random:
            return "random";
        case config::RetryIntervalKind::list:
            return "list";
    }
    return "unknown";
}

std::string_view action_name(engine::Action action) {
    switch (action) {
        case engine::Action::delivered:
            return "delivered";
        case engine::Action::retry:
            return "retry";
        case engine::Action::bounce:
            return "bounce";
    }
    return "unknown";
}

// Everything the report shows, computed once for both output forms.
struct Report {
    policy::reply::ReplyFacts reply;
    const engine::ResolvedIsp* isp = nullptr;
    engine::Verdict verdict;
    std::string pattern_position;  // "isps.[0].bounce_patterns.[1]" or "bounce_patterns.[3]"
    std::string lock_queue;        // "Gmail/a" or "Gmail" (scope isp)
    std::vector<std::chrono::seconds> intervals;  // after attempts 1..n (random: low end)
    std::string retry_in;                         // "5m", "3h..5h" for random rules
    std::string summary;
};

std::string pattern_position(const config::Config& loaded, const engine::ResolvedIsp& isp,
                             const config::BouncePattern* pattern) {
    std::size_t own = 0;
    std::size_t isp_index = 0;
    for (; isp_index < loaded.policy.isps.size(); ++isp_index) {
        if (loaded.policy.isps[isp_index].name == isp.name) {
            own = loaded.policy.isps[isp_index].bounce_patterns.size();
            break;
        }
    }
    for (std::size_t i = 0; i < isp.bounce_patterns.size(); ++i) {
        if (isp.bounce_patterns[i].pattern != pattern) continue;
        return i < own ? fmt::format("isps.[{}].bounce_patterns.[{}]", isp_index, i)
                       : fmt::format("bounce_patterns.[{}]", i - own);
    }
    return "";
}

Report judge(const config::Config& loaded, const engine::CompiledPolicy& policy,
             const engine::ResolvedIsp& isp, const policy::reply::ReplyFacts& reply,
             const std::string& source_name) {
    Report report{reply, &isp, policy.judge(isp, reply), "", "", {}, "", ""};
    const engine::Verdict& v = report.verdict;
    if (v.pattern != nullptr) report.pattern_position = pattern_position(loaded, isp, v.pattern);
    const config::RetryRule& retry = *isp.retry;
    for (std::uint32_t attempt = 1; attempt <= kShownIntervals; ++attempt) {
        report.intervals.push_back(policy::retry::retry_interval(retry, attempt, 0.0));
    }
    report.retry_in = format_duration(report.intervals.front());
    if (retry.kind == config::RetryIntervalKind::random) {
        report.retry_in += ".." + format_duration(policy::retry::retry_interval(retry, 1, 0.999));
    }
    std::vector<std::string> steps;
    if (v.lock != nullptr) {
        const config::Pool& pool = isp.pool != nullptr ? *isp.pool : policy.pool_for("", "", "");
        const std::string source = source_name.empty() ? pool.sources.front().name : source_name;
        const bool whole_isp = v.lock->scope == config::LockScope::isp;
        report.lock_queue = whole_isp ? isp.name : isp.name + "/" + source;
        steps.push_back(fmt::format(
            "lock {} {} for {}", whole_isp ? "ISP" : "source queue", report.lock_queue,
            format_duration(std::chrono::ceil<std::chrono::seconds>(v.lock->lock_for))));
    }
    switch (v.action) {
        case engine::Action::delivered:
            steps.push_back(v.bounce_class == "ignore" ? "treat as delivered" : "delivered");
            break;
        case engine::Action::retry:
            steps.push_back("retry in " + report.retry_in);
            break;
        case engine::Action::bounce:
            steps.push_back("bounce now with a DSN");
            break;
    }
    for (const std::string& step : steps) {
        report.summary += (report.summary.empty() ? "" : ", ") + step;
    }
    return report;
}

void print_text(const Report& r, std::ostream& out) {
    const engine::Verdict& v = r.verdict;
    const config::RetryRule& retry = *r.isp->retry;
    fmt::print(out, "reply:          {}{}{}{}{}\n", r.reply.code,
               r.reply.enhanced.empty() ? "" : " ", r.reply.enhanced,
               r.reply.text.empty() ? "" : " ", r.reply.text);
    fmt::print(out, "isp:            {}\n", r.isp->name);
    if (v.pattern != nullptr) {
        fmt::print(out, "bounce pattern: {} ({}), class {}, category {}\n", v.pattern->name,
                   r.pattern_position, v.bounce_class, v.category);
    } else {
        fmt::print(out, "bounce pattern: none matches; by the reply code: class {}{}\n",
                   v.bounce_class, v.category.empty() ? "" : ", category " + v.category);
    }
    if (v.lock != nullptr) {
        fmt::print(out, "lock rule:      {}, scope {}, lock for {}\n", v.lock->name,
                   v.lock->scope == config::LockScope::isp ? "isp" : "source",
                   format_duration(std::chrono::ceil<std::chrono::seconds>(v.lock->lock_for)));
    } else {
        fmt::print(out, "lock rule:      none{}\n",
                   r.reply.synthetic ? " (a synthetic reply never locks)" : "");
    }
    std::string intervals;
    for (auto interval : r.intervals) {
        intervals += (intervals.empty() ? "" : ", ") + format_duration(interval);
    }
    fmt::print(
        out, "retry rule:     {} ({}): next intervals {}{}{}; expires {} after arrival\n",
        retry.name, kind_name(retry.kind), intervals,
        retry.kind == config::RetryIntervalKind::random
            ? " (the shortest; up to " +
                  format_duration(std::chrono::ceil<std::chrono::seconds>(retry.max_interval)) + ")"
            : "",
        retry.max_attempts != 0 ? fmt::format(", at most {} attempts", retry.max_attempts) : "",
        format_duration(std::chrono::ceil<std::chrono::seconds>(retry.expire_after)));
    fmt::print(out, "action:         {}\n", r.summary);
}

void print_json(const Report& r, std::ostream& out) {
    const engine::Verdict& v = r.verdict;
    const config::RetryRule& retry = *r.isp->retry;
    json::object root;
    root["reply"] = {{"code", r.reply.code},
                     {"enhanced", r.reply.enhanced},
                     {"text", r.reply.text},
                     {"synthetic", r.reply.synthetic}};
    root["isp"] = r.isp->name;
    if (v.pattern != nullptr) {
        root["bounce_pattern"] = {{"name", v.pattern->name}, {"position", r.pattern_position}};
    } else {
        root["bounce_pattern"] = nullptr;
    }
    root["class"] = v.bounce_class;
    root["category"] = v.category;
    if (v.lock != nullptr) {
        root["lock"] = {
            {"name", v.lock->name},
            {"scope", v.lock->scope == config::LockScope::isp ? "isp" : "source"},
            {"lock_for_seconds", std::chrono::ceil<std::chrono::seconds>(v.lock->lock_for).count()},
            {"queue", r.lock_queue}};
    } else {
        root["lock"] = nullptr;
    }
    json::array intervals;
    for (auto interval : r.intervals) intervals.push_back(interval.count());
    root["retry"] = {{"name", retry.name},
                     {"kind", kind_name(retry.kind)},
                     {"intervals_seconds", std::move(intervals)},
                     {"max_attempts", retry.max_attempts},
                     {"expire_after_seconds",
                      std::chrono::ceil<std::chrono::seconds>(retry.expire_after).count()}};
    root["action"] = action_name(v.action);
    root["summary"] = r.summary;
    out << json::serialize(root) << '\n';
}

int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    Options options;
    if (!parse_options(args, options)) {
        err << kUsage;
        return kExitUsage;
    }
    auto reply = parse_reply(options.operands[0], options.synthetic);
    if (!reply) {
        err << "sluicectl: not an SMTP reply (want \"CODE [X.Y.Z] TEXT\", code 200-599): "
            << options.operands[0] << '\n';
        return kExitUsage;
    }
    config::LoadResult loaded = config::load_config_file(options.config_path);
    if (!loaded.config) {
        for (const auto& error : loaded.errors) err << error.to_string() << '\n';
        return kExitFailed;
    }
    const auto policy = engine::CompiledPolicy::build(*loaded.config);
    const engine::ResolvedIsp* isp = nullptr;
    if (!options.domain.empty()) {
        isp = policy->isp_by_domain(options.domain);
        if (isp == nullptr) isp = &policy->default_isp();
    } else {
        isp = policy->isp_named(options.isp.empty() ? engine::kDefaultIsp : options.isp);
    }
    if (isp == nullptr) {
        std::string names;
        for (const auto& known : policy->isps()) names += " " + known->name;
        err << "sluicectl: no ISP named \"" << options.isp << "\" in " << options.config_path
            << " (known:" << names << ")\n";
        return kExitFailed;
    }
    const Report report = judge(*loaded.config, *policy, *isp, *reply, options.source);
    options.json ? print_json(report, out) : print_text(report, out);
    return kExitOk;
}

}  // namespace

CommandGroup test_reply_command_group() {
    return {"test-reply", "show what the sending policy does with a remote reply (dry run)", kUsage,
            &run};
}

}  // namespace sluice::daemon::ctl
