// Table tests for the unit parsers: every accepted form, every rejection and each overflow edge.
#include "policy/config/units.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::policy::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

template <class T>
std::string show(const std::optional<T>& value) {
    if (!value) {
        return "nullopt";
    }
    if constexpr (std::is_same_v<T, milliseconds>) {
        return std::to_string(value->count()) + "ms";
    } else if constexpr (std::is_same_v<T, Rate>) {
        return std::to_string(value->count) + "/" + std::to_string(value->per.count()) + "ms";
    } else {
        return std::to_string(*value);
    }
}

TEST(ParseDuration, Table) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    struct Case {
        std::string_view input;
        std::optional<milliseconds> want;
    } cases[] = {
        {"500ms", milliseconds(500)},
        {"0ms", milliseconds(0)},
        {"0s", milliseconds(0)},
        {"30s", seconds(30)},
        {"5m", std::chrono::minutes(5)},
        {"1h", std::chrono::hours(1)},
        {"3d", std::chrono::hours(72)},
        {"1w", std::chrono::hours(168)},
        {"1h30m", std::chrono::minutes(90)},
        {"1m30s", seconds(90)},
        {"1s500ms", milliseconds(1500)},
        {"1w2d3h4m5s6ms", milliseconds(((((7 + 2) * 24 + 3) * 60 + 4) * 60 + 5) * 1000LL + 6)},
        {"007s", seconds(7)},
        {"9223372036854775807ms", milliseconds(kMax)},
        {"9223372036854775s", milliseconds(9223372036854775000LL)},
        {"9223372036854775808ms", std::nullopt},   // int64 overflow
        {"9223372036854776s", std::nullopt},       // overflow in the multiplication
        {"18446744073709551616s", std::nullopt},   // does not fit 64 bits at all
        {"9223372036854775s808ms", std::nullopt},  // overflow in the sum
        {"15250w", milliseconds(15250LL * 7 * 24 * 3600 * 1000)},
        {"", std::nullopt},
        {"30", std::nullopt},  // a unit is required
        {"s", std::nullopt},
        {"1h30", std::nullopt},
        {"30m1h", std::nullopt},  // largest unit first
        {"1m1m", std::nullopt},
        {"1ms1s", std::nullopt},
        {"-5s", std::nullopt},
        {"+5s", std::nullopt},
        {"5 s", std::nullopt},
        {" 5s", std::nullopt},
        {"5s ", std::nullopt},
        {"1.5h", std::nullopt},
        {"5S", std::nullopt},  // units are lower case ("M" would be ambiguous)
        {"5M", std::nullopt},
        {"5x", std::nullopt},
        {"5sec", std::nullopt},
        {"5mss", std::nullopt},
    };
    for (const auto& c : cases) {
        auto got = parse_duration(c.input);
        EXPECT_EQ(got, c.want) << "parse_duration(\"" << c.input << "\"): got " << show(got)
                               << ", want " << show(c.want);
    }
}

TEST(ParseRate, Table) {
    using std::chrono::hours;
    using std::chrono::minutes;
    struct Case {
        std::string_view input;
        std::optional<Rate> want;
    } cases[] = {
        {"1000/h", Rate{1000, hours(1)}},
        {"30/m", Rate{30, minutes(1)}},
        {"5/10s", Rate{5, seconds(10)}},
        {"100/d", Rate{100, hours(24)}},
        {"7/w", Rate{7, hours(168)}},
        {"1/s", Rate{1, seconds(1)}},
        {"2/ms", Rate{2, milliseconds(1)}},
        {"3/500ms", Rate{3, milliseconds(500)}},
        {"90/1h30m", Rate{90, minutes(90)}},
        {"0/h", Rate{0, hours(1)}},
        {"18446744073709551615/s", Rate{std::numeric_limits<std::uint64_t>::max(), seconds(1)}},
        {"18446744073709551616/s", std::nullopt},
        {"5/0s", std::nullopt},  // a rate needs a period
        {"5", std::nullopt},
        {"5/", std::nullopt},
        {"/h", std::nullopt},
        {"5/10", std::nullopt},
        {"5/x", std::nullopt},
        {"5/hour", std::nullopt},
        {"-5/h", std::nullopt},
        {"5 /h", std::nullopt},
        {"5/h ", std::nullopt},
        {"5/h/h", std::nullopt},
        {"1.5/h", std::nullopt},
        {"", std::nullopt},
    };
    for (const auto& c : cases) {
        auto got = parse_rate(c.input);
        EXPECT_EQ(got, c.want) << "parse_rate(\"" << c.input << "\"): got " << show(got)
                               << ", want " << show(c.want);
    }
}

TEST(ParseSize, Table) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    struct Case {
        std::string_view input;
        std::optional<std::uint64_t> want;
    } cases[] = {
        {"0", 0},
        {"50000", 50000},
        {"64k", 64 * 1024},
        {"64K", 64 * 1024},
        {"50M", 50ULL << 20},
        {"50m", 50ULL << 20},
        {"1G", 1ULL << 30},
        {"1g", 1ULL << 30},
        {"2T", 2ULL << 40},
        {"0k", 0},
        {"18446744073709551615", kMax},
        {"18446744073709551616", std::nullopt},
        {"16777215T", 16777215ULL << 40},
        {"16777216T", std::nullopt},  // 2^64 bytes
        {"17179869183G", 17179869183ULL << 30},
        {"17179869184G", std::nullopt},
        {"", std::nullopt},
        {"k", std::nullopt},
        {"-1", std::nullopt},
        {"+1", std::nullopt},
        {"1.5M", std::nullopt},
        {"50MB", std::nullopt},
        {"50 M", std::nullopt},
        {"50x", std::nullopt},
        {"50P", std::nullopt},
        {" 50", std::nullopt},
    };
    for (const auto& c : cases) {
        auto got = parse_size(c.input);
        EXPECT_EQ(got, c.want) << "parse_size(\"" << c.input << "\"): got " << show(got)
                               << ", want " << show(c.want);
    }
}

TEST(ParsePercent, Table) {
    struct Case {
        std::string_view input;
        std::optional<double> want;
    } cases[] = {
        {"10%", 0.10},          {"12.5%", 0.125},       {"0%", 0.0},
        {"100%", 1.0},          {"150%", 1.5},          {"007%", 0.07},
        {"0.5%", 0.005},        {"%", std::nullopt},    {"10", std::nullopt},
        {"10 %", std::nullopt}, {"-10%", std::nullopt}, {"+10%", std::nullopt},
        {".5%", std::nullopt},  {"5.%", std::nullopt},  {"1e2%", std::nullopt},
        {"inf%", std::nullopt}, {"nan%", std::nullopt}, {"1.2.3%", std::nullopt},
        {"10%%", std::nullopt}, {"", std::nullopt},
    };
    for (const auto& c : cases) {
        auto got = parse_percent(c.input);
        ASSERT_EQ(got.has_value(), c.want.has_value())
            << "parse_percent(\"" << c.input << "\"): got " << show(got) << ", want "
            << show(c.want);
        if (got) {
            EXPECT_DOUBLE_EQ(*got, *c.want)
                << "parse_percent(\"" << c.input << "\"): got " << *got << ", want " << *c.want;
        }
    }
}

}  // namespace
}  // namespace sluice::policy::config
