// Which ISP a recipient domain belongs to. Precedence: an exact domain in an ISP's `domains`,
// then the longest "*.parent" entry, then (MX rollup) the first ISP in file order with an MX
// pattern matching the domain's most preferred MX host that matches any ISP, else none (the
// caller uses the default rules). Patterns: "mx.yandex.ru" exact, "*.google.com" any subdomain
// (policy/net/domain_pattern.hpp). Case-insensitive; a trailing dot is ignored.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/config/policy_model.hpp"

namespace sluice::policy::isp {

class IspDirectory {
  public:
    explicit IspDirectory(const std::vector<config::Isp>& isps);

    // By the domain lists; nullptr if no ISP lists it.
    [[nodiscard]] const config::Isp* by_domain(std::string_view domain) const;
    // By MX rollup: `mx_hosts` in preference order; nullptr if none matches.
    [[nodiscard]] const config::Isp* by_mx(std::span<const std::string> mx_hosts) const;
    // Whether any ISP has MX patterns (else no MX lookup is needed to classify a domain).
    [[nodiscard]] bool uses_mx() const { return !mx_rules_.empty(); }

  private:
    struct MxRule {
        std::string pattern;  // lower case, without "*."
        bool subdomains;      // written "*.pattern"
        const config::Isp* isp;
    };
    std::unordered_map<std::string, const config::Isp*> exact_;
    std::unordered_map<std::string, const config::Isp*> parents_;  // from "*.parent"
    std::vector<MxRule> mx_rules_;
};

}  // namespace sluice::policy::isp
