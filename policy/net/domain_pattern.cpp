// Domain patterns (see domain_pattern.hpp).
#include "policy/net/domain_pattern.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::policy::net {

DomainPattern parse_domain_pattern(std::string_view text) {
    if (text == "*") return {PatternKind::any, {}};
    if (text.starts_with("*.")) return {PatternKind::subdomains, text.substr(2)};
    return {PatternKind::exact, text};
}

bool is_subdomain_of(std::string_view name, std::string_view parent) {
    if (name.size() <= parent.size() + 1) return false;  // room for "x." before the parent
    const std::size_t dot = name.size() - parent.size() - 1;
    return name[dot] == '.' && text::iequals(name.substr(dot + 1), parent);
}

bool matches(const DomainPattern& pattern, std::string_view name) {
    switch (pattern.kind) {
        case PatternKind::exact:
            return text::iequals(name, pattern.base);
        case PatternKind::subdomains:
            return is_subdomain_of(name, pattern.base);
        case PatternKind::any:
            return true;
    }
    return false;
}

bool matches_domain_pattern(std::string_view pattern, std::string_view name) {
    return matches(parse_domain_pattern(pattern), name);
}

std::string canonical_domain(std::string_view name) {
    if (name.ends_with('.')) name.remove_suffix(1);
    return text::to_lower(name);
}

}  // namespace sluice::policy::net
