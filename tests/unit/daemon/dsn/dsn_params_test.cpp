// Table tests for reading the DSN parameters the spool kept (RFC 3461): NOTIFY= per recipient,
// RET= per message, and the parameters passed on to a next hop that offers DSN.
#include "daemon/dsn/dsn_params.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::daemon::dsn {
namespace {

std::string describe(const NotifyRequest& r) {
    return std::string(r.success ? "S" : "-") + (r.failure ? "F" : "-") + (r.delay ? "D" : "-");
}

TEST(NotifyRequest, Table) {
    struct Case {
        std::string params;
        std::string want;
    } cases[] = {
        {"", "-FD"},  // absent: failures and delays (RFC 3461 §4.1 leaves DELAY to us)
        {"ORCPT=rfc822;a@b", "-FD"},
        {"NOTIFY=NEVER", "---"},
        {"notify=never", "---"},
        {"NOTIFY=SUCCESS", "S--"},
        {"NOTIFY=FAILURE", "-F-"},
        {"NOTIFY=DELAY", "--D"},
        {"NOTIFY=SUCCESS,FAILURE,DELAY", "SFD"},
        {"ORCPT=rfc822;a@b NOTIFY=delay,success", "S-D"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(describe(notify_request(c.params)), c.want) << "params " << c.params;
    }
}

TEST(ReturnRequest, FullOnlyWhenAsked) {
    EXPECT_EQ(return_request(""), Return::headers);
    EXPECT_EQ(return_request("SIZE=10 RET=HDRS"), Return::headers);
    EXPECT_EQ(return_request("RET=FULL ENVID=x"), Return::full);
    EXPECT_EQ(return_request("BODY=8BITMIME ret=full"), Return::full);
    EXPECT_EQ(return_request("XRET=FULL"), Return::headers);
}

TEST(FindParam, FirstValueOfTheKeyword) {
    EXPECT_EQ(find_param("SIZE=10 ENVID=a+2Bb", "envid"), "a+2Bb");
    EXPECT_EQ(find_param("ENVIDX=1 ENVID=2", "ENVID"), "2");
    EXPECT_EQ(find_param("SMTPUTF8", "SMTPUTF8"), "");
    EXPECT_EQ(find_param("", "RET"), "");
}

TEST(PassedOn, OnlyTheDsnParametersAsReceived) {
    EXPECT_EQ(dsn_mail_params("SIZE=100 BODY=8BITMIME RET=hdrs SMTPUTF8 ENVID=Q+2B1"),
              "RET=hdrs ENVID=Q+2B1");
    EXPECT_EQ(dsn_mail_params("SIZE=100 AUTH=<>"), "");
    EXPECT_EQ(dsn_rcpt_params("NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+2Bb@x"),
              "NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+2Bb@x");
    EXPECT_EQ(dsn_rcpt_params(""), "");
}

}  // namespace
}  // namespace sluice::daemon::dsn
