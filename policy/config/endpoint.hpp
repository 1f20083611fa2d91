// Endpoint: a numeric address and a port written "address:port", IPv6 as "[address]:port"
// (status.listen, default listener names). Pure parsing and formatting; no name lookup, so a
// host name is rejected. Values are plain copies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/net/cidr.hpp"

namespace sluice::policy::config {

struct Endpoint {
    net::IpAddress address;
    std::uint16_t port = 0;

    // Parses "127.0.0.1:8025" or "[::1]:8025"; nullopt for anything else (port 0..65535).
    [[nodiscard]] static std::optional<Endpoint> parse(std::string_view text);
    // The same form parse() reads; the address in its canonical spelling.
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

}  // namespace sluice::policy::config
