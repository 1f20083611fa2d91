#include "daemon/dane/dane_requirement.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/dns/errc.hpp"

namespace sluice::daemon::dane {
namespace {

using dns::TlsaRecord;
using TlsaLookup = dns::Lookup<std::vector<TlsaRecord>>;

const std::string kSha256(32, '\x11');
const std::string kSha512(64, '\x22');

const char* name_of(DaneOutcome outcome) {
    switch (outcome) {
        case DaneOutcome::not_applicable:
            return "not_applicable";
        case DaneOutcome::authenticate:
            return "authenticate";
        case DaneOutcome::encrypt_only:
            return "encrypt_only";
        case DaneOutcome::skip_host:
            return "skip_host";
    }
    return "?";
}

TEST(DaneRequirement, QualifiesOnlyWhenMxAndAddressesAreSecure) {
    struct Case {
        bool mx_secure, addresses_secure, want;
    };
    for (const Case c : {Case{true, true, true}, Case{true, false, false}, Case{false, true, false},
                         Case{false, false, false}}) {
        dns::Destination destination{"mx.example", {}, 25, c.mx_secure, c.addresses_secure};
        EXPECT_EQ(qualifies_for_tlsa(destination), c.want)
            << "mx_secure=" << c.mx_secure << " addresses_secure=" << c.addresses_secure;
    }
}

TEST(DaneRequirement, TlsaNameUsesThePortAndHost) {
    dns::Destination destination{"mx.example.com", {}, 2525, true, true};
    EXPECT_EQ(tlsa_name(destination), "_2525._tcp.mx.example.com");
}

TEST(DaneRequirement, OnlyDaneUsagesWithWellFormedDataAreUsable) {
    struct Case {
        TlsaRecord record;
        bool want;
    };
    const Case cases[] = {
        {{3, 1, 1, kSha256}, true},  {{2, 0, 1, kSha256}, true},
        {{3, 0, 2, kSha512}, true},  {{3, 1, 0, "DER"}, true},
        {{0, 0, 1, kSha256}, false}, {{1, 1, 1, kSha256}, false},  // PKIX: §3.1.3
        {{4, 1, 1, kSha256}, false}, {{3, 2, 1, kSha256}, false},
        {{3, 1, 3, kSha256}, false}, {{3, 1, 1, kSha512}, false},
        {{3, 1, 2, kSha256}, false}, {{3, 1, 0, ""}, false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(is_usable(c.record), c.want)
            << "got " << !c.want << ", want " << c.want << " for " << int(c.record.usage) << " "
            << int(c.record.selector) << " " << int(c.record.matching_type) << " ("
            << c.record.data.size() << " bytes)";
    }
}

TEST(DaneRequirement, JudgesTheTlsaLookup) {
    struct Case {
        const char* name;
        TlsaLookup lookup;
        DaneOutcome want;
        std::size_t records;
    };
    const TlsaRecord ee{3, 1, 1, kSha256};
    const TlsaRecord pkix{1, 1, 1, kSha256};
    const Case cases[] = {
        {"secure usable", {{}, {ee, pkix}, {}, true}, DaneOutcome::authenticate, 1},
        {"secure, all unusable", {{}, {pkix}, {}, true}, DaneOutcome::encrypt_only, 0},
        {"insecure records", {{}, {ee}, {}, false}, DaneOutcome::not_applicable, 0},
        {"secure nodata", {dns::errc::no_data, {}, {}, true}, DaneOutcome::not_applicable, 0},
        {"secure nxdomain", {dns::errc::nxdomain, {}, {}, true}, DaneOutcome::not_applicable, 0},
        {"insecure nxdomain", {dns::errc::nxdomain, {}, {}, false}, DaneOutcome::not_applicable, 0},
        {"servfail (bogus)", {dns::errc::server_failure, {}, {}, false}, DaneOutcome::skip_host, 0},
        {"timeout", {dns::errc::timeout, {}, {}, false}, DaneOutcome::skip_host, 0},
    };
    for (const auto& c : cases) {
        const auto got = judge_tlsa(c.lookup, "mx.example.com", "example.com");
        EXPECT_EQ(got.outcome, c.want)
            << c.name << ": got " << name_of(got.outcome) << ", want " << name_of(c.want);
        EXPECT_EQ(got.check.records.size(), c.records) << c.name;
        EXPECT_EQ(got.applies(), c.want != DaneOutcome::not_applicable) << c.name;
    }
}

TEST(DaneRequirement, ReferenceNamesAreTheMxHostThenTheDomain) {
    const TlsaLookup lookup{{}, {{2, 0, 1, kSha256}}, {}, true};
    EXPECT_EQ(judge_tlsa(lookup, "mx.example.com", "example.com").check.names,
              (std::vector<std::string>{"mx.example.com", "example.com"}));
    // An implicit MX: the domain is the host, named once.
    EXPECT_EQ(judge_tlsa(lookup, "example.com", "example.com").check.names,
              (std::vector<std::string>{"example.com"}));
}

TEST(DaneRequirement, SkipSaysWhichHostAndWhy) {
    const TlsaLookup lookup{dns::errc::server_failure, {}, {}, false};
    const auto got = judge_tlsa(lookup, "mx.example.com", "example.com");
    EXPECT_NE(got.reason.find("TLSA lookup for mx.example.com failed"), std::string::npos)
        << got.reason;
}

}  // namespace
}  // namespace sluice::daemon::dane
