#include "daemon/queue/warmup_ledger.hpp"

#include <boost/json.hpp>

#include "policy/warmup/calendar_date.hpp"

namespace sluice::daemon::queue {

namespace json = boost::json;

std::string format_warmup_counts(const std::vector<WarmupCount>& counts) {
    std::string text;
    for (const auto& count : counts) {
        const json::object line{{"source", count.source},
                                {"isp", count.isp},
                                {"date", policy::warmup::format_date(count.date)},
                                {"taken", count.taken}};
        text += json::serialize(line);
        text += '\n';
    }
    return text;
}

namespace {
std::optional<WarmupCount> parse_line(std::string_view line) {
    boost::system::error_code ec;
    const json::value value = json::parse(line, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& object = value.get_object();
    const auto* source = object.if_contains("source");
    const auto* isp = object.if_contains("isp");
    const auto* date = object.if_contains("date");
    const auto* taken = object.if_contains("taken");
    if (!source || !source->is_string() || !isp || !isp->is_string() || !date ||
        !date->is_string() || !taken || !(taken->is_uint64() || taken->is_int64())) {
        return std::nullopt;
    }
    const auto day = policy::warmup::parse_date(date->get_string());
    const auto count = taken->to_number<std::int64_t>(ec);
    if (!day || ec || count < 0) return std::nullopt;
    return WarmupCount{std::string(source->get_string()), std::string(isp->get_string()), *day,
                       static_cast<std::uint64_t>(count)};
}
}  // namespace

std::vector<WarmupCount> parse_warmup_counts(std::string_view text) {
    std::vector<WarmupCount> counts;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (auto count = parse_line(line)) counts.push_back(std::move(*count));
    }
    return counts;
}

std::error_code WarmupLedger::load(std::vector<WarmupCount>& out) const {
    std::string text;
    out.clear();
    if (auto ec = file_.read(text)) return ec;
    out = parse_warmup_counts(text);
    return {};
}

}  // namespace sluice::daemon::queue
