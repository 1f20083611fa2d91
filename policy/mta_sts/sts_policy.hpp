// MTA-STS policy files (RFC 8461 §3.2): parsing the text served at
// https://mta-sts.<domain>/.well-known/mta-sts.txt into an StsPolicy, and matching an MX host
// against its "mx" patterns (§4.1). Pure: no I/O; a malformed file is an error value, never an
// exception. Unknown keys are ignored (§3.2); for a repeated key other than "mx" the first wins.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::policy::mta_sts {

enum class Mode {
    enforce,  // deliver only to matching MX hosts, over TLS with a valid certificate
    testing,  // deliver as usual; report what would have failed
    none,     // no policy (how a domain withdraws one)
};

struct StsPolicy {
    Mode mode = Mode::none;
    std::vector<std::string> mx;  // lower case, "mail.example.net" or "*.example.net"
    std::chrono::seconds max_age{0};

    friend bool operator==(const StsPolicy&, const StsPolicy&) = default;
};

constexpr std::chrono::seconds kMaxMaxAge{31557600};  // RFC 8461 §3.2: about one year

// The parsed policy, or why the text is not one ("max_age: not a number").
using PolicyParse = std::variant<StsPolicy, std::string>;
[[nodiscard]] PolicyParse parse_policy(std::string_view text);

// "enforce", "testing", "none".
[[nodiscard]] std::string_view mode_name(Mode mode);

// RFC 8461 §4.1: `mx_host` equals a pattern, or a "*.rest" pattern's wildcard stands for
// exactly one left-most label. Case-insensitive; a trailing dot on the host is ignored.
[[nodiscard]] bool mx_matches(const StsPolicy& policy, std::string_view mx_host);

}  // namespace sluice::policy::mta_sts
