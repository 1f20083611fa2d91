// is_host_name / is_helo_name (see host_name.hpp).
#include "policy/config/host_name.hpp"

#include <cctype>

#include "policy/net/cidr.hpp"

namespace sluice::policy::config {

bool is_host_name(std::string_view name) {
    if (name.empty() || name.size() > 253) {
        return false;
    }
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            std::string_view label = name.substr(label_start, i - label_start);
            if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
                return false;
            }
            label_start = i + 1;
        } else if (!std::isalnum(static_cast<unsigned char>(name[i])) && name[i] != '-') {
            return false;
        }
    }
    return true;
}

bool is_helo_name(std::string_view name) {
    if (name.size() < 2 || name.front() != '[' || name.back() != ']') {
        return is_host_name(name);
    }
    std::string_view literal = name.substr(1, name.size() - 2);
    if (literal.starts_with("IPv6:")) {
        auto address = net::IpAddress::parse(literal.substr(5));
        return address && address->family == net::IpAddress::Family::v6;
    }
    auto address = net::IpAddress::parse(literal);
    return address && address->family == net::IpAddress::Family::v4;
}

}  // namespace sluice::policy::config
