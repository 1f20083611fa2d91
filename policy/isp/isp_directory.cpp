// IspDirectory (see isp_directory.hpp). Names are folded to lower case and stripped of a
// trailing dot once, at construction and per lookup; the first ISP in file order keeps a
// domain listed twice (validation reports that).
#include "policy/isp/isp_directory.hpp"

#include "policy/net/domain_pattern.hpp"

namespace sluice::policy::isp {

using net::canonical_domain;

namespace {
// "*" is no ISP pattern (validate_policy), so whatever is not "*.parent" is a plain name here.
bool is_wildcard(const net::DomainPattern& pattern) {
    return pattern.kind == net::PatternKind::subdomains;
}
}  // namespace

IspDirectory::IspDirectory(const std::vector<config::Isp>& isps) {
    for (const config::Isp& isp : isps) {
        for (const std::string& domain : isp.domains) {
            const std::string name = canonical_domain(domain);
            const net::DomainPattern pattern = net::parse_domain_pattern(name);
            if (is_wildcard(pattern)) {
                parents_.emplace(pattern.base, &isp);
            } else {
                exact_.emplace(name, &isp);
            }
        }
        for (const std::string& text : isp.mx_patterns) {
            const std::string name = canonical_domain(text);
            const net::DomainPattern pattern = net::parse_domain_pattern(name);
            const bool subdomains = is_wildcard(pattern);
            mx_rules_.push_back({std::string(subdomains ? pattern.base : name), subdomains, &isp});
        }
    }
}

const config::Isp* IspDirectory::by_domain(std::string_view domain) const {
    const std::string name = canonical_domain(domain);
    if (auto it = exact_.find(name); it != exact_.end()) {
        return it->second;
    }
    // Longest parent first: drop one leading label at a time (an index instead of a pass over
    // every "*.parent" pattern).
    for (std::size_t dot = name.find('.'); dot != std::string::npos;
         dot = name.find('.', dot + 1)) {
        if (auto it = parents_.find(name.substr(dot + 1)); it != parents_.end()) {
            return it->second;
        }
    }
    return nullptr;
}

const config::Isp* IspDirectory::by_mx(std::span<const std::string> mx_hosts) const {
    for (const std::string& mx : mx_hosts) {
        const std::string host = canonical_domain(mx);
        for (const MxRule& rule : mx_rules_) {
            const bool hit =
                rule.subdomains ? net::is_subdomain_of(host, rule.pattern) : host == rule.pattern;
            if (hit) {
                return rule.isp;
            }
        }
    }
    return nullptr;
}

}  // namespace sluice::policy::isp
