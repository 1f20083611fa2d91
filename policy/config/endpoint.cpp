// Endpoint parsing and formatting (see endpoint.hpp).
#include "policy/config/endpoint.hpp"

#include <charconv>

namespace sluice::policy::config {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view digits) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || digits.size() > 5 || ec != std::errc{} ||
        end != digits.data() + digits.size() || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon == text.npos) {
        return std::nullopt;
    }
    std::string_view host = text.substr(0, colon);
    const bool bracketed = host.starts_with('[') && host.ends_with(']');
    if (bracketed) {
        host = host.substr(1, host.size() - 2);
    }
    auto address = net::IpAddress::parse(host);
    auto port = parse_port(text.substr(colon + 1));
    // IPv6 needs brackets (its colons would be ambiguous) and IPv4 must not have them.
    const bool v6 = address && address->family == net::IpAddress::Family::v6;
    if (!address || !port || bracketed != v6) {
        return std::nullopt;
    }
    return Endpoint{*address, *port};
}

std::string Endpoint::to_string() const {
    std::string host = address.to_string();
    if (address.family == net::IpAddress::Family::v6) {
        host = "[" + host + "]";
    }
    return host + ":" + std::to_string(port);
}

}  // namespace sluice::policy::config
