#include "daemon/smtp/trace_headers.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <array>
#include <vector>

namespace sluice::daemon::smtp {
namespace {

TEST(FormatRfc5322Date, KnownTimestamps) {
    struct Case {
        std::int64_t input;
        std::string want;
    };
    const std::vector<Case> cases = {
        {0, "Thu, 01 Jan 1970 00:00:00 +0000"},
        {-1, "Wed, 31 Dec 1969 23:59:59 +0000"},
        {951'782'400, "Tue, 29 Feb 2000 00:00:00 +0000"},
        {1'700'000'000, "Tue, 14 Nov 2023 22:13:20 +0000"},
        {1'798'048'533, "Wed, 23 Dec 2026 17:55:33 +0000"},
        {4'102'444'800, "Fri, 01 Jan 2100 00:00:00 +0000"},
        {253'402'300'799, "Fri, 31 Dec 9999 23:59:59 +0000"},
        {-62'135'596'800, "Mon, 01 Jan 0001 00:00:00 +0000"},
    };
    for (const Case& c : cases) {
        std::string got = format_rfc5322_date(c.input);
        EXPECT_EQ(got, c.want) << c.input << ": got " << got << ", want " << c.want;
    }
}

TEST(FormatRfc5322Date, AgreesWithGmtimeOverFourCenturies) {
    constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    // About 2.5 days per step, with a varying time of day, from 1800 to 2200.
    for (std::int64_t t = -5'364'662'400; t < 7'258'118'400; t += 216'007) {
        time_t seconds = static_cast<time_t>(t);
        tm parts{};
        ASSERT_NE(gmtime_r(&seconds, &parts), nullptr);
        char want[64];
        std::snprintf(want, sizeof want, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                      kDays[parts.tm_wday], parts.tm_mday, kMonths[parts.tm_mon],
                      parts.tm_year + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec);
        ASSERT_EQ(format_rfc5322_date(t), want) << t;
    }
}

TraceInfo sample() {
    TraceInfo info;
    info.hostname = "mx.example.net";
    info.client_address = "192.0.2.7";
    info.client_name = "app.example.com";
    info.helo = "app1";
    info.protocol = "ESMTP";
    info.queue_id = "4F9A2B1C";
    info.single_recipient = "rcpt@example.org";
    info.arrival_unix_us = 1'798'048'533'250'000;
    return info;
}

TEST(MakeReceivedHeader, Table) {
    struct Case {
        std::string name;
        TraceInfo input;
        std::string want;
    };
    const std::string by_for =
        "\tby mx.example.net (Sluice) with ESMTP id 4F9A2B1C\r\n"
        "\tfor <rcpt@example.org>; Wed, 23 Dec 2026 17:55:33 +0000\r\n";
    std::vector<Case> cases;
    cases.push_back({"one recipient", sample(),
                     "Received: from app1 (app.example.com [192.0.2.7])\r\n" + by_for});
    TraceInfo many = sample();
    many.single_recipient.clear();
    cases.push_back({"several recipients", many,
                     "Received: from app1 (app.example.com [192.0.2.7])\r\n"
                     "\tby mx.example.net (Sluice) with ESMTP id 4F9A2B1C; "
                     "Wed, 23 Dec 2026 17:55:33 +0000\r\n"});
    TraceInfo v6 = sample();
    v6.client_address = "2001:db8::7";
    v6.client_name.clear();
    v6.protocol = "ESMTPS";
    cases.push_back({"IPv6, no reverse name", v6,
                     "Received: from app1 (unknown [IPv6:2001:db8::7])\r\n"
                     "\tby mx.example.net (Sluice) with ESMTPS id 4F9A2B1C\r\n"
                     "\tfor <rcpt@example.org>; Wed, 23 Dec 2026 17:55:33 +0000\r\n"});
    TraceInfo tls = sample();
    tls.protocol = "ESMTPS";
    tls.tls = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits)";
    cases.push_back({"TLS version and cipher", tls,
                     "Received: from app1 (app.example.com [192.0.2.7])\r\n"
                     "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits))\r\n"
                     "\tby mx.example.net (Sluice) with ESMTPS id 4F9A2B1C\r\n"
                     "\tfor <rcpt@example.org>; Wed, 23 Dec 2026 17:55:33 +0000\r\n"});
    TraceInfo hostile = sample();
    hostile.helo = "evil\r\nX-Injected: 1";
    cases.push_back(
        {"HELO cannot add a header", hostile,
         "Received: from evil??X-Injected: 1 (app.example.com [192.0.2.7])\r\n" + by_for});
    TraceInfo long_helo = sample();
    long_helo.helo = std::string(2000, 'h');
    cases.push_back({"long HELO is cut", long_helo,
                     "Received: from " + std::string(255, 'h') +
                         " (app.example.com [192.0.2.7])\r\n" + by_for});
    for (const Case& c : cases) {
        std::string got = make_received_header(c.input);
        EXPECT_EQ(got, c.want) << c.name << ": got " << testing::PrintToString(got) << ", want "
                               << testing::PrintToString(c.want);
    }
}

TEST(AddTraceHeaders, Table) {
    const std::string received = make_received_header(sample());
    const std::string date = "Date: Wed, 23 Dec 2026 17:55:33 +0000\r\n";
    const std::string id = "Message-ID: <4F9A2B1C@mx.example.net>\r\n";
    struct Case {
        std::string content;
        std::string want_added;  // between Received: and the original content
    };
    const std::vector<Case> cases = {
        {"Subject: x\r\n\r\nbody\r\n", date + id},
        {"Date: Tue, 1 Dec 2026 10:00:00 +0100\r\nSubject: x\r\n\r\nbody\r\n", id},
        {"message-id: <a@b>\r\nDATE: whenever\r\n\r\n", ""},
        {"Subject: x\r\nMessage-ID:<a@b>\r\n\r\n", date},
        {"Subject : obsolete spacing\r\nDate : d\r\n\r\n", id},
        {"Subject: x\r\n Date: folded, not a field\r\n\r\n", date + id},
        {"X-Long:\r\n\tMessage-ID: folded\r\nDate: d\r\n\r\n", id},
        {"Subject: x\r\n\r\nDate: in the body\r\nMessage-ID: <body@x>\r\n", date + id},
        {"Resent-Date: d\r\nResent-Message-ID: <r@x>\r\n\r\n", date + id},
        {"Subject: x\r\nnot a header line\r\nDate: d\r\n", date + id},
        {"Subject: x\nDate: d\n\nbare LF\n", id},
        {"Subject: no body", date + id},
        // No header block: an empty line keeps the original first line in the body.
        {"hello world\r\n", date + id + "\r\n"},
        {"", date + id + "\r\n"},
        {"\r\nbody only\r\n", date + id + "\r\n"},
        {" starts folded: x\r\n\r\n", date + id + "\r\n"},
        {"From sender@example.com Mon Dec 21 10:00:00 2026\r\nSubject: x\r\n\r\n",
         date + id + "\r\n"},
        {":no name\r\n\r\n", date + id + "\r\n"},
    };
    for (const Case& c : cases) {
        std::string got = add_trace_headers(sample(), c.content);
        std::string want = received + c.want_added + c.content;
        EXPECT_EQ(got, want) << "content " << testing::PrintToString(c.content) << ": got "
                             << testing::PrintToString(got) << ", want "
                             << testing::PrintToString(want);
    }
}

}  // namespace
}  // namespace sluice::daemon::smtp
