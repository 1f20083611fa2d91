// IspDirectory (see isp_directory.hpp). Names are folded to lower case and stripped of a
// trailing dot once, at construction and per lookup; the first ISP in file order keeps a
// domain listed twice (validation reports that).
#include "policy/isp/isp_directory.hpp"

#include <optional>

#include "policy/text/ascii.hpp"

namespace sluice::policy::isp {
namespace {

std::string normalized(std::string_view name) {
    if (name.ends_with('.')) {
        name.remove_suffix(1);
    }
    return text::to_lower(name);
}

// "*.parent" -> "parent"; otherwise nullopt.
std::optional<std::string> wildcard_parent(const std::string& pattern) {
    if (pattern.starts_with("*.")) {
        return pattern.substr(2);
    }
    return std::nullopt;
}

bool is_subdomain_of(std::string_view host, std::string_view parent) {
    return host.size() > parent.size() + 1 && host.ends_with(parent) &&
           host[host.size() - parent.size() - 1] == '.';
}

}  // namespace

IspDirectory::IspDirectory(const std::vector<config::Isp>& isps) {
    for (const config::Isp& isp : isps) {
        for (const std::string& domain : isp.domains) {
            const std::string name = normalized(domain);
            if (auto parent = wildcard_parent(name)) {
                parents_.emplace(*parent, &isp);
            } else {
                exact_.emplace(name, &isp);
            }
        }
        for (const std::string& pattern : isp.mx_patterns) {
            const std::string name = normalized(pattern);
            auto parent = wildcard_parent(name);
            mx_rules_.push_back({parent ? *parent : name, parent.has_value(), &isp});
        }
    }
}

const config::Isp* IspDirectory::by_domain(std::string_view domain) const {
    const std::string name = normalized(domain);
    if (auto it = exact_.find(name); it != exact_.end()) {
        return it->second;
    }
    // Longest parent first: drop one leading label at a time.
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
        const std::string host = normalized(mx);
        for (const MxRule& rule : mx_rules_) {
            const bool hit =
                rule.subdomains ? is_subdomain_of(host, rule.pattern) : host == rule.pattern;
            if (hit) {
                return rule.isp;
            }
        }
    }
    return nullptr;
}

}  // namespace sluice::policy::isp
