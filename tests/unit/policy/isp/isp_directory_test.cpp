// IspDirectory: exact domain > longest "*.parent" > MX pattern (file order among patterns),
// case and trailing dots ignored, most preferred matching MX host first.
#include "policy/isp/isp_directory.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::isp {
namespace {

config::Isp isp(std::string name, std::vector<std::string> domains, std::vector<std::string> mx) {
    config::Isp out;
    out.name = std::move(name);
    out.domains = std::move(domains);
    out.mx_patterns = std::move(mx);
    return out;
}

std::string name_of(const config::Isp* found) {
    return found == nullptr ? "(none)" : found->name;
}

const std::vector<config::Isp> kIsps = {
    isp("Gmail", {"gmail.com", "googlemail.com"}, {"*.google.com"}),
    isp("Corp", {"*.corp.example", "Example.COM"}, {"mx.example.net"}),
    isp("CorpSales", {"*.sales.corp.example"}, {}),
    isp("Yandex", {"yandex.ru"}, {"mx.yandex.ru", "*.yandex.net", "*.google.com"}),
    isp("GoogleHosted", {}, {"aspmx.l.google.com"}),
};

TEST(IspDirectory, ByDomain) {
    const IspDirectory directory(kIsps);
    const std::pair<std::string, std::string> cases[] = {
        {"gmail.com", "Gmail"},
        {"GMail.Com.", "Gmail"},
        {"googlemail.com", "Gmail"},
        {"mail.gmail.com", "(none)"},  // an exact entry covers only itself
        {"example.com", "Corp"},
        {"a.corp.example", "Corp"},
        {"x.y.corp.example", "Corp"},
        {"corp.example", "(none)"},             // "*.parent" covers subdomains only
        {"b.sales.corp.example", "CorpSales"},  // the longest parent wins
        {"sales.corp.example", "Corp"},
        {"yandex.ru", "Yandex"},
        {"", "(none)"},
        {".", "(none)"},
    };
    for (const auto& [domain, want] : cases) {
        const std::string got = name_of(directory.by_domain(domain));
        EXPECT_EQ(got, want) << "domain \"" << domain << "\": got " << got << ", want " << want;
    }
}

TEST(IspDirectory, ByMx) {
    const IspDirectory directory(kIsps);
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"alt1.aspmx.l.google.com"}, "Gmail"},
        {{"ASPMX.L.GOOGLE.COM."}, "Gmail"},  // Gmail's pattern comes first in the file
        {{"google.com"}, "(none)"},          // "*.google.com" is subdomains only
        {{"mx.yandex.ru"}, "Yandex"},
        {{"mx2.yandex.ru"}, "(none)"},  // exact pattern
        {{"mx.example.net"}, "Corp"},
        {{"mx.other.test", "mx1.yandex.net"}, "Yandex"},   // first host that matches any ISP
        {{"mx1.yandex.net", "mx.example.net"}, "Yandex"},  // preference order, not file order
        {{"mx.other.test"}, "(none)"},
        {{}, "(none)"},
    };
    for (const auto& [hosts, want] : cases) {
        const std::string got = name_of(directory.by_mx(hosts));
        EXPECT_EQ(got, want) << "MX " << (hosts.empty() ? "(none)" : hosts[0]) << ": got " << got
                             << ", want " << want;
    }
    EXPECT_TRUE(directory.uses_mx());
    EXPECT_FALSE(IspDirectory({isp("A", {"a.test"}, {})}).uses_mx());
}

}  // namespace
}  // namespace sluice::policy::isp
