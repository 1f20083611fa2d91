// Domain-name checks before a query: lowercases, drops one trailing dot, and rejects what
// cannot be a domain name (empty, over 253 octets, an empty or over-63-octet label, spaces,
// control characters or backslashes). IP literals pass: they are names to DNS. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::daemon::dns {

// "Mx1.Example.COM." -> "mx1.example.com"; nullopt if `name` is not a valid domain name.
[[nodiscard]] std::optional<std::string> normalize_name(std::string_view name);

}  // namespace sluice::daemon::dns
