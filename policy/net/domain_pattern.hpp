// Domain patterns as sluice.conf writes them (routes, ISP domains and mx, pool sender_domains;
// a DKIM key with subdomains = true is "example.com" plus "*.example.com"): "example.com" is
// that domain, "*.example.com" any name below it at any depth (not the domain itself), "*"
// every domain. Matching ignores ASCII case but not a trailing dot: callers drop it first
// (canonical_domain()).
// Which forms a setting admits is for config validation ("*" is valid for routes only).
// Deliberately not here: MTA-STS mx patterns (RFC 8461 §4.1), whose "*." stands for exactly
// one label (policy/mta_sts/sts_policy.cpp). Pure; no state; no errors.
#pragma once

#include <string>
#include <string_view>

namespace sluice::policy::net {

enum class PatternKind {
    exact,       // "example.com"
    subdomains,  // "*.example.com"
    any,         // "*"
};

struct DomainPattern {
    PatternKind kind = PatternKind::exact;
    std::string_view base;  // the domain, or for "*.example.com" "example.com"; empty for "*"
};

// The pattern `text` stands for; never fails (whatever is neither "*" nor "*.…" is exact).
[[nodiscard]] DomainPattern parse_domain_pattern(std::string_view text);

// Whether `name` lies strictly below `parent` ("a.b.example.com" below "example.com").
[[nodiscard]] bool is_subdomain_of(std::string_view name, std::string_view parent);

// Whether `name` matches `pattern`.
[[nodiscard]] bool matches(const DomainPattern& pattern, std::string_view name);
[[nodiscard]] bool matches_domain_pattern(std::string_view pattern, std::string_view name);

// `name` in the spelling patterns are compared in: ASCII lower case, one trailing dot dropped.
[[nodiscard]] std::string canonical_domain(std::string_view name);

}  // namespace sluice::policy::net
