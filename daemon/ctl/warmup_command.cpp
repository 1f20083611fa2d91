// warmup (see warmup_command.hpp).
#include "daemon/ctl/warmup_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <string>
#include <vector>

#include "policy/config/load.hpp"
#include "policy/engine/compiled_policy.hpp"
#include "policy/warmup/calendar_date.hpp"

namespace sluice::daemon::ctl {
namespace {

namespace config = policy::config;
namespace engine = policy::engine;
namespace warmup = policy::warmup;
namespace json = boost::json;

constexpr std::string_view kUsage =
    "usage: sluicectl warmup [-c FILE] [--days N] [--from YYYY-MM-DD] [--source NAME] [--json]\n"
    "  -c, --config FILE   configuration file (default /etc/sluice/sluice.conf)\n"
    "  --days N            how many days to print (default 14, at most 3650)\n"
    "  --from DATE         the first day to print (default: today in each schedule's time zone)\n"
    "  --source NAME       only this source (default: every source with a warmup schedule)\n"
    "  --json              print JSON instead of a table\n"
    "  Prints each warming source's plan: per day its warm-up day and, per ISP the schedule\n"
    "  names and for every other ISP (\"*\"), the daily cap and message rate.\n";

constexpr std::string_view kOtherIsps = "*";

struct Options {
    std::string config_path = "/etc/sluice/sluice.conf";
    std::uint32_t days = 14;
    std::optional<std::int32_t> from;
    std::string source;
    bool json = false;
};

bool parse_options(std::span<const std::string_view> args, Options& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const bool has_value = i + 1 < args.size();
        if ((arg == "-c" || arg == "--config") && has_value) {
            out.config_path = std::string(args[++i]);
        } else if (arg == "--days" && has_value) {
            const std::string_view value = args[++i];
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out.days);
            if (ec != std::errc() || end != value.data() + value.size() || out.days == 0 ||
                out.days > 3650) {
                return false;
            }
        } else if (arg == "--from" && has_value) {
            out.from = warmup::parse_date(args[++i]);
            if (!out.from) return false;
        } else if (arg == "--source" && has_value) {
            out.source = std::string(args[++i]);
        } else if (arg == "--json") {
            out.json = true;
        } else {
            return false;
        }
    }
    return true;
}

// The ISP scopes of a schedule: those its rows name, then "*" for every other ISP.
std::vector<std::string> isp_columns(const config::WarmupSchedule& schedule) {
    std::vector<std::string> isps;
    for (const auto& row : schedule.days) {
        if (!row.isp.empty() && std::find(isps.begin(), isps.end(), row.isp) == isps.end()) {
            isps.push_back(row.isp);
        }
    }
    isps.emplace_back(kOtherIsps);
    return isps;
}

warmup::WarmupLimits limits_for(const config::WarmupSchedule& schedule, const std::string& isp,
                                std::uint32_t day) {
    return warmup::limits_on(schedule, isp == kOtherIsps ? std::string_view() : isp, day);
}

// "200/day", "200/day 50/h", "50/h" or "no limit".
std::string describe(const warmup::WarmupLimits& limits) {
    std::string text;
    if (limits.daily) text = fmt::format("{}/day", *limits.daily);
    if (limits.message_rate) {
        if (!text.empty()) text += ' ';
        text += fmt::format("{:g}/h", config::per_hour(limits.message_rate));
    }
    return text.empty() ? "no limit" : text;
}

struct Plan {
    const engine::SourceWarmup* warming;
    std::int32_t first;  // the first date printed
};

void print_text(const std::vector<Plan>& plans, std::uint32_t days, std::ostream& out) {
    for (const auto& [warming, first] : plans) {
        const auto& schedule = *warming->schedule;
        fmt::print(out,
                   "source {} (pool {}): schedule {}, day 1 = {}, time zone {}, over cap: {}\n",
                   warming->source->name, warming->pool->name, schedule.name,
                   warmup::format_date(warming->source->warmup_start), schedule.time_zone,
                   warmup::to_string(schedule.over_cap));
        const auto isps = isp_columns(schedule);
        std::string header = fmt::format("  {:<10}  {:>4}", "date", "day");
        for (const auto& isp : isps) header += fmt::format("  {:<22}", isp);
        fmt::print(out, "{}\n", header);
        for (std::uint32_t i = 0; i < days; ++i) {
            const std::int32_t date = first + static_cast<std::int32_t>(i);
            const auto day = warmup::warmup_day(warming->source->warmup_start, date);
            std::string line = fmt::format("  {}  {:>4}", warmup::format_date(date), day);
            if (warmup::is_warm(schedule, day)) {
                fmt::print(out, "{}  warm: no warm-up limits from here on\n", line);
                break;
            }
            for (const auto& isp : isps) {
                line += fmt::format("  {:<22}", describe(limits_for(schedule, isp, day)));
            }
            fmt::print(out, "{}\n", line);
        }
        out << '\n';
    }
}

void print_json(const std::vector<Plan>& plans, std::uint32_t days, std::ostream& out) {
    json::array sources;
    for (const auto& [warming, first] : plans) {
        const auto& schedule = *warming->schedule;
        json::array rows;
        for (std::uint32_t i = 0; i < days; ++i) {
            const std::int32_t date = first + static_cast<std::int32_t>(i);
            const auto day = warmup::warmup_day(warming->source->warmup_start, date);
            const bool warm = warmup::is_warm(schedule, day);
            json::object isps;
            for (const auto& isp : isp_columns(schedule)) {
                const auto limits = limits_for(schedule, isp, day);
                json::value cap = nullptr;
                if (limits.daily) cap = *limits.daily;
                isps[isp] =
                    json::object{{"daily_cap", cap},
                                 {"message_rate_per_hour", config::per_hour(limits.message_rate)}};
            }
            rows.push_back(json::object{{"date", warmup::format_date(date)},
                                        {"day", day},
                                        {"warm", warm},
                                        {"isps", std::move(isps)}});
        }
        sources.push_back(
            json::object{{"source", warming->source->name},
                         {"pool", warming->pool->name},
                         {"schedule", schedule.name},
                         {"time_zone", schedule.time_zone},
                         {"start", warmup::format_date(warming->source->warmup_start)},
                         {"warm_from_day", schedule.warm_from_day},
                         {"over_cap", warmup::to_string(schedule.over_cap)},
                         {"days", std::move(rows)}});
    }
    out << json::serialize(sources) << '\n';
}

int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    Options options;
    if (!parse_options(args, options)) {
        err << kUsage;
        return kExitUsage;
    }
    config::LoadResult loaded = config::load_config_file(options.config_path);
    if (!loaded.config) {
        for (const auto& error : loaded.errors) err << error.to_string() << '\n';
        return kExitFailed;
    }
    const auto policy = engine::CompiledPolicy::build(*loaded.config);
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::vector<Plan> plans;
    for (const auto& [name, warming] : policy->warmups()) {
        if (!options.source.empty() && name != options.source) continue;
        plans.push_back({&warming, options.from.value_or(warming.clock.local_date(now))});
    }
    if (!options.source.empty() && plans.empty()) {
        err << "sluicectl: no source named \"" << options.source << "\" has a warmup schedule in "
            << options.config_path << '\n';
        return kExitFailed;
    }
    if (options.json) {
        print_json(plans, options.days, out);
    } else if (plans.empty()) {
        out << "no source has a warmup schedule in " << options.config_path << '\n';
    } else {
        print_text(plans, options.days, out);
    }
    return kExitOk;
}

}  // namespace

CommandGroup warmup_command_group() {
    return {"warmup", "print the warm-up plan of warming sources for the next days", kUsage, &run};
}

}  // namespace sluice::daemon::ctl
