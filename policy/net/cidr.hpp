// IPv4/IPv6 addresses and networks in CIDR notation, as plain bytes, for access decisions
// (relay_networks). Pure parsing and comparison; no sockets. IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d) match IPv4 networks.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::policy::net {

struct IpAddress {
    enum class Family { v4, v6 };
    Family family = Family::v4;
    std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4

    // Parses a numeric address ("127.0.0.1", "::1"); nullopt if it is not one.
    [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct Cidr {
    IpAddress network;
    unsigned prefix_length = 0;

    // Parses "a.b.c.d/n", "x::y/n" or a bare address (a host route); nullopt if malformed or
    // the prefix is too long for the family.
    [[nodiscard]] static std::optional<Cidr> parse(std::string_view text);
    [[nodiscard]] bool contains(const IpAddress& address) const;
    [[nodiscard]] std::string to_string() const;
};

// True if any network in `networks` contains `address`.
[[nodiscard]] bool any_contains(const std::vector<Cidr>& networks, const IpAddress& address);

}  // namespace sluice::policy::net
