// Parsers for the unit-carrying strings of sluice.conf (see units.hpp for the grammar).
// Hand-written over std::from_chars: no locale, no exceptions, and every overflow is caught
// with checked arithmetic so a huge value is rejected rather than wrapped.
#include "policy/config/units.hpp"

#include <array>
#include <charconv>
#include <limits>

#include "policy/text/ascii.hpp"

namespace sluice::policy::config {
namespace {

using Millis = std::chrono::milliseconds;

// The leading decimal digits of `text` as a number, and what follows them.
struct Leading {
    std::uint64_t value = 0;
    std::string_view rest;
};

std::optional<Leading> take_number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data()) {
        return std::nullopt;  // no digits, or too large for 64 bits
    }
    return Leading{value, text.substr(static_cast<std::size_t>(end - text.data()))};
}

// Duration units, largest first: a duration's components must follow this order.
struct DurationUnit {
    std::string_view suffix;
    std::int64_t millis;
};
constexpr std::array<DurationUnit, 6> kDurationUnits{{
    {"w", 7 * 24 * 3600 * 1000LL},
    {"d", 24 * 3600 * 1000LL},
    {"h", 3600 * 1000LL},
    {"m", 60 * 1000LL},
    {"s", 1000LL},
    {"ms", 1LL},
}};

// Index into kDurationUnits of the unit that starts `text`, or kDurationUnits.size().
std::size_t match_unit(std::string_view text) {
    // "ms" must win over "m"; every other unit is a single letter.
    if (text.starts_with("ms")) {
        return kDurationUnits.size() - 1;
    }
    for (std::size_t i = 0; i + 1 < kDurationUnits.size(); ++i) {
        if (text.starts_with(kDurationUnits[i].suffix)) {
            return i;
        }
    }
    return kDurationUnits.size();
}

std::optional<std::int64_t> checked_multiply_add(std::uint64_t count, std::int64_t unit,
                                                 std::int64_t total) {
    std::int64_t product = 0;
    if (count > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        __builtin_mul_overflow(static_cast<std::int64_t>(count), unit, &product) ||
        __builtin_add_overflow(total, product, &total)) {
        return std::nullopt;
    }
    return total;
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::int64_t total = 0;
    std::size_t next_unit = 0;  // components go from larger to smaller units, each at most once
    while (!text.empty()) {
        auto number = take_number(text);
        if (!number) {
            return std::nullopt;
        }
        std::size_t unit = match_unit(number->rest);
        if (unit == kDurationUnits.size() || unit < next_unit) {
            return std::nullopt;  // bare number (a unit is required), unknown or misordered unit
        }
        auto sum = checked_multiply_add(number->value, kDurationUnits[unit].millis, total);
        if (!sum) {
            return std::nullopt;
        }
        total = *sum;
        next_unit = unit + 1;
        text = number->rest.substr(kDurationUnits[unit].suffix.size());
    }
    return Millis{total};
}

std::optional<Rate> parse_rate(std::string_view text) {
    auto count = take_number(text);
    if (!count || !count->rest.starts_with('/')) {
        return std::nullopt;
    }
    std::string_view per = count->rest.substr(1);
    // "30/m" means per one minute; "5/10s" spells the period out as a duration.
    std::size_t unit = match_unit(per);
    std::optional<Millis> period;
    if (unit < kDurationUnits.size() && per.size() == kDurationUnits[unit].suffix.size()) {
        period = Millis{kDurationUnits[unit].millis};
    } else {
        period = parse_duration(per);
    }
    if (!period || period->count() <= 0) {
        return std::nullopt;
    }
    return Rate{count->value, *period};
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    auto number = take_number(text);
    if (!number) {
        return std::nullopt;
    }
    if (number->rest.empty()) {
        return number->value;
    }
    if (number->rest.size() != 1) {
        return std::nullopt;
    }
    int shift = 0;
    switch (policy::text::to_lower(number->rest.front())) {
        case 'k':
            shift = 10;
            break;
        case 'm':
            shift = 20;
            break;
        case 'g':
            shift = 30;
            break;
        case 't':
            shift = 40;
            break;
        default:
            return std::nullopt;
    }
    if (number->value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
        return std::nullopt;
    }
    return number->value << shift;
}

std::optional<double> parse_percent(std::string_view text) {
    if (!text.ends_with('%')) {
        return std::nullopt;
    }
    std::string_view digits = text.substr(0, text.size() - 1);
    // Only "123" or "12.5": from_chars alone would also take "1e3", "inf" and "nan".
    std::size_t dot = digits.find('.');
    auto all_digits = [](std::string_view s) {
        return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (!all_digits(digits.substr(0, dot)) ||
        (dot != std::string_view::npos && !all_digits(digits.substr(dot + 1)))) {
        return std::nullopt;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return value / 100.0;
}

double per_hour(const std::optional<Rate>& rate) {
    if (!rate || rate->per.count() <= 0) return 0;
    return static_cast<double>(rate->count) * 3600000.0 / static_cast<double>(rate->per.count());
}

}  // namespace sluice::policy::config
