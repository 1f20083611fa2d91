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

}  // namespace
}  // namespace sluice::policy::engine
