// Table tests for domain patterns: exact names, "*.parent" (strictly below, any depth), "*",
// case, and the near misses (a suffix that is not a label boundary, the parent itself).
#include "policy/net/domain_pattern.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::policy::net {
namespace {

std::string kind_name(PatternKind kind) {
    switch (kind) {
        case PatternKind::exact:
            return "exact";
        case PatternKind::subdomains:
            return "subdomains";
        case PatternKind::any:
            return "any";
    }
    return "?";
}

TEST(DomainPattern, Parses) {
    struct Case {
        std::string text;
        PatternKind want_kind;
        std::string want_base;
    } cases[] = {
        {"example.com", PatternKind::exact, "example.com"},
        {"*.example.com", PatternKind::subdomains, "example.com"},
        {"*", PatternKind::any, ""},
        {"*example.com", PatternKind::exact, "*example.com"},  // no dot: not a wildcard
        {"a.*.example.com", PatternKind::exact, "a.*.example.com"},
        {"", PatternKind::exact, ""},
    };
    for (const auto& c : cases) {
        const DomainPattern got = parse_domain_pattern(c.text);
        EXPECT_TRUE(got.kind == c.want_kind && got.base == c.want_base)
            << "\"" << c.text << "\": got " << kind_name(got.kind) << " \"" << got.base
            << "\", want " << kind_name(c.want_kind) << " \"" << c.want_base << "\"";
    }
}

TEST(DomainPattern, Matches) {
    struct Case {
        std::string pattern;
        std::string name;
        bool want;
    } cases[] = {
        {"example.com", "example.com", true},
        {"example.com", "EXAMPLE.Com", true},
        {"Example.COM", "example.com", true},
        {"example.com", "a.example.com", false},
        {"example.com", "example.co", false},
        {"*.example.com", "a.example.com", true},
        {"*.example.com", "a.b.example.com", true},  // any depth (unlike MTA-STS)
        {"*.Example.Com", "A.EXAMPLE.com", true},
        {"*.example.com", "example.com", false},   // the parent itself is not below itself
        {"*.example.com", ".example.com", false},  // nothing before the dot
        {"*.example.com", "aexample.com", false},  // a suffix, but not at a label boundary
        {"*.example.com", "a.example.com.evil", false},
        {"*", "example.com", true},
        {"*", "", true},
        {"", "", true},
    };
    for (const auto& c : cases) {
        const bool got = matches_domain_pattern(c.pattern, c.name);
        EXPECT_EQ(got, c.want) << "pattern \"" << c.pattern << "\", name \"" << c.name << "\": got "
                               << got << ", want " << c.want;
    }
}

TEST(DomainPattern, IsSubdomainOf) {
    struct Case {
        std::string name;
        std::string parent;
        bool want;
    } cases[] = {
        {"mail.example.com", "example.com", true},
        {"x.mail.example.com", "example.com", true},
        {"example.com", "example.com", false},
        {"myexample.com", "example.com", false},
        {"MAIL.Example.COM", "example.com", true},
        {"a.com", "com", true},
        {"com", "com", false},
        {"a.", "", true},
        {".", "", false},
    };
    for (const auto& c : cases) {
        const bool got = is_subdomain_of(c.name, c.parent);
        EXPECT_EQ(got, c.want) << "is_subdomain_of(\"" << c.name << "\", \"" << c.parent
                               << "\"): got " << got << ", want " << c.want;
    }
}

TEST(DomainPattern, CanonicalDomain) {
    struct Case {
        std::string name;
        std::string want;
    } cases[] = {
        {"Example.COM", "example.com"},
        {"example.com.", "example.com"},
        {"example.com..", "example.com."},  // one dot only
        {".", ""},
        {"", ""},
    };
    for (const auto& c : cases) {
        const std::string got = canonical_domain(c.name);
        EXPECT_EQ(got, c.want) << "canonical_domain(\"" << c.name << "\"): got \"" << got
                               << "\", want \"" << c.want << "\"";
    }
}

}  // namespace
}  // namespace sluice::policy::net
