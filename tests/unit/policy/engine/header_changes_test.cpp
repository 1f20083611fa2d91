#include "policy/engine/header_changes.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::engine {
namespace {

const std::string kMessage =
    "Received: from a\r\n\tby b\r\n"
    "X-Mailer: Old 1.0\r\n"
    "Subject: hi\r\n"
    "x-mailer: twice\r\n  folded\r\n"
    "\r\n"
    "X-Mailer: in the body stays\r\n";

TEST(HeaderChanges, RemovesEveryInstanceThenAddsAtTheTopInOrder) {
    config::HeaderPolicy pool{{"X-Pool: bulk"}, {"X-Mailer"}};
    config::HeaderPolicy isp{{"List-Unsubscribe-Post: List-Unsubscribe=One-Click"}, {"Subject"}};
    EXPECT_EQ(apply_header_policies(kMessage, {&pool, &isp}),
              "X-Pool: bulk\r\n"
              "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
              "Received: from a\r\n\tby b\r\n"
              "\r\n"
              "X-Mailer: in the body stays\r\n");
}

TEST(HeaderChanges, NoPolicyOrEmptyPoliciesChangeNothing) {
    config::HeaderPolicy empty;
    EXPECT_EQ(apply_header_policies(kMessage, {nullptr, &empty}), kMessage);
    config::HeaderPolicy other{{}, {"X-Mail"}};  // a prefix of a name is not that name
    EXPECT_EQ(apply_header_policies(kMessage, {&other}), kMessage);
}

// Only CRLF-terminated lines are header: a last line without CRLF is kept as it is, even as the
// continuation of a removed field; "Name :" is not "Name:".
TEST(HeaderChanges, RemovesWholeLinesOfFieldsOfThatNameOnly) {
    struct Case {
        std::string content;
        std::string remove;
        std::string want;
    } cases[] = {
        {"A: 1\r\nB: 2", "B", "A: 1\r\nB: 2"},
        {"A: 1\r\n b\r\n c", "A", " c"},
        {"A: 1\r\n b\r\n c", "B", "A: 1\r\n b\r\n c"},
        {"A : 1\r\n\r\n", "A", "A : 1\r\n\r\n"},
        {"A: 1\rB: 2\r\n", "B", "A: 1\rB: 2\r\n"},
        {"A: 1\rB: 2\r\n", "A", ""},
        {" A: 1\r\nA: 2\r\n", "A", " A: 1\r\n"},
        {"\r\nA: 1\r\n", "A", "\r\nA: 1\r\n"},
        {"A: 1\r\n", "a", ""},
        {"B: 1\r\nA: 2\r\n\tx\r\n\r\nA: 3", "A", "B: 1\r\n\r\nA: 3"},
    };
    for (const auto& c : cases) {
        const config::HeaderPolicy policy{{}, {c.remove}};
        const std::string got = apply_header_policies(c.content, {&policy});
        EXPECT_EQ(got, c.want) << "removing " << c.remove << " from \"" << c.content << "\": got \""
                               << got << "\", want \"" << c.want << "\"";
    }
}

}  // namespace
}  // namespace sluice::policy::engine
