// IpAddress and Cidr: numeric parsing through inet_pton/inet_ntop (pure string conversions, no
// sockets), prefix matching on raw bytes. A network is stored with its host bits cleared.
#include "policy/net/cidr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace sluice::policy::net {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

unsigned max_prefix(IpAddress::Family family) {
    return family == IpAddress::Family::v4 ? 32 : 128;
}

bool is_v4_mapped(const IpAddress& address) {
    return address.family == IpAddress::Family::v6 &&
           std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin());
}

// The same address in `family`, if it has a form there (IPv4 <-> ::ffff:a.b.c.d).
std::optional<IpAddress> as_family(const IpAddress& address, IpAddress::Family family) {
    if (address.family == family) {
        return address;
    }
    IpAddress converted;
    converted.family = family;
    if (family == IpAddress::Family::v4) {
        if (!is_v4_mapped(address)) {
            return std::nullopt;
        }
        std::copy_n(address.bytes.begin() + 12, 4, converted.bytes.begin());
    } else {
        std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), converted.bytes.begin());
        std::copy_n(address.bytes.begin(), 4, converted.bytes.begin() + 12);
    }
    return converted;
}

// Clears every bit after the first `prefix_length`.
void clear_host_bits(std::array<std::uint8_t, 16>& bytes, unsigned prefix_length) {
    for (unsigned i = 0; i < bytes.size(); ++i) {
        unsigned first_bit = i * 8;
        if (first_bit >= prefix_length) {
            bytes[i] = 0;
        } else if (prefix_length - first_bit < 8) {
            bytes[i] &= static_cast<std::uint8_t>(0xff << (8 - (prefix_length - first_bit)));
        }
    }
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton reads a C string: an embedded NUL would silently cut the input short.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN || text.find('\0') != text.npos) {
        return std::nullopt;
    }
    const std::string terminated(text);
    IpAddress address;
    if (inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) {
        address.family = Family::v4;
        return address;
    }
    if (inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) == 1) {
        address.family = Family::v6;
        return address;
    }
    return std::nullopt;
}

std::string IpAddress::to_string() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    const int af = family == Family::v4 ? AF_INET : AF_INET6;
    if (inet_ntop(af, bytes.data(), buffer, sizeof buffer) == nullptr) {
        return "?";  // unreachable: the buffer fits every address
    }
    return buffer;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
    const std::size_t slash = text.find('/');
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) {
        return std::nullopt;
    }
    Cidr cidr{*address, max_prefix(address->family)};
    if (slash != text.npos) {
        std::string_view digits = text.substr(slash + 1);
        unsigned length = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (digits.empty() || digits.size() > 3 || ec != std::errc{} ||
            end != digits.data() + digits.size() || length > cidr.prefix_length) {
            return std::nullopt;
        }
        cidr.prefix_length = length;
    }
    clear_host_bits(cidr.network.bytes, cidr.prefix_length);
    return cidr;
}

bool Cidr::contains(const IpAddress& address) const {
    auto candidate = as_family(address, network.family);
    if (!candidate) {
        return false;
    }
    clear_host_bits(candidate->bytes, prefix_length);
    return candidate->bytes == network.bytes;
}

std::string Cidr::to_string() const {
    return network.to_string() + "/" + std::to_string(prefix_length);
}

bool any_contains(const std::vector<Cidr>& networks, const IpAddress& address) {
    return std::any_of(networks.begin(), networks.end(),
                       [&](const Cidr& network) { return network.contains(address); });
}

}  // namespace sluice::policy::net
