// Table tests for the DSN parameter helpers: finding ORCPT= among RCPT parameters and decoding
// xtext (RFC 3461 §4).
#include "daemon/dsn/orcpt.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::daemon::dsn {
namespace {

TEST(FindOrcpt, Table) {
    struct Case {
        std::string params;
        std::string want;
    } cases[] = {
        {"", ""},
        {"ORCPT=rfc822;a@b", "rfc822;a@b"},
        {"NOTIFY=FAILURE orcpt=rfc822;a+2Bb@x", "rfc822;a+2Bb@x"},
        {"NOTIFY=NEVER", ""},
        {"XORCPT=rfc822;a@b", ""},
        {"ORCPT=", ""},
        {"ORCPT=rfc822;first@x NOTIFY=SUCCESS", "rfc822;first@x"},
    };
    for (const auto& c : cases) {
        std::string got = find_orcpt(c.params);
        EXPECT_EQ(got, c.want) << "params \"" << c.params << "\": got " << got << ", want "
                               << c.want;
    }
}

TEST(DecodeOrcpt, Table) {
    struct Case {
        std::string value;
        std::string want;
    } cases[] = {
        {"rfc822;a@b", "rfc822; a@b"},
        {"rfc822;a+2Bb@x", "rfc822; a+b@x"},
        {"rfc822;a+3Db+20c@x", "rfc822; a=b c@x"},
        {"rfc822;a+2bb@x", ""},  // hexchar is upper case
        {"rfc822;a+2", ""},
        {"rfc822;a+0Db@x", ""},    // CR would end the field
        {"rfc822;a+C3+A9@x", ""},  // non-ASCII
        {"rfc822;", ""},
        {";a@b", ""},
        {"a@b", ""},
        {"rfc 822;a@b", ""},
    };
    for (const auto& c : cases) {
        std::string got = decode_orcpt(c.value);
        EXPECT_EQ(got, c.want) << "value \"" << c.value << "\": got " << got << ", want " << c.want;
    }
}

TEST(DecodeXtext, Table) {
    struct Case {
        std::string xtext;
        std::string want;
    } cases[] = {
        {"QQ123", "QQ123"}, {"id+2B1", "id+1"}, {"+41+42", "AB"}, {"bad+4", ""}, {"+7F", ""},
    };
    for (const auto& c : cases) {
        std::string got = decode_xtext(c.xtext);
        EXPECT_EQ(got, c.want) << "xtext \"" << c.xtext << "\": got " << got << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::daemon::dsn
