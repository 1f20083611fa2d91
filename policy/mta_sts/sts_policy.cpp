#include "policy/mta_sts/sts_policy.hpp"

#include <cctype>
#include <optional>

#include "policy/net/domain_pattern.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::policy::mta_sts {
namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim_wsp(std::string_view text) {
    while (!text.empty() && is_wsp(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_wsp(text.back())) text.remove_suffix(1);
    return text;
}

// RFC 8461 §3.2 sts-policy-mx-value: a domain name, optionally with a "*." prefix.
bool is_mx_pattern(std::string_view pattern) {
    if (pattern.starts_with("*.")) pattern.remove_prefix(2);
    if (pattern.empty() || pattern.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i <= pattern.size(); ++i) {
        if (i == pattern.size() || pattern[i] == '.') {
            if (label == 0 || label > 63) return false;
            label = 0;
            continue;
        }
        const auto c = static_cast<unsigned char>(pattern[i]);
        if (!std::isalnum(c) && c != '-' && c != '_') return false;
        ++label;
    }
    return true;
}

std::optional<std::chrono::seconds> parse_max_age(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;  // 1*10DIGIT
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value > kMaxMaxAge.count()) return std::nullopt;
    return std::chrono::seconds(value);
}

struct Fields {
    std::optional<std::string_view> version, mode, max_age;
    std::vector<std::string_view> mx;
};

// Splits "key: value" lines (CRLF or LF); the first of a repeated key wins, except "mx".
std::variant<Fields, std::string> split_fields(std::string_view text) {
    Fields fields;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (trim_wsp(line).empty()) continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return "a line without \":\"";
        const std::string_view key = line.substr(0, colon);
        const std::string_view value = trim_wsp(line.substr(colon + 1));
        if (key == "mx") {
            fields.mx.push_back(value);
        } else if (key == "version" && !fields.version) {
            fields.version = value;
        } else if (key == "mode" && !fields.mode) {
            fields.mode = value;
        } else if (key == "max_age" && !fields.max_age) {
            fields.max_age = value;
        }
    }
    return fields;
}

}  // namespace

std::string_view mode_name(Mode mode) {
    switch (mode) {
        case Mode::enforce:
            return "enforce";
        case Mode::testing:
            return "testing";
        case Mode::none:
            return "none";
    }
    return "none";
}

PolicyParse parse_policy(std::string_view text) {
    auto split = split_fields(text);
    if (auto* error = std::get_if<std::string>(&split)) return std::move(*error);
    const Fields& fields = std::get<Fields>(split);
    if (fields.version != "STSv1") return std::string("version: must be STSv1");
    StsPolicy policy;
    if (fields.mode == "enforce") {
        policy.mode = Mode::enforce;
    } else if (fields.mode == "testing") {
        policy.mode = Mode::testing;
    } else if (fields.mode == "none") {
        policy.mode = Mode::none;
    } else {
        return std::string("mode: must be enforce, testing or none");
    }
    const auto max_age = fields.max_age ? parse_max_age(*fields.max_age) : std::nullopt;
    if (!max_age) return std::string("max_age: must be a number of seconds up to 31557600");
    policy.max_age = *max_age;
    for (auto pattern : fields.mx) {
        // "mx: mail.example.com." (fully qualified) is a common spelling; one dot goes.
        if (pattern.ends_with('.')) pattern.remove_suffix(1);
        if (!is_mx_pattern(pattern)) return "mx: not a host name pattern: " + std::string(pattern);
        policy.mx.push_back(text::to_lower(pattern));
    }
    if (policy.mx.empty() && policy.mode != Mode::none) {
        return std::string("mx: at least one is required");
    }
    return policy;
}

bool mx_matches(const StsPolicy& policy, std::string_view mx_host) {
    const std::string host = net::canonical_domain(mx_host);
    for (const auto& pattern : policy.mx) {
        // Not net::DomainPattern: here "*." stands for exactly one label (RFC 8461 §4.1).
        if (pattern.starts_with("*.")) {
            const std::string_view suffix = std::string_view(pattern).substr(1);  // ".rest"
            if (host.size() > suffix.size() && host.ends_with(suffix) &&
                host.find('.') == host.size() - suffix.size()) {
                return true;  // exactly one label before the suffix
            }
        } else if (host == pattern) {
            return true;
        }
    }
    return false;
}

}  // namespace sluice::policy::mta_sts
