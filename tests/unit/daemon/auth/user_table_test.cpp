#include "daemon/auth/user_table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::daemon::auth {
namespace {

// `openssl passwd -6 -salt s4ltS4lt 'correct horse'`
constexpr const char* kAliceHash =
    "$6$s4ltS4lt$ehBOcmNtPQYx6ngLZu.CqMZ.ORUNrDiLQ2G2WVg/zteCZ3u.ZHKzEHA9glvwIpOAn3EhjU0nf35Sgv/"
    "AqSUKt1";

std::shared_ptr<const UserTable> table() {
    std::string error;
    auto users = UserTable::parse(std::string("# users\n\nalice:") + kAliceHash + "\r\n", error);
    EXPECT_TRUE(users) << error;
    return users;
}

TEST(UserTable, VerifiesSha512CryptPasswords) {
    auto users = table();
    ASSERT_TRUE(users);
    EXPECT_EQ(users->size(), 1u);
    struct Case {
        const char* user;
        const char* password;
        bool want;
    };
    for (const auto& c :
         {Case{"alice", "correct horse", true}, Case{"alice", "correct horse ", false},
          Case{"alice", "", false}, Case{"Alice", "correct horse", false},
          Case{"bob", "correct horse", false}, Case{"", "", false}}) {
        EXPECT_EQ(users->verify(c.user, c.password), c.want)
            << c.user << " / " << c.password << ": got " << !c.want << ", want " << c.want;
    }
}

TEST(UserTable, ReportsBadLines) {
    struct Case {
        std::string text;
        std::string want;
    };
    for (const auto& c : {
             Case{"alice\n", "line 1: expected \"user:hash\""},
             Case{"\n:$6$x$y\n", "line 2: expected \"user:hash\""},
             Case{"alice:secret\n",
                  "line 1: the hash must be SHA-512-crypt (\"$6$...\", openssl "
                  "passwd -6) or yescrypt (\"$y$...\")"},
             Case{"alice:$1$md5$x\n",
                  "line 1: the hash must be SHA-512-crypt (\"$6$...\", "
                  "openssl passwd -6) or yescrypt (\"$y$...\")"},
             Case{std::string("alice:") + kAliceHash + "\nalice:" + kAliceHash,
                  "line 2: user \"alice\" appears twice"},
         }) {
        std::string error;
        EXPECT_FALSE(UserTable::parse(c.text, error)) << c.text;
        EXPECT_EQ(error, c.want) << "got " << error << ", want " << c.want;
    }
}

TEST(UserTable, MissingFileIsAnError) {
    std::string error;
    EXPECT_FALSE(UserTable::load("/nonexistent/sluice-users", error));
    EXPECT_EQ(error, "cannot read the users file /nonexistent/sluice-users");
}

}  // namespace
}  // namespace sluice::daemon::auth
